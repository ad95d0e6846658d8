package main

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/fluxpd/fluxpd/internal/emulator"
	"github.com/fluxpd/fluxpd/internal/emulator/emulatortest"
)

// These tests run scripts the way a user tries fluxpd against a receiver
// of their own: `fluxpd run --live`, the script's options pointing at a
// loopback emulator. The --live client of these tests refuses any other
// address, so a lost option fails the test instead of reaching PagerDuty;
// the emulator's counts prove where the events went.

// oneRowCSV is a script prelude with one row of data.
const oneRowCSV = `import "pagerduty"
import "csv"
data = "#datatype,string,long,string,string
#group,false,false,false,false
#default,_result,,,
,result,table,host,level
,,0,db01,crit
"
`

func init() {
	newLiveClient = func() *http.Client {
		return &http.Client{Transport: loopbackOnly{}}
	}
}

// loopbackOnly refuses every request that is not for 127.0.0.1.
type loopbackOnly struct{}

func (loopbackOnly) RoundTrip(req *http.Request) (*http.Response, error) {
	if h := req.URL.Hostname(); h != "127.0.0.1" {
		return nil, fmt.Errorf("test refused a request to %s: tests only talk to 127.0.0.1", h)
	}
	return http.DefaultTransport.RoundTrip(req)
}

func sendInMap(key string) string {
	return `csv.from(csv: data) |> map(fn: (r) => ({r with s: pagerduty.sendEvent(
    routingKey: "` + key + `", client: "", clientURL: "", dedupKey: r.host, class: "", group: "",
    severity: pagerduty.severityFromLevel(level: r.level), eventAction: "trigger",
    source: r.host, summary: "from map", timestamp: "")}))
`
}

func TestRunLive_OptionReachesMap(t *testing.T) {
	emu := emulatortest.New(t)
	script := writeScript(t, oneRowCSV+fmt.Sprintf("option pagerduty.defaultURL = %q\n", emu.EventsURL())+sendInMap(testKey))
	code, stdout, stderr := fluxpd(t, "", "run", "--live", script)
	if code != 0 {
		t.Fatalf("exit %d\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
	}
	if !strings.Contains(stdout, ",db01,crit,202") {
		t.Errorf("stdout lacks the row with s = 202:\n%s", stdout)
	}
	if n := len(emu.Requests()); n != 1 {
		t.Errorf("the script's emulator received %d requests, want 1", n)
	}
}

// TestRunLive_ReasonsShown: a rejected event's reason reaches standard
// error, one line, with the key masked.
func TestRunLive_ReasonsShown(t *testing.T) {
	emu := emulatortest.New(t)
	emu.Inject(emulator.Fault{Status: 400, Body: `{"status":"invalid event","message":"Event object is invalid","errors":["Length of 'routing_key' is incorrect (should be 32 characters)"]}`})
	script := writeScript(t, oneRowCSV+fmt.Sprintf("option pagerduty.defaultURL = %q\n", emu.EventsURL())+sendInMap(testKey))
	code, stdout, stderr := fluxpd(t, "", "run", "--live", script)
	if code != exitNotAccepted { // the script ran; its event was not accepted
		t.Fatalf("exit %d\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
	}
	want := `fluxpd: pagerduty.sendEvent: 400 Bad Request from ` + emu.EventsURL() + ` after 1 attempt (dedup key "db01"): Event object is invalid: Length of 'routing_key' is incorrect (should be 32 characters)`
	if !strings.Contains(stderr, want+"\n") {
		t.Errorf("stderr lacks\n%s\ngot:\n%s", want, stderr)
	}
	if strings.Contains(stdout+stderr, testKey) {
		t.Error("the routing key was printed")
	}
}

// TestRunLive_RedirectNotFollowed: a 301 and a 307 are failures; the
// target of the redirect receives nothing.
func TestRunLive_RedirectNotFollowed(t *testing.T) {
	var hits atomic.Int32
	target := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		w.WriteHeader(http.StatusAccepted)
	}))
	t.Cleanup(target.Close)
	for _, status := range []int{http.StatusMovedPermanently, http.StatusTemporaryRedirect} {
		t.Run(fmt.Sprint(status), func(t *testing.T) {
			redirector := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				http.Redirect(w, r, target.URL+"/v2/enqueue?token=SECRETTOKEN", status)
			}))
			t.Cleanup(redirector.Close)
			script := writeScript(t, oneRowCSV+fmt.Sprintf("option pagerduty.defaultURL = %q\n", redirector.URL+"/v2/enqueue")+
				`csv.from(csv: data) |> pagerduty.endpoint()(mapFn: (r) => ({routingKey: "`+testKey+`", client: "", clientURL: "",
    class: "", group: "", severity: "critical", eventAction: "trigger", source: r.host, summary: "s", timestamp: ""}))()
`)
			code, stdout, stderr := fluxpd(t, "", "run", "--live", script)
			if code != exitNotAccepted { // the script ran; its event was not accepted
				t.Fatalf("exit %d\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
			}
			if !strings.Contains(stdout, fmt.Sprintf(",false,%d,", status)) {
				t.Errorf("stdout lacks _sent false with status %d:\n%s", status, stdout)
			}
			if !strings.Contains(stdout, "redirecting to") || !strings.Contains(stdout, target.URL+"/v2/enqueue") {
				t.Errorf("_body does not name the redirect target:\n%s", stdout)
			}
			if strings.Contains(stdout+stderr, "SECRETTOKEN") || strings.Contains(stdout+stderr, testKey) {
				t.Error("a secret was printed")
			}
		})
	}
	if n := hits.Load(); n != 0 {
		t.Errorf("the redirect target received %d requests, want none", n)
	}
}

