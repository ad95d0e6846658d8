package pagerduty_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	neturl "net/url"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/influxdata/flux"
	"github.com/influxdata/flux/dependencies/url"

	"github.com/fluxpd/fluxpd/fluxrun"
	"github.com/fluxpd/fluxpd/internal/emulator"
	"github.com/fluxpd/fluxpd/internal/emulator/emulatortest"
	"github.com/fluxpd/fluxpd/internal/testwait"
	"github.com/fluxpd/fluxpd/internal/version"
	_ "github.com/fluxpd/fluxpd/stdlib/builtin" // the Flux stdlib with our pagerduty; starts Flux once per test binary
	"github.com/fluxpd/fluxpd/stdlib/pagerduty"
)

// canaryKey is the routing key of every test: distinctive enough to be
// found in any text it leaks into.
const canaryKey = "LEAKCANARY0123456789abcdefLEAK00"

// args are arguments of pagerduty.sendEvent, as Flux expressions.
type args map[string]string

// fluxString quotes s as a Flux string literal.
func fluxString(s string) string {
	return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(s) + `"`
}

// triggerArgs returns the arguments of a valid minimal trigger sent to url.
func triggerArgs(url string) args {
	return args{
		"pagerdutyURL": fluxString(url), "routingKey": fluxString(canaryKey),
		"client": `""`, "clientURL": `""`, "dedupKey": `""`, "class": `""`, "group": `""`,
		"severity": `"critical"`, "eventAction": `"trigger"`, "source": `"db01.example.com"`,
		"summary": `"disk full"`, "timestamp": `""`,
	}
}

// with returns a copy of a with kv, pairs of name and Flux expression, set.
// An empty expression removes the argument.
func (a args) with(kv ...string) args {
	out := make(args, len(a)+len(kv)/2)
	for k, v := range a {
		out[k] = v
	}
	for i := 0; i+1 < len(kv); i += 2 {
		if kv[i+1] == "" {
			delete(out, kv[i])
		} else {
			out[kv[i]] = kv[i+1]
		}
	}
	return out
}

// call renders a call of pagerduty.fn with a, arguments in name order.
func call(fn string, a args) string {
	names := make([]string, 0, len(a))
	for k := range a {
		names = append(names, k)
	}
	sort.Strings(names)
	parts := make([]string, len(names))
	for i, k := range names {
		parts[i] = k + ": " + a[k]
	}
	return "pagerduty." + fn + "(" + strings.Join(parts, ", ") + ")"
}

// script returns a Flux script that imports pagerduty and runs lines.
func script(lines ...string) string {
	return "import \"pagerduty\"\n\n" + strings.Join(lines, "\n") + "\n"
}

// run runs src the way the fluxpd command does, with validator (nil means
// url.PassValidator) and a fresh HTTP client, and returns what it printed.
// Its context ends only at testwait.Limit, a bound against hangs.
func run(t testing.TB, validator url.Validator, now time.Time, src string) (string, error) {
	t.Helper()
	if validator == nil {
		validator = url.PassValidator{}
	}
	var buf bytes.Buffer
	r := fluxrun.Runner{Check: pagerduty.CheckScript, Prepare: pagerduty.WithScript,
		Deps:   flux.Deps{Deps: flux.WrappedDeps{HTTPClient: &http.Client{}, URLValidator: validator}},
		Now:    now,
		Values: &buf,
	}
	ctx, cancel := context.WithTimeout(context.Background(), testwait.Limit())
	defer cancel()
	err := r.Run(ctx, t.Name(), src)
	return buf.String(), err
}

// mustRun runs src and fails the test if it fails.
func mustRun(t testing.TB, now time.Time, src string) string {
	t.Helper()
	out, err := run(t, nil, now, src)
	if err != nil {
		t.Fatalf("running the script failed: %v\nscript:\n%s", err, src)
	}
	return out
}

