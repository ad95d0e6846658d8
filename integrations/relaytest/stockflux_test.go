package relaytest

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/fluxpd/fluxpd/internal/emulator"
	"github.com/fluxpd/fluxpd/internal/redact"
	"github.com/fluxpd/fluxpd/internal/testwait"
)

// stockKey is the routing key of the stock Flux tests: a placeholder.
var stockKey = RoutingKey(7001)

// stockSendEvent calls upstream's own pagerduty.sendEvent with the relay
// as pagerdutyURL; it prints the status the relay answered.
const stockSendEvent = `import "pagerduty"

pagerduty.sendEvent(
    pagerdutyURL: %s,
    routingKey: %s,
    client: "stock-flux-v0.65.1",
    clientURL: "https://monitoring.example.com",
    dedupKey: "db01/cpu",
    class: "cpu load",
    group: "databases",
    severity: pagerduty.severityFromLevel(level: "crit"),
    eventAction: pagerduty.actionFromLevel(level: "crit"),
    component: "cpu",
    source: "db01.example.com",
    summary: "CPU load 9.75 on db01",
    timestamp: "2026-01-02T03:04:05Z",
)
`

// stockEndpoint sends two hosts' statuses through upstream's own
// pagerduty.endpoint with the relay as url: one table per host, as a
// check's output, so that dedupKey() gives each host its key.
const stockEndpoint = `import "csv"
import "pagerduty"

data = "
#datatype,string,long,dateTime:RFC3339,string,string,string,string
#group,false,false,false,true,true,false,false
#default,_result,,,,,,
,result,table,_time,_measurement,host,_level,_message
,,0,2026-01-02T03:04:05Z,statuses,web01,crit,disk full on web01
,,1,2026-01-02T03:04:06Z,statuses,web02,warn,disk 91%% on web02
"

csv.from(csv: data)
    |> pagerduty.endpoint(url: %s)(mapFn: (r) => ({
        routingKey: %s,
        client: "stock-flux-v0.65.1",
        clientURL: "https://monitoring.example.com",
        class: "disk",
        group: r._measurement,
        severity: pagerduty.severityFromLevel(level: r._level),
        eventAction: pagerduty.actionFromLevel(level: r._level),
        component: "disk",
        source: r.host,
        summary: r._message,
        timestamp: r._time,
    }))()
`

// runStockFlux runs src on stock Flux v0.65.1 and returns its standard
// output; a failing script fails the test.
func runStockFlux(t *testing.T, src string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "script.flux")
	if err := os.WriteFile(path, []byte(src), 0o600); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(stockFluxBin(t), path)
	cmd.Env = childEnv()
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("stock Flux v0.65.1 failed (%v); standard error:\n%s", err, redact.String(stderr.String(), stockKey))
	}
	return stdout.String()
}

// wireAlert is the part of an alert event the stock tests compare.
type wireAlert struct {
	RoutingKey  string `json:"routing_key"`
	EventAction string `json:"event_action"`
	DedupKey    string `json:"dedup_key"`
	Client      string `json:"client"`
	ClientURL   string `json:"client_url"`
	Payload     struct {
		Summary   string `json:"summary"`
		Source    string `json:"source"`
		Severity  string `json:"severity"`
		Timestamp string `json:"timestamp"`
		Component string `json:"component"`
		Group     string `json:"group"`
		Class     string `json:"class"`
	} `json:"payload"`
}

// accepted waits until up has answered n events 202 and returns them,
// decoded, in arrival order.
func accepted(t *testing.T, up *Upstream, n int, what string) []wireAlert {
	t.Helper()
	var got []wireAlert
	testwait.Until(t, what, func() (bool, string) {
		got = got[:0]
		for _, r := range up.Requests() {
			if r.Status != 202 {
				continue
			}
			var a wireAlert
			if err := json.Unmarshal(r.Body, &a); err != nil {
				t.Fatalf("the emulator accepted a body that is not an alert event: %v", err)
			}
			got = append(got, a)
		}
		return len(got) >= n, strconv.Itoa(len(got)) + " events answered 202 by the emulator"
	})
	if len(got) != n {
		t.Fatalf("the emulator answered %d events 202, want %d", len(got), n)
	}
	return got
}