// TestRunLive_ClearErrors: wrong types and keys PagerDuty always refuses
// fail before sending, naming the parameter and never the key.
func TestRunLive_ClearErrors(t *testing.T) {
	emu := emulatortest.New(t)
	base := oneRowCSV + fmt.Sprintf("option pagerduty.defaultURL = %q\n", emu.EventsURL())
	call := `pagerduty.sendEvent(routingKey: %s, client: "", clientURL: "", dedupKey: "k", class: "", group: "", severity: %s, eventAction: "trigger", source: "h", summary: "s", timestamp: %s)`
	for _, tc := range []struct{ name, key, severity, timestamp, want string }{
		{"severity int", `"` + testKey + `"`, "3", `""`, `severity must be a string such as "critical"; got int 3`},
		{"key too short", `"` + testKey[:31] + `"`, `"critical"`, `""`, "routingKey must be a 32-character integration key; got 31 characters"},
		{"key with a leading space", `" ` + testKey + `"`, `"critical"`, `""`, "routingKey must be a 32-character integration key; got 33 characters (it starts or ends with white space)"},
		{"timestamp without seconds", `"` + testKey + `"`, `"critical"`, `"2016-07-17T08:42Z"`, `timestamp must be`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			script := writeScript(t, base+fmt.Sprintf(call, tc.key, tc.severity, tc.timestamp)+"\n")
			code, _, stderr := fluxpd(t, "", "run", "--live", script)
			if code != 1 || !strings.Contains(stderr, tc.want) {
				t.Errorf("exit %d, stderr:\n%s\nwant exit 1 and %q", code, stderr, tc.want)
			}
			if strings.Contains(stderr, testKey[1:31]) {
				t.Error("the routing key was printed")
			}
		})
	}
	if n := len(emu.Requests()); n != 0 {
		t.Errorf("the emulator received %d requests, want none", n)
	}
}