// decodeBody decodes a JSON object, keeping numbers exact.
func decodeBody(t *testing.T, body string) map[string]any {
	t.Helper()
	dec := json.NewDecoder(strings.NewReader(body))
	dec.UseNumber()
	var m map[string]any
	if err := dec.Decode(&m); err != nil {
		t.Fatalf("decoding the request body %s: %v", body, err)
	}
	return m
}

// rawDetails returns payload.custom_details exactly as sent.
func rawDetails(t *testing.T, body string) string {
	t.Helper()
	var ev struct {
		Payload struct {
			CustomDetails json.RawMessage `json:"custom_details"`
		} `json:"payload"`
	}
	if err := json.Unmarshal([]byte(body), &ev); err != nil {
		t.Fatalf("decoding the request body %s: %v", body, err)
	}
	return string(ev.Payload.CustomDetails)
}

// PagerDuty's answer to an invalid event, from its Events API v2
// documentation.
const invalidBody = `{"status":"invalid event","message":"Event object is invalid","errors":["'payload.source' is missing or blank"]}`

// times returns n copies of f: a fault that outlasts every retry.
func times(n int, f emulator.Fault) []emulator.Fault {
	out := make([]emulator.Fault, n)
	for i := range out {
		out[i] = f
	}
	return out
}

// newEmulator starts a PagerDuty emulator with faults queued: the first
// requests get the faults, one each, and later ones the emulator's answer.
func newEmulator(t *testing.T, faults ...emulator.Fault) *emulator.Server {
	t.Helper()
	emu := emulatortest.New(t)
	emu.Inject(faults...)
	return emu
}

// checkOneEvent checks that emu received exactly one request, a POST to
// /v2/enqueue with the headers every event carries, and returns its body.
func checkOneEvent(t *testing.T, emu *emulator.Server) string {
	t.Helper()
	reqs := emu.Requests()
	if len(reqs) != 1 {
		t.Fatalf("receiver got %d requests, want 1", len(reqs))
	}
	r := reqs[0]
	got := map[string]string{
		"method": r.Method, "path": r.Path,
		"Content-Type": r.Header.Get("Content-Type"), "Accept": r.Header.Get("Accept"), "User-Agent": r.Header.Get("User-Agent"),
	}
	want := map[string]string{
		"method": "POST", "path": "/v2/enqueue",
		"Content-Type": "application/json", "Accept": "application/vnd.pagerduty+json;version=2", "User-Agent": "fluxpd/" + version.Version,
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("request line and headers mismatch (-want +got):\n%s", diff)
	}
	return string(r.Body)
}

// fullDetails is a customDetails record with every kind of value.
const fullDetails = `{
    "ping time": "1500ms",
    load: 0.75,
    count: 42,
    negative: -7,
    big: uint(v: "18446744073709551615"),
    ok: true,
    down: false,
    checked: 2016-07-17T10:42:58.123+02:00,
    outage: 1h30m,
    host: {name: "db01", "disk usage": [0.5, 0.99], tags: {env: "prod"}},
    disks: [{dev: "sda", used: 50}, {dev: "sdb", used: 99}],
    pattern: /disk[0-9]+/,
    raw: bytes(v: "<raw> & co"),
}`

// fullDetailsJSON is fullDetails as sent, in the order written.
const fullDetailsJSON = `{"ping time":"1500ms","load":0.75,"count":42,"negative":-7,"big":18446744073709551615,` +
	`"ok":true,"down":false,"checked":"2016-07-17T08:42:58.123Z","outage":"1h30m",` +
	`"host":{"name":"db01","disk usage":[0.5,0.99],"tags":{"env":"prod"}},` +
	`"disks":[{"dev":"sda","used":50},{"dev":"sdb","used":99}],"pattern":"disk[0-9]+","raw":"<raw> & co"}`

