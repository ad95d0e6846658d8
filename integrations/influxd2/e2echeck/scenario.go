package main

// The end-to-end scenario of scripts/influxd2-e2e.sh, all through
// InfluxDB 2.0.0-beta.8's HTTP API:
//
//	setup   onboard (POST /api/v2/setup); a writer posts cpu,host=web-1
//	        usage_user=V every second over /api/v2/write
//	(a)     a task (every 5s) reads a stored alert with from(bucket:) and
//	        sends it with pagerduty.endpoint() (no URL: the server default,
//	        FLUXPD_PAGERDUTY_URL) and a key from secrets.get (an org secret
//	        set with PATCH /api/v2/orgs/ID/secrets): its runs succeed and
//	        each run sent one event with the stored fields (and, in
//	        custom_details, the run's scheduledFor: now())
//	(b)     a threshold check (CRIT above 90), a PagerDuty endpoint and a
//	        rule with status rules CRIT and OK-after-CRIT: V goes 95 then
//	        10; the alert is triggered with InfluxDB's generated fields and
//	        then resolved, under one dedup key; _monitoring's notifications
//	        say _sent=true; the check and the rule last ran successfully
//	(c)     two more rules whose endpoints' keys are wrong: one 32-character
//	        key the receiver refuses (400), one 31-character key: their runs
//	        succeed, _sent is "false", the reason is in InfluxDB's log
//	(d)     the generated OK-after-CRIT rule script is saved (IDs replaced
//	        by the capture's) for flux_test/testdata
//	(e)     an outage (POST /_emulator/outage: 503 to every event) while
//	        pd-rule goes crit and back to ok: both notifications say
//	        _sent=false, "queued for redelivery"; the alert does not change;
//	        after DELETE /_emulator/outage the server's background flusher
//	        delivers trigger then resolve, and the alert ends resolved
//
// InfluxDB runs the task, the check and the rules on wall-clock schedules
// (every 5s); on a busy machine a run may come late. So every step waits
// for the event it needs (a notification recorded, an alert on the
// emulator, a run finished: see runs.go), bounded only by e2e.Limit.

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/fluxpd/fluxpd/integrations/e2e"
)

type runner struct {
	influx, emu, proxy string
	out                string // directory for every answer (checked for keys by the script)
	logFile            string
	token, orgID       string
	client             *http.Client
	passed, failed     int
	n                  int
}

func (s *runner) check(what string, err error) bool {
	if err == nil {
		s.passed++
		fmt.Printf("PASS  %s\n", what)
		return true
	}
	s.failed++
	fmt.Printf("FAIL  %s\n      %s\n", what, strings.ReplaceAll(err.Error(), "\n", "\n      "))
	return false
}

func (s *runner) note(format string, a ...any) {
	fmt.Printf("influxd2-e2e: "+format+"\n", a...)
}

// do sends a request to InfluxDB, saves the answer under out and decodes
// a JSON answer into v (when not nil). Non-2xx answers are errors.
func (s *runner) do(method, path string, body any, v any) error {
	var rd io.Reader
	ctype := "application/json"
	switch b := body.(type) {
	case nil:
	case string:
		rd, ctype = strings.NewReader(b), "text/plain; charset=utf-8"
	default:
		j, err := json.Marshal(b)
		if err != nil {
			return err
		}
		rd = bytes.NewReader(j)
	}
	req, err := http.NewRequest(method, s.influx+path, rd)
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", ctype)
	if s.token != "" {
		req.Header.Set("Authorization", "Token "+s.token)
	}
	resp, err := s.client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return err
	}
	s.n++
	name := strings.NewReplacer("/", "_", "?", "_", "&", "_", "=", "_").Replace(strings.TrimPrefix(path, "/api/v2/"))
	if len(name) > 60 {
		name = name[:60]
	}
	_ = os.WriteFile(filepath.Join(s.out, fmt.Sprintf("%04d-%s-%s.txt", s.n, method, name)), b, 0o644)
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("%s %s: %s: %s", method, path, resp.Status, b)
	}
	if v != nil {
		if err := json.Unmarshal(b, v); err != nil {
			return fmt.Errorf("%s %s: %v: %s", method, path, err, b)
		}
	}
	return nil
}

// query runs Flux through /api/v2/query and returns the CSV rows.
func (s *runner) query(flux string) ([]map[string]string, error) {
	req, _ := http.NewRequest(http.MethodPost, s.influx+"/api/v2/query?orgID="+s.orgID, strings.NewReader(mustJSON(map[string]any{
		"query": flux, "type": "flux",
	})))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/csv")
	req.Header.Set("Authorization", "Token "+s.token)
	resp, err := s.client.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	s.n++
	_ = os.WriteFile(filepath.Join(s.out, fmt.Sprintf("%04d-query.csv", s.n)), b, 0o644)
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("/api/v2/query: %s: %s", resp.Status, b)
	}
	return e2e.ParseCSV(b)
}

