package e2e

import (
	"bufio"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
)

// Metrics are the samples of a Prometheus text scrape, by series as
// written ("name{label="value",...}"), with the scrape as it came.
type Metrics struct {
	Samples map[string]float64
	Text    string
}

// Scrape reads url (a /metrics endpoint) and keeps the series whose
// names start with prefix.
func Scrape(client *http.Client, url, prefix string) (Metrics, error) {
	resp, err := client.Get(url)
	if err != nil {
		return Metrics{}, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return Metrics{}, err
	}
	if resp.StatusCode != http.StatusOK {
		return Metrics{}, fmt.Errorf("GET %s: %s", url, resp.Status)
	}
	m := Metrics{Samples: map[string]float64{}}
	var kept []string
	sc := bufio.NewScanner(strings.NewReader(string(body)))
	for sc.Scan() {
		line := sc.Text()
		if !strings.HasPrefix(line, prefix) && !strings.HasPrefix(line, "# HELP "+prefix) && !strings.HasPrefix(line, "# TYPE "+prefix) {
			continue
		}
		kept = append(kept, line)
		if strings.HasPrefix(line, "#") {
			continue
		}
		i := strings.LastIndexByte(line, ' ')
		v, err := strconv.ParseFloat(line[i+1:], 64)
		if err != nil {
			return Metrics{}, fmt.Errorf("a sample that does not parse: %q", line)
		}
		m.Samples[line[:i]] = v
	}
	m.Text = strings.Join(kept, "\n") + "\n"
	return m, sc.Err()
}

// AtLeast checks that each series has at least its value, and says which
// do not (with what they have).
func (m Metrics) AtLeast(want map[string]float64) error {
	var bad []string
	for series, min := range want {
		got, ok := m.Samples[series]
		switch {
		case !ok:
			bad = append(bad, series+" is missing")
		case got < min:
			bad = append(bad, fmt.Sprintf("%s = %v, want at least %v", series, got, min))
		}
	}
	if len(bad) > 0 {
		return fmt.Errorf("%s", strings.Join(bad, "; "))
	}
	return nil
}

// FluxpdMetrics scrapes fluxpd's series from a server's /metrics, saves
// the scrape among the answers (as metrics.txt, so the key scan reads it)
// and checks each series in want has at least its value.
func FluxpdMetrics(client *http.Client, base string, answers *Answers, want map[string]float64) (Metrics, error) {
	m, err := Scrape(client, strings.TrimSuffix(base, "/")+"/metrics", "fluxpd_")
	if err != nil {
		return m, err
	}
	answers.Save("metrics.txt", []byte(m.Text))
	return m, m.AtLeast(want)
}