func TestSendEvent_Body(t *testing.T) {
	num := func(s string) json.Number { return json.Number(s) }
	minimalPayload := func(kv ...any) map[string]any {
		p := map[string]any{"summary": "disk full", "source": "db01.example.com", "severity": "critical"}
		for i := 0; i+1 < len(kv); i += 2 {
			p[kv[i].(string)] = kv[i+1]
		}
		return p
	}
	fullArgs := func(url string) args {
		return triggerArgs(url).with(
			"client", `"Sample Monitoring Service"`, "clientURL", `"https://monitoring.example.com"`,
			"dedupKey", `"srv01/HTTP"`, "class", `"disk"`, "group", `"prod-datapipe"`, "component", `"mysql"`,
			"severity", `"error"`, "summary", `"DISK at 99% on <db01> & friends"`,
			"timestamp", `"2016-07-17T08:42:58.315+0000"`, "customDetails", fullDetails,
		)
	}
	tests := []struct {
		name        string
		args        func(url string) args
		now         time.Time
		want        map[string]any
		wantDetails string // payload.custom_details byte for byte; "" skips the check
	}{
		{
			name: "full trigger",
			args: fullArgs,
			want: map[string]any{
				"routing_key": canaryKey, "event_action": "trigger", "dedup_key": "srv01/HTTP",
				"client": "Sample Monitoring Service", "client_url": "https://monitoring.example.com",
				"payload": map[string]any{
					"summary": "DISK at 99% on <db01> & friends", "source": "db01.example.com", "severity": "error",
					"timestamp": "2016-07-17T08:42:58.315+0000", "component": "mysql", "group": "prod-datapipe", "class": "disk",
					"custom_details": map[string]any{
						"ping time": "1500ms", "load": num("0.75"), "count": num("42"), "negative": num("-7"),
						"big": num("18446744073709551615"), "ok": true, "down": false,
						"checked": "2016-07-17T08:42:58.123Z", "outage": "1h30m",
						"host":    map[string]any{"name": "db01", "disk usage": []any{num("0.5"), num("0.99")}, "tags": map[string]any{"env": "prod"}},
						"disks":   []any{map[string]any{"dev": "sda", "used": num("50")}, map[string]any{"dev": "sdb", "used": num("99")}},
						"pattern": "disk[0-9]+", "raw": "<raw> & co",
					},
				},
			},
			wantDetails: fullDetailsJSON,
		},
		{
			name: "minimal trigger leaves out empty strings, timestamp and details",
			args: triggerArgs,
			want: map[string]any{"routing_key": canaryKey, "event_action": "trigger", "payload": minimalPayload()},
		},
		{
			name: "empty customDetails and component left out",
			args: func(url string) args { return triggerArgs(url).with("customDetails", "{}", "component", `""`) },
			want: map[string]any{"routing_key": canaryKey, "event_action": "trigger", "payload": minimalPayload()},
		},
		{
			name:        "empty nested record kept",
			args:        func(url string) args { return triggerArgs(url).with("customDetails", `{a: {}, b: [{}]}`) },
			want:        map[string]any{"routing_key": canaryKey, "event_action": "trigger", "payload": minimalPayload("custom_details", map[string]any{"a": map[string]any{}, "b": []any{map[string]any{}}})},
			wantDetails: `{"a":{},"b":[{}]}`,
		},
		{
			// Complete, valid payload fields go with an acknowledge too.
			name: "acknowledge carries the payload",
			args: func(url string) args {
				return triggerArgs(url).with("eventAction", `"acknowledge"`, "dedupKey", `"srv01/HTTP"`)
			},
			want: map[string]any{"routing_key": canaryKey, "event_action": "acknowledge", "dedup_key": "srv01/HTTP", "payload": minimalPayload()},
		},
		{
			name: "acknowledge without source has no payload",
			args: func(url string) args {
				return triggerArgs(url).with("eventAction", `"acknowledge"`, "dedupKey", `"srv01/HTTP"`, "source", `""`)
			},
			want: map[string]any{"routing_key": canaryKey, "event_action": "acknowledge", "dedup_key": "srv01/HTTP"},
		},
		{
			// A resolve may pass the same arguments as its trigger: payload
			// fields are dropped, client and clientURL are kept.
			name: "resolve with every trigger argument has no payload",
			args: func(url string) args { return fullArgs(url).with("eventAction", `"resolve"`, "severity", `"crit"`) },
			want: map[string]any{
				"routing_key": canaryKey, "event_action": "resolve", "dedup_key": "srv01/HTTP",
				"client": "Sample Monitoring Service", "client_url": "https://monitoring.example.com",
			},
		},
		{
			name: "action and severity in lower case",
			args: func(url string) args {
				return triggerArgs(url).with("eventAction", `"TRIGGER"`, "severity", `"Warning"`)
			},
			want: map[string]any{"routing_key": canaryKey, "event_action": "trigger", "payload": minimalPayload("severity", "warning")},
		},
		{
			name: "resolve in upper case",
			args: func(url string) args { return triggerArgs(url).with("eventAction", `"RESOLVE"`, "dedupKey", `"k1"`) },
			want: map[string]any{"routing_key": canaryKey, "event_action": "resolve", "dedup_key": "k1", "payload": minimalPayload()},
		},
		{
			name: "time timestamp sent as RFC 3339 in UTC",
			args: func(url string) args {
				return triggerArgs(url).with("timestamp", "2016-07-17T10:42:58.123456789+02:00")
			},
			want: map[string]any{"routing_key": canaryKey, "event_action": "trigger", "payload": minimalPayload("timestamp", "2016-07-17T08:42:58.123456789Z")},
		},
		{
			name: "now() timestamp",
			args: func(url string) args { return triggerArgs(url).with("timestamp", "now()") },
			now:  time.Date(2024, 5, 6, 9, 8, 9, 500_000_000, time.FixedZone("CEST", 2*3600)),
			want: map[string]any{"routing_key": canaryKey, "event_action": "trigger", "payload": minimalPayload("timestamp", "2024-05-06T07:08:09.5Z")},
		},
		{
			name: "string timestamp sent unchanged",
			args: func(url string) args {
				return triggerArgs(url).with("timestamp", `"2016-07-17T08:42:58.123456789+05:30"`)
			},
			want: map[string]any{"routing_key": canaryKey, "event_action": "trigger", "payload": minimalPayload("timestamp", "2016-07-17T08:42:58.123456789+05:30")},
		},
		{
			name: "summary over 1024 characters cut",
			args: func(url string) args { return triggerArgs(url).with("summary", fluxString(strings.Repeat("é", 1100))) },
			want: map[string]any{"routing_key": canaryKey, "event_action": "trigger", "payload": minimalPayload("summary", strings.Repeat("é", 1023)+"…")},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			emu := newEmulator(t)
			out := mustRun(t, tt.now, script(call("sendEvent", tt.args(emu.EventsURL()))))
			if out != "202\n" {
				t.Errorf("script printed %q, want %q", out, "202\n")
			}
			body := checkOneEvent(t, emu)
			if diff := cmp.Diff(tt.want, decodeBody(t, body)); diff != "" {
				t.Errorf("request body mismatch (-want +got):\n%s", diff)
			}
			if tt.wantDetails != "" {
				if got := rawDetails(t, body); got != tt.wantDetails {
					t.Errorf("custom_details mismatch (-want +got):\n%s", cmp.Diff(tt.wantDetails, got))
				}
			}
		})
	}
}