func mustJSON(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return string(b)
}

func (s *runner) write(lines string) error {
	return s.do(http.MethodPost, "/api/v2/write?org="+s.orgID+"&bucket=e2e&precision=ns", lines, nil)
}

// events returns the event bodies the receiver got, oldest first.
func (s *runner) events() ([]recorded, []event, error) {
	var recs []recorded
	if err := e2e.GetJSON(s.client, s.proxy+"/_proxy/events", &recs); err != nil {
		return nil, nil, err
	}
	evs := make([]event, len(recs))
	for i, r := range recs {
		_ = json.Unmarshal(r.Event, &evs[i])
	}
	return recs, evs, nil
}

func (s *runner) alerts() ([]e2e.Alert, error) {
	return e2e.Alerts(s.client, s.emu)
}

func scenario(args []string) error {
	fs := flag.NewFlagSet("scenario", flag.ContinueOnError)
	// The client's bound stops a hung request; no answer is expected fast.
	s := &runner{client: &http.Client{Timeout: e2e.Limit()}}
	fs.StringVar(&s.influx, "influx", "", "InfluxDB base URL")
	fs.StringVar(&s.emu, "emulator", "", "emulator base URL")
	fs.StringVar(&s.proxy, "proxy", "", "recording proxy base URL")
	fs.StringVar(&s.out, "out", "", "directory for answers")
	fs.StringVar(&s.logFile, "log", "", "influxd's log file")
	key := fs.String("key", "", "a 32-character routing key the emulator accepts")
	badKey := fs.String("bad-key", "", "a 32-character routing key the receiver refuses")
	shortKey := fs.String("short-key", "", "a 31-character routing key")
	fixture := fs.String("fixture", "", "where to write the generated OK-after-CRIT rule script")
	if err := fs.Parse(args); err != nil {
		return err
	}

	// ------------------------------------------------------------ setup ---
	var setup struct {
		Org    struct{ ID string }    `json:"org"`
		Bucket struct{ ID string }    `json:"bucket"`
		Auth   struct{ Token string } `json:"auth"`
	}
	if !s.check("onboard: POST /api/v2/setup", s.do(http.MethodPost, "/api/v2/setup", map[string]any{
		"username": "admin", "password": "fluxpd-e2e-password", "org": "e2e", "bucket": "e2e", "retentionPeriodHrs": 0,
	}, &setup)) {
		return s.result()
	}
	s.token, s.orgID = setup.Auth.Token, setup.Org.ID

	// What it is: the start-up log line and Flux's runtime.version().
	s.check("influxd's log says version=2.0.0-beta.8+fluxpd", func() error {
		b, err := os.ReadFile(s.logFile)
		if err != nil {
			return err
		}
		if !strings.Contains(string(b), `msg="Welcome to InfluxDB"`) || !strings.Contains(string(b), "version=2.0.0-beta.8+fluxpd ") {
			return fmt.Errorf("no Welcome line with version=2.0.0-beta.8+fluxpd in %s", s.logFile)
		}
		return nil
	}())
	s.check("Flux runtime.version() is v0.65.1+fluxpd", func() error {
		rows, err := s.query("import \"runtime\"\nimport \"csv\"\n" +
			"csv.from(csv: \"#datatype,string,long,string\\n#group,false,false,false\\n#default,_result,,\\n,result,table,k\\n,,0,x\\n\")" +
			" |> map(fn: (r) => ({r with v: runtime.version()}))")
		if err != nil {
			return err
		}
		if len(rows) != 1 || rows[0]["v"] != "v0.65.1+fluxpd" {
			return fmt.Errorf("rows %v", rows)
		}
		return nil
	}())
	s.check("findRecord and findColumn (backported from Flux v0.68) work in queries", s.findBackports())

	// The writer: one cpu point a second with the current usage.
	var usage atomic.Int64
	usage.Store(20)
	stopWriter := make(chan struct{})
	var writerWG sync.WaitGroup
	writerWG.Add(1)
	var writeErrs atomic.Int64
	go func() {
		defer writerWG.Done()
		t := time.NewTicker(time.Second)
		defer t.Stop()
		for {
			if err := s.write(fmt.Sprintf("cpu,host=web-1 usage_user=%d %d", usage.Load(), time.Now().UnixNano())); err != nil {
				if writeErrs.Add(1) == 1 {
					fmt.Fprintf(os.Stderr, "influxd2-e2e: write: %v\n", err)
				}
			}
			select {
			case <-stopWriter:
				return
			case <-t.C:
			}
		}
	}()
	defer func() {
		close(stopWriter)
		writerWG.Wait()
	}()

	// ------------------------------------------------ (b), (c) monitoring ---
	var check struct{ ID string }
	s.check("(b) POST /api/v2/checks: threshold check cpu-high, CRIT above 90, every 5s", s.do(http.MethodPost, "/api/v2/checks", map[string]any{
		"name": "cpu-high", "type": "threshold", "orgID": s.orgID, "status": "active", "every": "5s", "offset": "0s",
		"query": map[string]any{
			"text":     `from(bucket: "e2e") |> range(start: -1m) |> filter(fn: (r) => r._measurement == "cpu" and r._field == "usage_user") |> aggregateWindow(every: 5s, fn: mean)`,
			"editMode": "advanced",
		},
		"statusMessageTemplate": "CPU at ${string(v: r.usage_user)} on ${r.host}",
		"tags":                  []any{},
		"thresholds":            []any{map[string]any{"type": "greater", "level": "CRIT", "value": 90.0, "allValues": false}},
	}, &check))

	clientURL := s.influx + "/client"
	endpoint := func(name, routingKey string) string {
		var ep struct{ ID string }
		s.check("POST /api/v2/notificationEndpoints: pagerduty endpoint "+name, s.do(http.MethodPost, "/api/v2/notificationEndpoints", map[string]any{
			"name": name, "type": "pagerduty", "orgID": s.orgID, "status": "active", "clientURL": clientURL, "routingKey": routingKey,
		}, &ep))
		return ep.ID
	}
	rule := func(name, endpointID string, statusRules ...map[string]string) string {
		var r struct{ ID string }
		s.check("POST /api/v2/notificationRules: pagerduty rule "+name, s.do(http.MethodPost, "/api/v2/notificationRules", map[string]any{
			"name": name, "type": "pagerduty", "orgID": s.orgID, "endpointID": endpointID, "status": "active",
			"every": "5s", "offset": "1s", "messageTemplate": "Check ${r._check_name} is ${r._level}",
			"statusRules": statusRules, "tagRules": []any{},
		}, &r))
		return r.ID
	}
	crit := map[string]string{"currentLevel": "CRIT"}
	okAfterCrit := map[string]string{"currentLevel": "OK", "previousLevel": "CRIT"}
	epID := endpoint("pd-ep", *key)
	ruleID := rule("pd-rule", epID, crit, okAfterCrit)
	badEpID := endpoint("pd-ep-refused", *badKey)
	badRuleID := rule("pd-rule-refused", badEpID, crit)
	shortEpID := endpoint("pd-ep-short", *shortKey)
	shortRuleID := rule("pd-rule-short", shortEpID, crit)

	// Stock beta.8 stores an endpoint's key with PutSecrets, which replaces
	// ALL of the org's secrets (kv.Service.PutSecrets deletes every other
	// key): after creating several endpoints only the last one's key is
	// left. So set every secret once the endpoints exist, with PATCH (which
	// merges), as an operator must on beta.8.
	var secretKeys struct {
		Secrets []string `json:"secrets"`
	}
	if s.check("GET /api/v2/orgs/ID/secrets after creating the endpoints", s.do(http.MethodGet, "/api/v2/orgs/"+s.orgID+"/secrets", nil, &secretKeys)) {
		s.note("secrets left after creating 3 endpoints (stock beta.8 keeps only the last): %v", secretKeys.Secrets)
	}
	s.check("(a), (b), (c) PATCH /api/v2/orgs/ID/secrets sets PD_TASK_KEY and the endpoints' <endpointID>-routing-key",
		s.do(http.MethodPatch, "/api/v2/orgs/"+s.orgID+"/secrets", map[string]string{
			"PD_TASK_KEY":              *key,
			epID + "-routing-key":      *key,
			badEpID + "-routing-key":   *badKey,
			shortEpID + "-routing-key": *shortKey,
		}, nil))

	// (a) the task, created once its secret is set (see above).
	alertTime := time.Now().Add(-time.Minute).UTC().Truncate(time.Second)
	s.check("(a) write the alert the task reads", s.write(fmt.Sprintf(
		`alerts,host=db-1 level="crit",summary="Disk 97%% full on db-1",class="disk",group="storage" %d`, alertTime.UnixNano())))
	taskFlux := `import "pagerduty"
import "influxdata/influxdb/secrets"
import "influxdata/influxdb/v1"

option task = {name: "pd-task", every: 5s}

routingKey = secrets.get(key: "PD_TASK_KEY")

from(bucket: "e2e")
    |> range(start: -1h)
    |> filter(fn: (r) => r._measurement == "alerts")
    |> v1.fieldsAsCols()
    |> pagerduty.endpoint()(mapFn: (r) => ({
        routingKey: routingKey,
        client: "influxd2-e2e",
        clientURL: "http://127.0.0.1/task",
        class: r.class,
        group: r.group,
        severity: pagerduty.severityFromLevel(level: r.level),
        eventAction: pagerduty.actionFromLevel(level: r.level),
        component: "disk",
        source: r.host,
        summary: r.summary,
        timestamp: r._time,
        customDetails: {scheduledFor: string(v: now())},
    }))()
`
	var task struct{ ID string }
	taskDone := func() {}
	if s.check("(a) POST /api/v2/tasks (every: 5s, endpoint() without url, key from secrets.get)",
		s.do(http.MethodPost, "/api/v2/tasks", map[string]any{"orgID": s.orgID, "status": "active", "flux": taskFlux}, &task)) {
		// Checked (and the task stopped) before the outage of (e).
		taskDone = sync.OnceFunc(func() { s.taskResult(task.ID, alertTime) })
		defer taskDone()
	}

	// (d) the generated rule script, with the capture's IDs.
	var q struct {
		Flux string `json:"flux"`
	}
	if s.check("(d) GET /api/v2/notificationRules/ID/query", s.do(http.MethodGet, "/api/v2/notificationRules/"+ruleID+"/query", nil, &q)) && *fixture != "" {
		script := strings.NewReplacer(epID, "11b9de24fe980000", ruleID, "11b9de2e0e980000", clientURL, "http://127.0.0.1:18781/client").Replace(q.Flux)
		if !strings.HasSuffix(script, "\n") {
			script += "\n"
		}
		s.check("(d) the generated rule script uses monitor.stateChanges and is saved", func() error {
			if !strings.Contains(script, `monitor["stateChanges"](fromLevel: "crit", toLevel: "ok")`) {
				return fmt.Errorf("no stateChanges(fromLevel: crit, toLevel: ok) in:\n%s", script)
			}
			return os.WriteFile(*fixture, []byte(script), 0o644)
		}())
	}

	// Critical, then back to normal.
	s.note("(b) usage_user = 95 (critical)")
	critFrom := time.Now()
	usage.Store(95)
	var key1 string
	s.check("(b) the emulator has the pd-rule alert triggered", e2e.Until("pd-rule's trigger to reach the receiver", func() error {
		_, evs, err := s.events()
		if err != nil {
			return err
		}
		for _, e := range evs {
			if e.Payload != nil && e.Payload.Source == "pd-rule" && e.EventAction == "trigger" {
				key1 = e.DedupKey
				return nil
			}
		}
		return fmt.Errorf("no trigger from pd-rule; events: %s", e2e.Pretty(evs))
	}))
	// Let the refused rules run at least once while critical.
	s.check("(c) the refused and short-key rules ran while critical", e2e.Until("a notification of pd-rule-refused and of pd-rule-short in _monitoring", func() error {
		for _, id := range []string{badRuleID, shortRuleID} {
			rows, err := s.query(`from(bucket: "_monitoring") |> range(start: -1h) |> filter(fn: (r) => r._measurement == "notifications" and r._notification_rule_id == "` + id + `")`)
			if err != nil {
				return err
			}
			if len(rows) == 0 {
				return fmt.Errorf("no notification of rule %s (pd-rule-refused %s, pd-rule-short %s) yet", id, badRuleID, shortRuleID)
			}
		}
		return nil
	}))
	s.note("(b) usage_user = 10 (back to normal)")
	usage.Store(10)
	var alert e2e.Alert
	resolved := fmt.Errorf("no alert to resolve: pd-rule's trigger never came")
	if key1 != "" {
		resolved = e2e.Until("pd-rule's resolve to reach the emulator", func() error {
			as, err := s.alerts()
			if err != nil {
				return err
			}
			for _, a := range as {
				if a.DedupKey == key1 {
					alert = a
					if a.Status == "resolved" {
						return nil
					}
					return fmt.Errorf("alert %q is %s: %s", key1, a.Status, e2e.Pretty(a))
				}
			}
			return fmt.Errorf("no alert with dedup key %q: %s", key1, e2e.Pretty(as))
		})
		if resolved != nil {
			resolved = fmt.Errorf("%w%s", resolved, s.missedTransition(ruleID, critFrom))
		}
	}
	s.check("(b) the emulator has the pd-rule alert resolved (OK after CRIT)", resolved)
	usage.Store(20)

	// The generated fields.
	statuses, err := s.query(`import "influxdata/influxdb/monitor"
monitor.from(start: -1h) |> filter(fn: (r) => r._check_name == "cpu-high")`)
	s.check("(b) _monitoring has the check's statuses", err)
	critMessages := map[string]bool{}
	critTimes := map[string]bool{}
	for _, r := range statuses {
		if r["_level"] == "crit" {
			critMessages[r["_message"]] = true
			if ns, err := strconv.ParseInt(r["_source_timestamp"], 10, 64); err == nil {
				critTimes[time.Unix(0, ns).UTC().Format(time.RFC3339Nano)] = true
			}
		}
	}
	recs, evs, err := s.events()
	s.check("(b) the receiver's event log", err)
	var ruleEvents []event
	keys := map[string]bool{}
	for _, e := range evs {
		if e.Payload != nil && e.Payload.Source == "pd-rule" || e.DedupKey == key1 && key1 != "" {
			ruleEvents = append(ruleEvents, e)
			keys[e.DedupKey] = true
		}
	}
	s.check("(b) every pd-rule event has one dedup key, and the alert went trigger... then resolve", func() error {
		if len(keys) != 1 {
			return fmt.Errorf("%d dedup keys: %v\nevents: %s", len(keys), keys, e2e.Pretty(ruleEvents))
		}
		actions := e2e.Actions(alert.History)
		if len(actions) < 2 || actions[0] != "trigger" || actions[len(actions)-1] != "resolve" {
			return fmt.Errorf("history %v\nalert: %s", actions, e2e.Pretty(alert))
		}
		fmt.Printf("      dedup key %q: %s\n", key1, strings.Join(actions, ","))
		return nil
	}())
	s.check("(b) the trigger carries InfluxDB's generated fields (class = check name, source = rule name, summary = status message, timestamp = _source_timestamp, client, client_url, group)", func() error {
		var problems []string
		n := 0
		for _, e := range ruleEvents {
			if e.EventAction != "trigger" || e.Payload == nil {
				continue
			}
			n++
			p := e.Payload
			want := func(what, got, want string) {
				if got != want {
					problems = append(problems, fmt.Sprintf("%s is %q, want %q", what, got, want))
				}
			}
			want("class", p.Class, "cpu-high")
			want("source", p.Source, "pd-rule")
			want("severity", p.Severity, "critical")
			want("group", p.Group, "cpu")
			want("client", e.Client, "influxdata")
			want("client_url", e.ClientURL, clientURL)
			if !critMessages[p.Summary] {
				problems = append(problems, fmt.Sprintf("summary %q is not the _message of a crit status (%v)", p.Summary, critMessages))
			}
			ts, err := time.Parse(time.RFC3339Nano, p.Timestamp)
			if err != nil || !critTimes[ts.UTC().Format(time.RFC3339Nano)] {
				problems = append(problems, fmt.Sprintf("timestamp %q is not the _source_timestamp of a crit status (%v)", p.Timestamp, critTimes))
			}
		}
		if n == 0 {
			problems = append(problems, "no trigger")
		}
		if len(problems) > 0 {
			return fmt.Errorf("%s\nevents: %s", strings.Join(problems, "\n"), e2e.Pretty(ruleEvents))
		}
		fmt.Printf("      %d triggers checked\n", n)
		return nil
	}())

	notifications := func(id string) ([]map[string]string, error) {
		return s.query(`from(bucket: "_monitoring") |> range(start: -1h) |> filter(fn: (r) => r._measurement == "notifications" and r._notification_rule_id == "` + id + `") |> filter(fn: (r) => r._field == "_message")`)
	}
	sentIs := func(id, want string) error {
		rows, err := notifications(id)
		if err != nil {
			return err
		}
		if len(rows) == 0 {
			return fmt.Errorf("no notifications of rule %s", id)
		}
		for _, r := range rows {
			if r["_sent"] != want {
				return fmt.Errorf("a notification has _sent=%q, want %q: %v", r["_sent"], want, r)
			}
		}
		fmt.Printf("      %d notifications, all _sent=%s\n", len(rows), want)
		return nil
	}
	// A rule run writes its notifications after its sends: wait for the
	// records of the trigger and the resolve that reached the emulator.
	var recorded error
	if resolved == nil {
		recorded = e2e.Until("pd-rule's notifications of its trigger (crit) and its resolve (ok) in _monitoring", func() error {
			rows, err := notifications(ruleID)
			if err != nil {
				return err
			}
			levels := map[string]int{}
			for _, r := range rows {
				levels[r["_level"]]++
			}
			if levels["crit"] == 0 || levels["ok"] == 0 {
				return fmt.Errorf("pd-rule's notifications by level: %v", levels)
			}
			return nil
		})
	}
	s.check(`(b) _monitoring notifications of pd-rule all have _sent = "true"`, joinErrs(recorded, sentIs(ruleID, "true")))
	lastRun := func(kind, id string) error {
		var v struct {
			LastRunStatus string `json:"lastRunStatus"`
			LastRunError  string `json:"lastRunError"`
		}
		if err := s.do(http.MethodGet, "/api/v2/"+kind+"/"+id, nil, &v); err != nil {
			return err
		}
		if v.LastRunStatus != "success" {
			return fmt.Errorf("lastRunStatus %q, lastRunError %q%s", v.LastRunStatus, v.LastRunError, s.failedRuns(id))
		}
		return nil
	}
	s.check("(b) the check's lastRunStatus is success", lastRun("checks", check.ID))
	s.check("(b) pd-rule's lastRunStatus is success", lastRun("notificationRules", ruleID))

	// (c) wrong keys.
	s.check(`(c) pd-rule-refused (key refused with 400): runs succeed, _sent = "false"`,
		joinErrs(lastRun("notificationRules", badRuleID), sentIs(badRuleID, "false")))
	s.check(`(c) pd-rule-short (31-character key): runs succeed, _sent = "false"`,
		joinErrs(lastRun("notificationRules", shortRuleID), sentIs(shortRuleID, "false")))
	refused := 0
	for _, r := range recs {
		if r.Rejected {
			refused++
		}
	}
	s.check("(c) the refused key's events reached the receiver and were answered 400", func() error {
		if refused == 0 {
			return fmt.Errorf("none")
		}
		return nil
	}())
	logText, _ := os.ReadFile(s.logFile)
	s.check("(c) InfluxDB's log has the reason of the 400 (PagerDuty's message and errors)", func() error {
		for _, l := range strings.Split(string(logText), "\n") {
			if strings.Contains(l, "400") && strings.Contains(l, "Invalid routing key") {
				fmt.Printf("      %s\n", l)
				return nil
			}
		}
		return fmt.Errorf("no line with 400 and PagerDuty's reason in %s", s.logFile)
	}())
	s.check("(c) InfluxDB's log or the notification says why the 31-character key was not sent", func() error {
		for _, l := range strings.Split(string(logText), "\n") {
			if strings.Contains(l, "routingKey") || strings.Contains(l, "routing_key") {
				fmt.Printf("      log: %s\n", l)
				return nil
			}
		}
		rows, err := s.query(`from(bucket: "_monitoring") |> range(start: -1h) |> filter(fn: (r) => r._measurement == "notifications" and r._notification_rule_id == "` + shortRuleID + `") |> filter(fn: (r) => r._field == "_body") |> last()`)
		if err != nil {
			return err
		}
		var bodies []string
		for _, r := range rows {
			bodies = append(bodies, r["_value"])
		}
		return fmt.Errorf("no line about the routing key in %s (a send refused before it is made is not reported to the host); the notification's _body: %q", s.logFile, bodies)
	}())
	// (c) is done: stop its rules, so that InfluxDB, which runs every task
	// in turn, has fewer runs to catch up with on a busy machine.
	for _, id := range []string{badRuleID, shortRuleID} {
		s.check("(c) PATCH /api/v2/notificationRules/ID status inactive", s.do(http.MethodPatch, "/api/v2/notificationRules/"+id, map[string]any{"status": "inactive"}, nil))
	}

	// (a) ends here: its sends must not meet the outage.
	taskDone()

	// (e) an outage: pd-rule goes critical and back to normal while
	// PagerDuty (the emulator) answers 503; both events wait in the
	// server's outbox, the resolve behind its trigger; once the outage
	// ends the background flusher delivers them in order.
	if key1 != "" {
		s.outage(ruleID, key1, usage.Store)
	}

	if n := writeErrs.Load(); n > 0 {
		s.check("every write succeeded", fmt.Errorf("%d writes failed", n))
	}
	return s.result()
}