func TestStockFlux_SendEvent_ThroughRelay(t *testing.T) {
	up := startUpstream(t, emulator.Options{})
	r := startRelay(t, up, []string{stockKey})
	out := runStockFlux(t, sprintfFlux(stockSendEvent, r.URL+emulator.EventsPath, stockKey))
	if got := strings.TrimSpace(out); got != "202" {
		t.Errorf("stock sendEvent returned %q, want the relay's 202", got)
	}
	got := accepted(t, up, 1, "stock sendEvent's event to reach the emulator behind the relay")[0]
	want := wireAlert{RoutingKey: stockKey, EventAction: "trigger", DedupKey: "db01/cpu",
		Client: "stock-flux-v0.65.1", ClientURL: "https://monitoring.example.com"}
	want.Payload.Summary, want.Payload.Source, want.Payload.Severity = "CPU load 9.75 on db01", "db01.example.com", "critical"
	want.Payload.Timestamp, want.Payload.Component, want.Payload.Group, want.Payload.Class = "2026-01-02T03:04:05Z", "cpu", "databases", "cpu load"
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("event the emulator received through the relay (-want +got):\n%s", redact.String(diff, stockKey))
	}
	stopRelay(t, r)
}

func TestStockFlux_Endpoint_ThroughRelay(t *testing.T) {
	up := startUpstream(t, emulator.Options{})
	r := startRelay(t, up, []string{stockKey})
	out := runStockFlux(t, sprintfFlux(stockEndpoint, r.URL+emulator.EventsPath, stockKey))
	if sent := column(t, out, "_sent"); !cmp.Equal(sent, []string{"true", "true"}) {
		t.Errorf("stock endpoint's _sent column is %q, want two \"true\" (the relay answered 2xx to both); output:\n%s", sent, out)
	}
	got := accepted(t, up, 2, "stock endpoint's two events to reach the emulator behind the relay")
	bySource := map[string]wireAlert{}
	for _, a := range got {
		bySource[a.Payload.Source] = a
	}
	for _, w := range []struct{ host, severity, summary string }{
		{"web01", "critical", "disk full on web01"},
		{"web02", "warning", "disk 91% on web02"},
	} {
		a, ok := bySource[w.host]
		switch {
		case !ok:
			t.Errorf("no event from %s reached the emulator; got sources %v", w.host, keysOf(bySource))
		case a.RoutingKey != stockKey || a.EventAction != "trigger" || a.Payload.Severity != w.severity ||
			a.Payload.Summary != w.summary || a.Client != "stock-flux-v0.65.1" || a.Payload.Class != "disk":
			t.Errorf("%s's event reached the emulator as %s, want a trigger with severity %q and summary %q", w.host, redact.String(prettyJSON(a), stockKey), w.severity, w.summary)
		case len(a.DedupKey) != sha256Hex || !strings.Contains(out, a.DedupKey):
			t.Errorf("%s's dedup key %q is not the one stock dedupKey() put in the output (64 hex characters); output:\n%s", w.host, a.DedupKey, out)
		}
	}
	stopRelay(t, r)
}

// sha256Hex is the length of upstream dedupKey()'s keys, hex SHA-256.
const sha256Hex = 64

// sprintfFlux fills a script's %s with Flux string literals.
func sprintfFlux(format string, args ...string) string {
	quoted := make([]any, len(args))
	for i, a := range args {
		quoted[i] = strconv.Quote(a) // Flux string literals escape as Go's for these
	}
	return fmt.Sprintf(format, quoted...)
}

// column returns the values of the named column in every table of an
// annotated CSV output, in order.
func column(t *testing.T, out, name string) []string {
	t.Helper()
	var values []string
	idx, header := -1, true
	for _, line := range strings.Split(out, "\n") {
		line = strings.TrimRight(line, "\r")
		if line == "" || strings.HasPrefix(line, "#") {
			header = true // a new table: its header comes next
			continue
		}
		rec, err := csv.NewReader(strings.NewReader(line)).Read()
		if err != nil {
			t.Fatalf("stock Flux printed a line that is not CSV (%v): %q", err, line)
		}
		if header {
			idx, header = slices.Index(rec, name), false
			continue
		}
		if idx >= 0 && idx < len(rec) {
			values = append(values, rec[idx])
		}
	}
	return values
}

func keysOf[V any](m map[string]V) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

func prettyJSON(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}