func TestSendEvent_DefaultURL(t *testing.T) {
	emu := newEmulator(t)
	src := script(
		"option pagerduty.defaultURL = "+fluxString(emu.EventsURL()),
		call("sendEvent", triggerArgs("").with("pagerdutyURL", "")),
	)
	if out := mustRun(t, time.Time{}, src); out != "202\n" {
		t.Errorf("script printed %q, want %q", out, "202\n")
	}
	checkOneEvent(t, emu)
}

// TestSendEvent_Status checks that PagerDuty's status code is returned as
// an int, also when it is not a success, and compares it in Flux too.
// Flux v0.65.1 has no die() to fail a script, so the comparison is printed.
func TestSendEvent_Status(t *testing.T) {
	tests := []struct {
		name         string
		options      []string
		faults       []emulator.Fault // then the emulator's answer
		want         int
		wantRequests int
	}{
		{name: "202 accepted", want: 202, wantRequests: 1},
		{name: "200 OK", faults: []emulator.Fault{{Status: 200}}, want: 200, wantRequests: 1},
		{name: "400 with PagerDuty's error is returned, not raised", faults: times(5, emulator.Fault{Status: 400, Body: invalidBody}), want: 400, wantRequests: 1},
		{name: "404 is not retried", faults: []emulator.Fault{{Status: 404, Body: "not found"}}, want: 404, wantRequests: 1},
		{name: "429 without retries", options: []string{"option pagerduty.maxRetries = 0"}, faults: times(5, emulator.Fault{Status: 429}), want: 429, wantRequests: 1},
		{name: "500 without retries", options: []string{"option pagerduty.maxRetries = 0"}, faults: []emulator.Fault{{Status: 500}}, want: 500, wantRequests: 1},
		{
			name:   "429 with Retry-After 0 retried by default",
			faults: []emulator.Fault{{Status: 429, Header: map[string]string{"Retry-After": "0"}}}, want: 202, wantRequests: 2,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			emu := newEmulator(t, tt.faults...)
			lines := append(append([]string(nil), tt.options...),
				"status = "+call("sendEvent", triggerArgs(emu.EventsURL())),
				"status",
				fmt.Sprintf("status == %d", tt.want),
			)
			out := mustRun(t, time.Time{}, script(lines...))
			if want := fmt.Sprintf("%d\ntrue\n", tt.want); out != want {
				t.Errorf("script printed %q, want %q", out, want)
			}
			if got := len(emu.Requests()); got != tt.wantRequests {
				t.Errorf("emulator got %d requests, want %d", got, tt.wantRequests)
			}
		})
	}
}