// emulator sends a request to the emulator's control API.
func (s *runner) emulator(method, path, body string) error {
	req, err := http.NewRequest(method, s.emu+path, strings.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := s.client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("%s %s: %s: %s", method, path, resp.Status, b)
	}
	return nil
}

// outage is part (e), for pd-rule (ruleID), whose alert has dedup key key;
// set sets the usage the writer writes.
func (s *runner) outage(ruleID, key string, set func(int64)) {
	// history returns the latest alert with the dedup key and how many
	// there are (a trigger after a resolve opens a new alert, as in
	// PagerDuty).
	history := func() (e2e.Alert, int, error) {
		as, err := s.alerts()
		if err != nil {
			return e2e.Alert{}, 0, err
		}
		var last e2e.Alert
		n := 0
		for _, a := range as {
			if a.DedupKey == key {
				last, n = a, n+1
			}
		}
		if n == 0 {
			return e2e.Alert{}, 0, fmt.Errorf("no alert with dedup key %q", key)
		}
		return last, n, nil
	}
	// Late runs of pd-rule may still send (b)'s events (a run reads the
	// statuses written from 5s before its tick up to when it runs, and runs
	// overlap on a busy machine): start the outage once pd-rule is quiet.
	s.check("(e) pd-rule is quiet before the outage (its runs scheduled in the 10s after its last notification sent nothing)", func() error {
		taskID, err := s.taskOf("pd-rule", ruleID)
		if err != nil {
			return err
		}
		return s.quiet("pd-rule", ruleID, taskID)
	}())
	before, k0, err := history()
	if !s.check("(e) the pd-rule alert before the outage", err) {
		return
	}
	n0 := len(before.History)
	start := time.Now().UTC()
	// The test ends the outage itself (DELETE below) once both
	// notifications are queued, each awaited for at most Limit: "for" only
	// ends it should the test die first.
	outageFor := 3 * e2e.Limit()
	if !s.check(fmt.Sprintf(`(e) POST /_emulator/outage {"for":"%s"}: the emulator answers 503 to every event`, outageFor),
		s.emulator(http.MethodPost, "/_emulator/outage", fmt.Sprintf(`{"for":%q}`, outageFor))) {
		return
	}
	defer s.emulator(http.MethodDelete, "/_emulator/outage", "")
	// queued waits for a pd-rule notification at level lvl since the
	// outage began with _sent = "false" and a body saying it was queued.
	var critAt string // _time of the first queued crit notification (RFC3339Nano sorts as text)
	queued := func(lvl string) error {
		return e2e.Until("pd-rule's "+lvl+" notification, queued for redelivery, in _monitoring", func() error {
			rows, err := s.query(`from(bucket: "_monitoring") |> range(start: ` + start.Format(time.RFC3339Nano) + `) |> filter(fn: (r) => r._measurement == "notifications" and r._notification_rule_id == "` + ruleID + `" and r._field == "_body" and r._level == "` + lvl + `")`)
			if err != nil {
				return err
			}
			var seen []string
			for _, r := range rows {
				if r["_sent"] == "false" && strings.Contains(r["_value"], "queued") && strings.Contains(r["_value"], "redelivery") && r["_time"] > critAt {
					fmt.Printf("      %s notification at %s: _sent=false, _body %q\n", lvl, r["_time"], r["_value"])
					if lvl == "crit" {
						critAt = r["_time"]
					}
					return nil
				}
				seen = append(seen, fmt.Sprintf("_sent=%s _body=%q", r["_sent"], r["_value"]))
			}
			return fmt.Errorf("no %s notification of pd-rule with _sent=false and a body saying it was queued for redelivery since the outage began; rows: %v", lvl, seen)
		})
	}
	s.note("(e) usage_user = 95 (critical) during the outage")
	set(95)
	s.check(`(e) pd-rule's crit notification during the outage: _sent = "false", queued for redelivery`, queued("crit"))
	s.note("(e) usage_user = 10 (back to normal) during the outage")
	set(10)
	okQueued := queued("ok")
	if okQueued != nil {
		okQueued = fmt.Errorf("%w%s", okQueued, s.missedTransition(ruleID, start))
	}
	s.check(`(e) pd-rule's ok notification during the outage, after the crit one: _sent = "false", queued (behind the trigger)`, okQueued)
	set(20)
	during, k1, err := history()
	s.check("(e) the emulator's alert did not change during the outage", func() error {
		if err != nil {
			return err
		}
		if k1 != k0 || len(during.History) != n0 || during.Status != "resolved" {
			return fmt.Errorf("alert changed during the outage: %s", e2e.Pretty(during))
		}
		return nil
	}())
	ended := time.Now()
	if !s.check("(e) DELETE /_emulator/outage: PagerDuty is back", s.emulator(http.MethodDelete, "/_emulator/outage", "")) {
		return
	}
	var after e2e.Alert
	s.check("(e) the background flusher delivers the queued events in order: trigger, then resolve; the alert ends resolved", e2e.Until("the outbox's trigger and resolve to reach the emulator", func() error {
		a, k, err := history()
		if err != nil {
			return err
		}
		after = a
		newEvents := a.History
		if k == k0 { // the same alert: what came after the outage began
			newEvents = a.History[min(n0, len(a.History)):]
		}
		actions := e2e.Actions(newEvents)
		if len(actions) < 2 || actions[0] != "trigger" || actions[len(actions)-1] != "resolve" || a.Status != "resolved" {
			return fmt.Errorf("the alert's new history is %v (want trigger ... resolve), status %s: %s", actions, a.Status, e2e.Pretty(a))
		}
		if k > k0 {
			fmt.Printf("      the trigger after the resolve of (b) opened a new alert under the same dedup key, as in PagerDuty\n")
		}
		fmt.Printf("      delivered %.1fs after the outage ended: %s\n", time.Since(ended).Seconds(), strings.Join(actions, ","))
		return nil
	}))
	_ = after
	// The flusher logs a delivery after PagerDuty's answer: wait for it.
	s.check("(e) InfluxDB's log has the outbox's queued and delivered lines", e2e.Until("the outbox's queued and delivered lines in "+s.logFile, func() error {
		logText, err := os.ReadFile(s.logFile)
		if err != nil {
			return err
		}
		var q, d string
		for _, l := range strings.Split(string(logText), "\n") {
			if !strings.Contains(l, "outbox: ") {
				continue
			}
			if q == "" && strings.Contains(l, "outbox: queued") {
				q = l
			}
			if d == "" && strings.Contains(l, "outbox: delivered") {
				d = l
			}
		}
		if q == "" || d == "" {
			return fmt.Errorf("queued line %q, delivered line %q in %s", q, d, s.logFile)
		}
		fmt.Printf("      %s\n      %s\n", q, d)
		return nil
	}))
}

