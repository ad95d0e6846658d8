package main

// Part (g): the documentation's second pagerduty.sendEvent example, as
// examples/influxdb/ holds it, run through InfluxDB 1.8's /api/v2/query
// against a stored status: docsWrite writes the status the example reads
// into database example-bucket; docsRun runs an example with its
// PagerDuty URL pointed at the emulator and checks that the emulator got
// exactly one event, carrying the stored status, and the query's answer.

import (
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/fluxpd/fluxpd/integrations/e2e"
)

// docsBucket is the example's bucket: in InfluxDB 1.8 the database of that
// name, read through its default retention policy.
const docsBucket = "example-bucket"

// docsURL is the PagerDuty URL the example names; docsRun replaces it
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

func (s *runner) partG() {
	s.Say("(g) the documentation's second sendEvent example (findRecord), from examples/influxdb/")
	t := time.Now().Unix()
	seen, err := s.docsWrite(t)
	s.CheckSeen("(g) write a status with the fields the example reads into database example-bucket", seen, err)
	seen, err = s.docsRun("docs_find_record.flux", t, "this Flux script returns no streaming data")
	s.CheckSeen("(g) the example sends the stored status once; InfluxDB 1.8 answers 'no streaming data'", seen, err)
	seen, err = s.docsRun("docs_find_record_table.flux", t, "")
	s.CheckSeen("(g) ending with a table, it sends once and returns the row with sendEventStatus=202", seen, err)
}

// docsWrite creates database example-bucket and writes the status the
// example reads at unix second t.
func (s *runner) docsWrite(t int64) (string, error) {
	if err := s.influxql("", fmt.Sprintf("CREATE DATABASE %q", docsBucket)); err != nil {
		return "", err
	}
	line := docsLine(t)
	if err := s.write(docsBucket, line); err != nil {
		return "", err
	}
	return fmt.Sprintf("database %s: %s", docsBucket, line), nil
}

// docsScript reads the example file and points its PagerDuty URL at the
// emulator.
func (s *runner) docsScript(file string) (string, error) {
	b, err := os.ReadFile(filepath.Join(s.examples, file))
	if err != nil {
		return "", err
	}
	src := string(b)
	if n := strings.Count(src, docsURL); n != 1 {
		return "", fmt.Errorf("%s names %s %d times, want once (it is replaced by the emulator's URL)", file, docsURL, n)
	}
	return strings.Replace(src, docsURL, strconv.Quote(strings.TrimSuffix(s.emu.URL, "/")+"/v2/enqueue"), 1), nil
}

// docsRun runs the example file against the status stored at unix second
// t and checks what the emulator got and the answer: an error containing
// wantErr or, with wantErr empty, one row with sendEventStatus=202.
func (s *runner) docsRun(file string, t int64, wantErr string) (string, error) {
	src, err := s.docsScript(file)
	if err != nil {
		return "", err
	}
	before, err := s.emu.Requests()
	if err != nil {
		return "", err
	}
	code, answer, err := s.fluxAnswer("g-"+strings.TrimSuffix(file, ".flux"), src)
	if err != nil {
		return "", err
	}
	// The query's answer comes after its sends, so every event it sent is
	// on the emulator now.
	after, err := s.emu.Requests()
	if err != nil {
		return "", err
	}
	sent, sentErr := checkDocsEvent(e2e.After(after, e2e.LastID(before)), time.Unix(t, 0))
	got, answerErr := checkDocsAnswer(code, answer, wantErr)
	if err := joinProblems(answerErr, sentErr); err != nil {
		return "", err
	}
	return got + "\n" + sent, nil
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
		return "", fmt.Errorf("want one row with sendEventStatus=202 and source=%q; got:\n%s", docsStatus["source"], e2e.Rows(rows))
	}
	return fmt.Sprintf("the query answered one row: sendEventStatus=202 source=%q", rows[0]["source"]), nil
}