// TestRunLive_OutboxThroughFlux: endpoint() rows whose sends meet an outage
// are reported as queued, and a later `fluxpd outbox flush` delivers them
// in order: the alert ends resolved.
func TestRunLive_OutboxThroughFlux(t *testing.T) {
	emu := emulatortest.New(t)
	if err := emu.StartOutage(emulator.Outage{For: time.Hour}); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "outbox.db")
	script := writeScript(t, `import "pagerduty"
import "csv"
option pagerduty.defaultURL = "`+emu.EventsURL()+`"
option pagerduty.maxRetries = 0
data = "#datatype,string,long,string,string
#group,false,false,true,false
#default,_result,,,
,result,table,host,level
,,0,db01,crit
,,0,db01,ok
"
csv.from(csv: data) |> pagerduty.endpoint()(mapFn: (r) => ({routingKey: "`+testKey+`", client: "", clientURL: "",
    class: "", group: "", severity: pagerduty.severityFromLevel(level: r.level),
    eventAction: pagerduty.actionFromLevel(level: r.level), source: r.host, summary: "s", timestamp: ""}))()
`)
	code, stdout, stderr := fluxpd(t, "", "run", "--live", "--outbox", path, script)
	if code != 0 {
		t.Fatalf("exit %d\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
	}
	if !strings.Contains(stdout, ",db01,crit,") || !strings.Contains(stdout, ",false,503,queued for redelivery: ") ||
		!strings.Contains(stdout, ",false,0,queued behind earlier events for this dedup key") {
		t.Errorf("rows are not reported as queued:\n%s", stdout)
	}
	if !strings.Contains(stderr, "2 events queued by this run for redelivery; 2 pending") {
		t.Errorf("the summary does not report the queued events:\n%s", stderr)
	}
	if len(emu.Alerts()) != 0 {
		t.Fatalf("alerts exist during the outage: %v", emu.Alerts())
	}
	emu.EndOutage()
	code, stdout, stderr = fluxpd(t, "", "outbox", "flush", "--outbox", path)
	if code != 0 {
		t.Fatalf("outbox flush: exit %d\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
	}
	alerts := emu.Alerts()
	if len(alerts) != 1 || alerts[0].Status != emulator.StatusResolved {
		t.Errorf("alerts after the flush = %+v, want one, resolved", alerts)
	}
	if strings.Contains(stdout+stderr, testKey) {
		t.Error("the routing key was printed")
	}
}

// TestRunLive_OutboxNeedsLive: queueing while the emulator stands in for
// PagerDuty would page for real later, so --outbox is refused without
// --live, and $FLUXPD_OUTBOX is left unused, with a note.
func TestRunLive_OutboxNeedsLive(t *testing.T) {
	path := filepath.Join(t.TempDir(), "o.db")
	code, _, stderr := fluxpd(t, "", "run", "--outbox", path, writeScript(t, "1"))
	if code != 2 || !strings.Contains(stderr, "--outbox needs --live") {
		t.Errorf("exit %d, stderr:\n%s", code, stderr)
	}
	t.Setenv("FLUXPD_OUTBOX", path)
	code, stdout, stderr := fluxpd(t, "", "run", writeScript(t, "1"))
	if code != 0 || stdout != "1\n" || !strings.Contains(stderr, "$FLUXPD_OUTBOX is not used without --live") {
		t.Errorf("exit %d, stdout %q, stderr:\n%s", code, stdout, stderr)
	}
	if _, err := os.Stat(path); err == nil {
		t.Error("the outbox file was created without --live")
	}
}

// TestRunLive_ReportsMaskSecrets: a secret the script read is masked in
// the failure lines on standard error, even when PagerDuty's answer
// echoes it (here the emulator's injected answer quotes the summary).
func TestRunLive_ReportsMaskSecrets(t *testing.T) {
	const token = "tok-7f3c9a1e5b2d4f60"
	emu := emulatortest.New(t)
	emu.Inject(emulator.Fault{Status: 400, Body: `{"status":"invalid event","message":"Event object is invalid","errors":["summary ` + token + ` is odd"]}`})
	secretsFile := filepath.Join(t.TempDir(), "pd.secrets")
	if err := os.WriteFile(secretsFile, []byte("TOKEN="+token+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	script := writeScript(t, `import "pagerduty"
import "influxdata/influxdb/secrets"
option pagerduty.defaultURL = "`+emu.EventsURL()+`"
option pagerduty.maxRetries = 0
pagerduty.sendEvent(routingKey: "`+testKey+`", client: "", clientURL: "", dedupKey: "db01", class: "", group: "",
    severity: "critical", eventAction: "trigger", source: "db01", summary: secrets.get(key: "TOKEN"), timestamp: "")
`)
	code, stdout, stderr := fluxpd(t, "", "run", "--live", "--secrets", secretsFile, script)
	if code != exitNotAccepted { // the script ran; its event was not accepted
		t.Fatalf("exit %d\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
	}
	if !strings.Contains(stderr, "fluxpd: pagerduty.sendEvent: 400 Bad Request") || !strings.Contains(stderr, "summary tok-") {
		t.Errorf("stderr lacks the failure line with the masked token:\n%s", stderr)
	}
	if strings.Contains(stdout+stderr, token) {
		t.Errorf("the secret was printed:\nstdout:\n%s\nstderr:\n%s", stdout, stderr)
	}
}