// TestSendEvent_MaxRetries waits for real: Flux scripts cannot shorten the
// backoff (base 1s, full jitter), so the wait before the retry is in [0, 1s).
func TestSendEvent_MaxRetries(t *testing.T) {
	emu := newEmulator(t, emulator.Fault{Status: 500, Body: `{"status":"error"}`})
	src := script("option pagerduty.maxRetries = 1", call("sendEvent", triggerArgs(emu.EventsURL())))
	if out := mustRun(t, time.Time{}, src); out != "202\n" {
		t.Errorf("script printed %q, want %q", out, "202\n")
	}
	reqs := emu.Requests()
	if len(reqs) != 2 {
		t.Fatalf("emulator got %d requests, want 2", len(reqs))
	}
	if !bytes.Equal(reqs[0].Body, reqs[1].Body) {
		t.Errorf("retry body differs:\nfirst: %s\nretry: %s", reqs[0].Body, reqs[1].Body)
	}
}

// TestSendEvent_Deadline: option deadline stops the retries that
// maxRetries would allow. Each 503 asks for a retry in 40 s (Retry-After),
// a wait that ends after the 30 s deadline, so sendEvent returns the 503
// at once; without the option (60 s by default) it would wait and retry.
// Nothing here depends on how fast the machine is, unless one request to
// the emulator takes 30 s.
func TestSendEvent_Deadline(t *testing.T) {
	retryLater := emulator.Fault{Status: 503, Header: map[string]string{"Retry-After": "40"}}
	emu := newEmulator(t, times(101, retryLater)...)
	src := script(
		"option pagerduty.maxRetries = 100",
		"option pagerduty.deadline = 30s",
		"option pagerduty.attemptTimeout = 30s",
		call("sendEvent", triggerArgs(emu.EventsURL())),
	)
	start := time.Now()
	out := mustRun(t, time.Time{}, src)
	t.Logf("sendEvent returned after %v", time.Since(start).Round(time.Millisecond))
	if out != "503\n" {
		t.Errorf("script printed %q, want %q", out, "503\n")
	}
	if n := len(emu.Requests()); n != 1 {
		t.Errorf("emulator got %d requests, want 1: no retry fits in the deadline", n)
	}
}

