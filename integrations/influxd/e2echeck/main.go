// Command e2echeck is the assertion helper of scripts/influxd-e2e.sh. It
// uses the Go standard library only, so the end-to-end test needs neither
// jq nor python on a fresh machine.
//
// Each subcommand prints what it checked and exits 0 when it holds, 1 when
// it does not (with the reason and the data it looked at), 2 on misuse:
//
//	e2echeck freeport
//	    print a TCP port that is free on 127.0.0.1
//	e2echeck wait -url URL [-timeout D] [-pid PID]
//	    poll URL until it answers 2xx; fail after D (default: e2e.Limit,
//	    three minutes times $FLUXPD_TEST_TIMEOUT_SCALE) or when PID exits
//	e2echeck csv -file F [-rows N] [-eq COL=VALUE]... [-nonempty COL]...
//	    check every data row of a Flux CSV result
//	e2echeck csv-value -file F -col COL [-where COL=VALUE]
//	    print the one distinct value of COL in the matching rows
//	e2echeck requests -emulator URL [-count N] [-accepted N]
//	    check the requests the fluxpd emulator recorded
//	e2echeck alert -emulator URL -dedup-key K [-status S] [-source S]
//	        [-history a,b] [-severity S] [-summary S]
//	    check the one alert with dedup key K; -severity and -summary are
//	    checked against the event that opened the alert
//	e2echeck docs-write -influx URL -time UNIX
//	e2echeck docs-run -influx URL -emulator URL -script FILE -time UNIX
//	        [-want-error TEXT] [-save FILE]
//	    write the status the documentation's second sendEvent example reads,
//	    and run that example (examples/influxdb/): see docs.go
package main

import (
	"flag"
	"fmt"
	"net/http"
	"os"
	"slices"
	"strings"

	"github.com/fluxpd/fluxpd/integrations/e2e"
)

func main() {
	e2e.Main(
		e2e.FreePortCommand,
		e2e.WaitCommand,
		e2e.Command{Name: "csv", Run: checkCSV},
		e2e.Command{Name: "csv-value", Run: csvValue},
		e2e.Command{Name: "requests", Run: checkRequests},
		e2e.Command{Name: "alert", Run: checkAlert},
		e2e.Command{Name: "docs-write", Run: docsWrite},
		e2e.Command{Name: "docs-run", Run: docsRun},
	)
}

// multiFlag collects a repeated string flag.
type multiFlag []string

func (m *multiFlag) String() string     { return strings.Join(*m, ",") }
func (m *multiFlag) Set(s string) error { *m = append(*m, s); return nil }

// table is the data rows of a Flux CSV result, as maps from column name.
type table []map[string]string

// readCSV reads a Flux CSV answer (annotated or not, one or more tables
// separated by blank lines) and fails on an embedded error table.
func readCSV(file string) (table, error) {
	b, err := os.ReadFile(file)
	if err != nil {
		return nil, err
	}
	rows, err := e2e.ParseCSV(b)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", file, err)
	}
	return rows, nil
}

