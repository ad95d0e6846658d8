// Package e2e holds what the end-to-end checkers of both InfluxDB builds
// (integrations/influxd/e2echeck, integrations/influxd2/e2echeck) share:
// a free loopback port, waiting for a server to be ready and reading
// Flux's CSV answers (this file), their subcommand plumbing (command.go),
// and reading the fluxpd emulator's alerts (emulator.go). It uses the
// standard library only.
package e2e

import (
	"encoding/csv"
	"fmt"
	"io"
	"net"
	"net/http"
	"slices"
	"strings"
	"syscall"
	"time"
)

// FreePort returns a TCP port on 127.0.0.1 that was free a moment ago.
func FreePort() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}

// Wait polls url until it answers 2xx, for at most timeout; when pid is
// not 0 it fails as soon as that process is gone.
func Wait(url string, timeout time.Duration, pid int) error {
	client := &http.Client{Timeout: 2 * time.Second}
	deadline := time.Now().Add(timeout)
	var last string
	for {
		resp, err := client.Get(url)
		if err == nil {
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode/100 == 2 {
				return nil
			}
			last = resp.Status
		} else {
			last = err.Error()
		}
		if pid > 0 && syscall.Kill(pid, 0) != nil {
			return fmt.Errorf("process %d exited before %s was ready (last: %s)", pid, url, last)
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("%s not ready after %s (last: %s)", url, timeout, last)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// ParseCSV reads a Flux CSV answer (annotated or not, one or more tables
// separated by blank lines) into its data rows, as maps from column name,
// and fails on an embedded error table.
func ParseCSV(b []byte) ([]map[string]string, error) {
	var rows []map[string]string
	for _, block := range strings.Split(strings.ReplaceAll(string(b), "\r\n", "\n"), "\n\n") {
		var lines []string
		for _, l := range strings.Split(block, "\n") {
			if l != "" && !strings.HasPrefix(l, "#") {
				lines = append(lines, l)
			}
		}
		if len(lines) == 0 {
			continue
		}
		recs, err := csv.NewReader(strings.NewReader(strings.Join(lines, "\n"))).ReadAll()
		if err != nil {
			return nil, fmt.Errorf("not CSV: %v\n%s", err, b)
		}
		header := recs[0]
		if slices.Contains(header, "error") && slices.Contains(header, "reference") {
			return nil, fmt.Errorf("the query failed: %s", strings.TrimSpace(block))
		}
		for _, rec := range recs[1:] {
			row := make(map[string]string, len(header))
			for i, name := range header {
				if name != "" && i < len(rec) {
					row[name] = rec[i]
				}
			}
			rows = append(rows, row)
		}
	}
	return rows, nil
}