func joinErrs(errs ...error) error {
	var msgs []string
	for _, e := range errs {
		if e != nil {
			msgs = append(msgs, e.Error())
		}
	}
	if len(msgs) == 0 {
		return nil
	}
	return fmt.Errorf("%s", strings.Join(msgs, "\n"))
}

// taskResult runs before part (e) (the task has run through (b) and (c)):
// once the task has finished at least 3 runs, stop it, wait until what it
// did has settled (see settled), then compare its successful runs with
// the events sent.
func (s *runner) taskResult(id string, alertTime time.Time) {
	s.check("(a) the task has finished at least 3 runs", s.finishedRuns("pd-task", id, 3))
	s.check("(a) PATCH /api/v2/tasks/ID status inactive", s.do(http.MethodPatch, "/api/v2/tasks/"+id, map[string]any{"status": "inactive"}, nil))
	var v taskView
	err := e2e.Until("pd-task to settle: no run in progress, and every event it sent from a listed run", func() error {
		var err error
		v, err = s.settled(id)
		return err
	})
	ok := 0
	var statuses []string
	for _, r := range v.runs {
		statuses = append(statuses, r.Status)
		if r.Status == "success" {
			ok++
		}
	}
	s.check("(a) the task's runs all succeeded (at least 3)", func() error {
		if err != nil {
			return err
		}
		if ok < 3 || ok != len(v.runs) {
			var logs any
			_ = s.do(http.MethodGet, "/api/v2/tasks/"+id+"/logs", nil, &logs)
			return fmt.Errorf("runs: %v\nlogs: %s", statuses, e2e.Pretty(logs))
		}
		fmt.Printf("      %d runs: %v\n", ok, statuses)
		return nil
	}())
	mine := v.events
	s.check("(a) the receiver got one event per successful run, with the stored fields, at the server's default URL", func() error {
		if err != nil {
			return err
		}
		if len(mine) != ok {
			return fmt.Errorf("%d events for %d successful runs: %s", len(mine), ok, e2e.Pretty(mine))
		}
		for _, e := range mine {
			p := e.Payload
			if e.EventAction != "trigger" || p.Severity != "critical" || p.Summary != "Disk 97% full on db-1" ||
				p.Class != "disk" || p.Group != "storage" || p.Component != "disk" || e.Client != "influxd2-e2e" {
				return fmt.Errorf("unexpected event: %s", e2e.Pretty(e))
			}
			if ts, err := time.Parse(time.RFC3339Nano, p.Timestamp); err != nil || !ts.Equal(alertTime) {
				return fmt.Errorf("timestamp %q, want %s", p.Timestamp, alertTime.Format(time.RFC3339))
			}
		}
		fmt.Printf("      %d events\n", len(mine))
		return nil
	}())
	s.check("(a) the emulator shows them as one alert", func() error {
		if err != nil {
			return err
		}
		n := 0
		for _, a := range v.alerts {
			if a.Source == "db-1" {
				n++
				if a.Count != len(mine) || a.Status != "triggered" {
					return fmt.Errorf("alert %s", e2e.Pretty(a))
				}
			}
		}
		if n != 1 {
			return fmt.Errorf("%d alerts from db-1: %s", n, e2e.Pretty(v.alerts))
		}
		return nil
	}())
}

func (s *runner) result() error {
	fmt.Printf("\n%d passed, %d failed\n", s.passed, s.failed)
	if s.failed > 0 {
		return fmt.Errorf("%d of %d checks failed", s.failed, s.passed+s.failed)
	}
	return nil
}