func (t table) String() string {
	var b strings.Builder
	for _, r := range t {
		keys := make([]string, 0, len(r))
		for k := range r {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		for i, k := range keys {
			if i > 0 {
				b.WriteString(" ")
			}
			fmt.Fprintf(&b, "%s=%q", k, r[k])
		}
		b.WriteString("\n")
	}
	return b.String()
}

func splitEq(s string) (string, string, error) {
	k, v, ok := strings.Cut(s, "=")
	if !ok || k == "" {
		return "", "", fmt.Errorf("want COL=VALUE, got %q", s)
	}
	return k, v, nil
}

func checkCSV(args []string) error {
	fs := flag.NewFlagSet("csv", flag.ContinueOnError)
	file := fs.String("file", "", "Flux CSV answer")
	nrows := fs.Int("rows", -1, "exact number of data rows")
	var eqs, nonempty multiFlag
	fs.Var(&eqs, "eq", "COL=VALUE every row must have (repeatable)")
	fs.Var(&nonempty, "nonempty", "COL every row must have non-empty (repeatable)")
	if err := e2e.ParseFlags(fs, args, "file"); err != nil {
		return err
	}
	rows, err := readCSV(*file)
	if err != nil {
		return err
	}
	var problems []string
	if *nrows >= 0 && len(rows) != *nrows {
		problems = append(problems, fmt.Sprintf("%d data rows, want %d", len(rows), *nrows))
	}
	for i, r := range rows {
		for _, e := range eqs {
			k, v, err := splitEq(e)
			if err != nil {
				return err
			}
			got, ok := r[k]
			if !ok {
				problems = append(problems, fmt.Sprintf("row %d has no column %s", i+1, k))
			} else if got != v {
				problems = append(problems, fmt.Sprintf("row %d: %s=%q, want %q", i+1, k, got, v))
			}
		}
		for _, k := range nonempty {
			if r[k] == "" {
				problems = append(problems, fmt.Sprintf("row %d: %s is missing or empty", i+1, k))
			}
		}
	}
	if len(problems) > 0 {
		return fmt.Errorf("%s\nrows:\n%s", strings.Join(problems, "\n"), rows)
	}
	fmt.Printf("%d rows: every row has %s\n", len(rows), strings.Join(append(eqs, nonempty...), ", "))
	return nil
}

func csvValue(args []string) error {
	fs := flag.NewFlagSet("csv-value", flag.ContinueOnError)
	file := fs.String("file", "", "Flux CSV answer")
	col := fs.String("col", "", "column whose value to print")
	where := fs.String("where", "", "COL=VALUE selecting rows")
	if err := e2e.ParseFlags(fs, args, "file", "col"); err != nil {
		return err
	}
	rows, err := readCSV(*file)
	if err != nil {
		return err
	}
	var wk, wv string
	if *where != "" {
		if wk, wv, err = splitEq(*where); err != nil {
			return err
		}
	}
	var vals []string
	for _, r := range rows {
		if wk != "" && r[wk] != wv {
			continue
		}
		if !slices.Contains(vals, r[*col]) {
			vals = append(vals, r[*col])
		}
	}
	if len(vals) != 1 || vals[0] == "" {
		return fmt.Errorf("want one non-empty value of %s where %s, got %q\nrows:\n%s", *col, *where, vals, rows)
	}
	fmt.Println(vals[0])
	return nil
}

// client reads the emulator's inspection API; its bound stops a hang.
var client = &http.Client{Timeout: e2e.Limit()}

// emuRequest is the part of the emulator's GET /_emulator/requests that
// the test checks (its alerts are e2e.Alert).
type emuRequest struct {
	ID       int      `json:"id"`
	Path     string   `json:"path"`
	Status   int      `json:"status"`
	Verdict  string   `json:"verdict"`
	Errors   []string `json:"errors"`
	Reason   string   `json:"reason"`
	Action   string   `json:"action"`
	DedupKey string   `json:"dedup_key"`
	Severity string   `json:"severity"`
	Summary  string   `json:"summary"`
	Source   string   `json:"source"`
}

func checkRequests(args []string) error {
	fs := flag.NewFlagSet("requests", flag.ContinueOnError)
	emu := fs.String("emulator", "", "emulator base URL")
	count := fs.Int("count", -1, "exact number of requests received")
	accepted := fs.Int("accepted", -1, "exact number answered 202 with verdict accepted")
	if err := e2e.ParseFlags(fs, args, "emulator"); err != nil {
		return err
	}
	var reqs []emuRequest
	if err := e2e.GetJSON(client, strings.TrimSuffix(*emu, "/")+"/_emulator/requests", &reqs); err != nil {
		return err
	}
	n := 0
	for _, r := range reqs {
		if r.Verdict == "accepted" && r.Status == http.StatusAccepted {
			n++
		}
	}
	var problems []string
	if *count >= 0 && len(reqs) != *count {
		problems = append(problems, fmt.Sprintf("%d requests received, want %d", len(reqs), *count))
	}
	if *accepted >= 0 && n != *accepted {
		problems = append(problems, fmt.Sprintf("%d requests accepted, want %d", n, *accepted))
	}
	if len(problems) > 0 {
		return fmt.Errorf("%s\nrequests: %s", strings.Join(problems, "; "), e2e.Pretty(reqs))
	}
	fmt.Printf("%d requests received, %d accepted\n", len(reqs), n)
	return nil
}

func checkAlert(args []string) error {
	fs := flag.NewFlagSet("alert", flag.ContinueOnError)
	emu := fs.String("emulator", "", "emulator base URL")
	key := fs.String("dedup-key", "", "dedup key of the alert")
	status := fs.String("status", "", "alert status: triggered, acknowledged or resolved")
	source := fs.String("source", "", "payload.source of the opening trigger")
	history := fs.String("history", "", "comma-separated actions applied, oldest first")
	severity := fs.String("severity", "", "severity of the opening trigger")
	summary := fs.String("summary", "", "summary of the opening trigger")
	if err := e2e.ParseFlags(fs, args, "emulator", "dedup-key"); err != nil {
		return err
	}
	alerts, err := e2e.Alerts(client, *emu)
	if err != nil {
		return err
	}
	var found []e2e.Alert
	for _, a := range alerts {
		if a.DedupKey == *key {
			found = append(found, a)
		}
	}
	if len(found) != 1 {
		return fmt.Errorf("%d alerts with dedup key %q, want 1\nalerts: %s", len(found), *key, e2e.Pretty(alerts))
	}
	a := found[0]
	actions := e2e.Actions(a.History)
	var problems []string
	want := func(what, got, want string) {
		if want != "" && got != want {
			problems = append(problems, fmt.Sprintf("%s is %q, want %q", what, got, want))
		}
	}
	want("status", a.Status, *status)
	want("source", a.Source, *source)
	want("history", strings.Join(actions, ","), *history)
	if len(a.History) > 0 {
		want("severity of the opening event", a.History[0].Severity, *severity)
		want("summary of the opening event", a.History[0].Summary, *summary)
	} else if *severity != "" || *summary != "" {
		problems = append(problems, "the alert has no history")
	}
	if len(problems) > 0 {
		return fmt.Errorf("alert %q: %s\nalert: %s", *key, strings.Join(problems, "; "), e2e.Pretty(a))
	}
	fmt.Printf("alert %q: status=%s source=%q history=%s", *key, a.Status, a.Source, strings.Join(actions, ","))
	if len(a.History) > 0 {
		fmt.Printf(" opened with severity=%q summary=%q", a.History[0].Severity, a.History[0].Summary)
	}
	fmt.Println()
	return nil
}
