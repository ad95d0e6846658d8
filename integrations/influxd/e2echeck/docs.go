package main

// Part (g) of scripts/influxd-e2e.sh: the documentation's second
// pagerduty.sendEvent example, as examples/influxdb/ holds it, run through
// InfluxDB 1.8's /api/v2/query against a stored status.
//
//	e2echeck docs-write -influx URL -time UNIX
//	    create database example-bucket and write the status the example
//	    reads (measurement statuses, the fields of docsStatus) at UNIX s
//	e2echeck docs-run -influx URL -emulator URL -script FILE -time UNIX
//	        [-want-error TEXT] [-save FILE]
//	    run FILE with its PagerDuty URL pointed at the emulator; check that
//	    the emulator got exactly one event, carrying the stored status, and
//	    that the answer is an error containing TEXT or, without -want-error,
//	    one row with sendEventStatus=202

import (
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/fluxpd/fluxpd/integrations/e2e"
)

// docsBucket is the example's bucket: in InfluxDB 1.8 the database of that
// name, read through its default retention policy.
const docsBucket = "example-bucket"

// docsURL is the PagerDuty URL the example names; docs-run replaces it
// with the emulator's (it must occur exactly once, so that the script can
// never reach PagerDuty).
const docsURL = `"https://events.pagerduty.com/v2/enqueue"`

// docsStatus is the stored status: the string fields the example reads.
var docsStatus = map[string]string{
	"client":      "telegraf",
	"clientURL":   "https://monitoring.example.com/d/web-1",
	"class":       "ping failure",
	"eventAction": "trigger",
	"group":       "app-stack",
	"status":      "critical",
	"component":   "nginx",
	"source":      "web-1.example.com",
	"summary":     "web-1.example.com does not answer ping",
}

// docsPing and docsCPU are the stored float fields ping and cpu, which the
// example sends as custom details "ping time" and cpu.
const (
	docsPing = 1500.5
	docsCPU  = 97.25
)

