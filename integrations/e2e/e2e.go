// Package e2e holds what the end-to-end scenarios of both InfluxDB builds
// (integrations/influxd/e2echeck, integrations/influxd2/e2echeck) share.
// scripts/influxd-e2e.sh and scripts/influxd2-e2e.sh build, start and stop
// the servers; the scenarios, in Go, run every step:
//
//   - a free loopback port, waiting for a server to be ready, reading
//     Flux's CSV answers (this file) and checking their rows (rows.go);
//   - the subcommand plumbing (command.go);
//   - counting and printing checks (checks.go) and every wait, bounded by
//     Limit (wait.go);
//   - the fluxpd emulator: its alerts (emulator.go, alertcheck.go), its
//     requests with their bodies as received, an outage and a refused
//     routing key (emuclient.go);
//   - the answers kept (answers.go), no routing key in them or the logs
//     (secrets.go), the outbox (outbox.go), a server that must refuse to
//     start (process.go).
//
// It uses the standard library and fluxpd's internal packages only.
package e2e

import (
	"context"
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

// Wait polls url until it answers 2xx and gives up after limit (a
// request still unanswered then is abandoned); when pid is not 0 it fails
// as soon as that process is gone. Its errors say what was awaited and the
// last answer or error seen.
func Wait(url string, limit time.Duration, pid int) error {
	ctx, cancel := context.WithTimeout(context.Background(), limit)
	defer cancel()
	var last string
	for {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
		if err != nil {
			return err
		}
		resp, err := http.DefaultClient.Do(req)
		if err == nil {
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode/100 == 2 {
				return nil
			}
			last = resp.Status
		} else if ctx.Err() == nil || last == "" {
			// An attempt cut short by the limit says less than the one before.
			last = err.Error()
		}
		if pid > 0 && syscall.Kill(pid, 0) != nil {
			return fmt.Errorf("process %d exited before %s answered 2xx; last seen: %s", pid, url, last)
		}
		if ctx.Err() != nil {
			return fmt.Errorf("gave up after %s waiting for %s to answer 2xx; last seen: %s", limit, url, last)
		}
		select {
		case <-ctx.Done():
		case <-time.After(100 * time.Millisecond):
		}
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