func TestSendEvent_FromCSV(t *testing.T) {
	emu := newEmulator(t)
	src := `import "csv"
import "pagerduty"

data = "
#datatype,string,long,dateTime:RFC3339,string,string,double,long,string
#group,false,false,false,true,false,false,false,false
#default,_result,,,,,,,
,result,table,_time,host,_level,load,ping,summary
,,0,2016-07-17T08:42:58.315Z,db01.example.com,crit,0.95,1500,Load <high> & rising
,,0,2016-07-17T08:47:58Z,db01.example.com,ok,0.25,20,Load back to normal
"

send = (r) => pagerduty.sendEvent(
    pagerdutyURL: ` + fluxString(emu.EventsURL()) + `,
    routingKey: ` + fluxString(canaryKey) + `,
    client: "fluxpd",
    clientURL: "",
    dedupKey: r.host,
    class: "load",
    group: "",
    severity: pagerduty.severityFromLevel(level: r._level),
    eventAction: pagerduty.actionFromLevel(level: r._level),
    source: r.host,
    summary: r.summary,
    timestamp: r._time,
    customDetails: {load: r.load, "ping time": r.ping, level: r._level},
)

table = csv.from(csv: data) |> tableFind(fn: (key) => key.host == "db01.example.com")
send(r: table |> getRecord(idx: 0))
send(r: table |> getRecord(idx: 1))
`
	if out := mustRun(t, time.Time{}, src); out != "202\n202\n" {
		t.Errorf("script printed %q, want %q", out, "202\n202\n")
	}
	var got []any
	for _, r := range emu.Requests() {
		got = append(got, decodeBody(t, string(r.Body)))
	}
	want := []any{
		map[string]any{
			"routing_key": canaryKey, "event_action": "trigger", "dedup_key": "db01.example.com", "client": "fluxpd",
			"payload": map[string]any{
				"summary": "Load <high> & rising", "source": "db01.example.com", "severity": "critical",
				"timestamp": "2016-07-17T08:42:58.315Z", "class": "load",
				"custom_details": map[string]any{"load": json.Number("0.95"), "ping time": json.Number("1500"), "level": "crit"},
			},
		},
		map[string]any{
			"routing_key": canaryKey, "event_action": "resolve", "dedup_key": "db01.example.com", "client": "fluxpd",
			"payload": map[string]any{
				"summary": "Load back to normal", "source": "db01.example.com", "severity": "info",
				"timestamp": "2016-07-17T08:47:58Z", "class": "load",
				"custom_details": map[string]any{"load": json.Number("0.25"), "ping time": json.Number("20"), "level": "ok"},
			},
		},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("request bodies mismatch (-want +got):\n%s", diff)
	}
}

func TestLevelHelpers(t *testing.T) {
	levels := []string{"crit", "CRIT", "warn", "info", "ok", "OK", "unknown", ""}
	var lines []string
	for _, l := range levels {
		lines = append(lines,
			fmt.Sprintf("pagerduty.severityFromLevel(level: %q)", l),
			fmt.Sprintf("pagerduty.actionFromLevel(level: %q)", l))
	}
	got := strings.Split(strings.TrimSuffix(mustRun(t, time.Time{}, script(lines...)), "\n"), "\n")
	want := []string{
		"critical", "trigger", "critical", "trigger", "warning", "trigger", "info", "trigger",
		"info", "resolve", "info", "resolve", "error", "trigger", "error", "trigger",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("severityFromLevel and actionFromLevel mismatch (-want +got):\n%s", diff)
	}
}

// decorate adds userinfo with a password and a query string with a token to
// an http URL, the parts of a URL that errors must never show.
func decorate(raw string) string {
	u, err := neturl.Parse(raw)
	if err != nil || u.Host == "" {
		return raw
	}
	u.User = neturl.UserPassword("user", "SECRETPASS")
	u.RawQuery = "token=SECRETTOKEN"
	return u.String()
}