// docsLine is the stored status in line protocol, at unix second t.
func docsLine(t int64) string {
	keys := make([]string, 0, len(docsStatus))
	for k := range docsStatus {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	esc := strings.NewReplacer(`\`, `\\`, `"`, `\"`)
	fields := make([]string, 0, len(keys)+2)
	for _, k := range keys {
		fields = append(fields, fmt.Sprintf(`%s="%s"`, k, esc.Replace(docsStatus[k])))
	}
	fields = append(fields, "ping="+strconv.FormatFloat(docsPing, 'f', -1, 64),
		"cpu="+strconv.FormatFloat(docsCPU, 'f', -1, 64))
	return fmt.Sprintf("statuses %s %d", strings.Join(fields, ","), t)
}

func docsWrite(args []string) error {
	fs := flag.NewFlagSet("docs-write", flag.ContinueOnError)
	influx := fs.String("influx", "", "InfluxDB base URL")
	t := fs.Int64("time", 0, "the status's time, in unix seconds")
	if err := e2e.ParseFlags(fs, args, "influx", "time"); err != nil {
		return err
	}
	base := strings.TrimSuffix(*influx, "/")
	q := url.Values{"q": {fmt.Sprintf("CREATE DATABASE %q", docsBucket)}}
	if _, err := post(base+"/query", "application/x-www-form-urlencoded", q.Encode(), http.StatusOK); err != nil {
		return err
	}
	line := docsLine(*t)
	w := base + "/write?precision=s&db=" + url.QueryEscape(docsBucket)
	if _, err := post(w, "text/plain; charset=utf-8", line, http.StatusNoContent); err != nil {
		return err
	}
	fmt.Printf("database %s: %s\n", docsBucket, line)
	return nil
}

// post sends body to u and returns the answer, which must have status want.
func post(u, ctype, body string, want int) ([]byte, error) {
	code, b, err := postAny(u, ctype, "", body)
	if err != nil {
		return nil, err
	}
	if code != want {
		return nil, fmt.Errorf("POST %s answered %d, want %d: %s", u, code, want, b)
	}
	return b, nil
}

// postAny sends body to u, asking for an answer of type accept unless it
// is empty, and returns the answer's status and body.
func postAny(u, ctype, accept, body string) (int, []byte, error) {
	req, err := http.NewRequest(http.MethodPost, u, strings.NewReader(body))
	if err != nil {
		return 0, nil, err
	}
	req.Header.Set("Content-Type", ctype)
	if accept != "" {
		req.Header.Set("Accept", accept)
	}
	resp, err := client.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return resp.StatusCode, b, err
}

// docsScript reads the example and points its PagerDuty URL at emu.
func docsScript(file, emu string) (string, error) {
	b, err := os.ReadFile(file)
	if err != nil {
		return "", err
	}
	src := string(b)
	if n := strings.Count(src, docsURL); n != 1 {
		return "", fmt.Errorf("%s names %s %d times, want once (it is replaced by the emulator's URL)", file, docsURL, n)
	}
	return strings.Replace(src, docsURL, strconv.Quote(strings.TrimSuffix(emu, "/")+"/v2/enqueue"), 1), nil
}

func docsRun(args []string) error {
	fs := flag.NewFlagSet("docs-run", flag.ContinueOnError)
	influx := fs.String("influx", "", "InfluxDB base URL")
	emu := fs.String("emulator", "", "emulator base URL")
	script := fs.String("script", "", "the example's Flux file")
	t := fs.Int64("time", 0, "the stored status's time, in unix seconds (as docs-write got it)")
	wantErr := fs.String("want-error", "", "text of the error the query must answer (default: a table)")
	save := fs.String("save", "", "file to save the answer to")
	if err := e2e.ParseFlags(fs, args, "influx", "emulator", "script", "time"); err != nil {
		return err
	}
	src, err := docsScript(*script, *emu)
	if err != nil {
		return err
	}
	before, err := emuRequests(*emu)
	if err != nil {
		return err
	}
	code, answer, err := postAny(strings.TrimSuffix(*influx, "/")+"/api/v2/query", "application/vnd.flux", "application/csv", src)
	if err != nil {
		return fmt.Errorf("POST /api/v2/query: %v", err)
	}
	if *save != "" {
		if err := os.WriteFile(*save, answer, 0o644); err != nil {
			return err
		}
	}
	// The query's answer comes after its sends, so every event it sent is
	// on the emulator now.
	after, err := emuRequests(*emu)
	if err != nil {
		return err
	}
	sent, sentErr := checkDocsEvent(newRequests(before, after), time.Unix(*t, 0))
	got, answerErr := checkDocsAnswer(code, answer, *wantErr)
	if err := joinProblems(answerErr, sentErr); err != nil {
		return err
	}
	fmt.Printf("%s\n%s\n", got, sent)
	return nil
}

// joinProblems joins the errors that are not nil into one, or returns nil.
func joinProblems(errs ...error) error {
	var msgs []string
	for _, err := range errs {
		if err != nil {
			msgs = append(msgs, err.Error())
		}
	}
	if len(msgs) == 0 {
		return nil
	}
	return fmt.Errorf("%s", strings.Join(msgs, "\n"))
}

// checkDocsAnswer checks the query's answer: an error containing wantErr,
// or (wantErr empty) one row that carries the stored status and
// sendEventStatus=202.
func checkDocsAnswer(code int, answer []byte, wantErr string) (string, error) {
	if wantErr != "" {
		if code == http.StatusOK || !strings.Contains(string(answer), wantErr) {
			return "", fmt.Errorf("the query answered HTTP %d, want an error containing %q: %s", code, wantErr, answer)
		}
		return fmt.Sprintf("the query answered HTTP %d: %s", code, strings.TrimSpace(string(answer))), nil
	}
	if code != http.StatusOK {
		return "", fmt.Errorf("the query answered HTTP %d, want 200 and a table: %s", code, answer)
	}
	rows, err := e2e.ParseCSV(answer)
	if err != nil {
		return "", err
	}
	if len(rows) != 1 || rows[0]["sendEventStatus"] != "202" || rows[0]["source"] != docsStatus["source"] {
		return "", fmt.Errorf("want one row with sendEventStatus=202 and source=%q; got:\n%s", docsStatus["source"], table(rows))
	}
	return fmt.Sprintf("the query answered one row: sendEventStatus=202 source=%q", rows[0]["source"]), nil
}
