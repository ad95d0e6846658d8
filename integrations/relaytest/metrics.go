package relaytest

import (
	"bufio"
	"fmt"
	"net/http"
	"strconv"
	"strings"
)

// Metrics are the samples of a Prometheus text exposition, by series
// (name and labels as written, such as
// fluxpd_relay_events_received_total{outcome="accepted",path="/v2/enqueue"}).
type Metrics map[string]float64

// Scrape reads url (a relay's /metrics) in Prometheus' text format.
func Scrape(client *http.Client, url string) (Metrics, error) {
	resp, err := client.Get(url)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("GET %s: %s", url, resp.Status)
	}
	m := Metrics{}
	sc := bufio.NewScanner(resp.Body)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		i := strings.LastIndexByte(line, ' ')
		if i < 0 {
			return nil, fmt.Errorf("GET %s: a line that is not a sample: %q", url, line)
		}
		v, err := strconv.ParseFloat(line[i+1:], 64)
		if err != nil {
			return nil, fmt.Errorf("GET %s: the value of %q: %v", url, line[:i], err)
		}
		m[line[:i]] = v
	}
	return m, sc.Err()
}

// Sum adds the samples of the metric name whose labels contain every one
// of labels (each written as in the exposition, such as
// outcome="accepted"); ok is false when there is none.
func (m Metrics) Sum(name string, labels ...string) (sum float64, ok bool) {
	for series, v := range m {
		if series != name && !strings.HasPrefix(series, name+"{") {
			continue
		}
		match := true
		for _, l := range labels {
			match = match && strings.Contains(series, l)
		}
		if match {
			sum, ok = sum+v, true
		}
	}
	return sum, ok
}
