package main

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
)

// TestRun_NoWayAroundTheEmulator: without --live, every pagerduty call
// goes to the built-in emulator, however the script spells its
// destination. The receiver stands for a relay or proxy on this machine
// (which would forward to PagerDuty); it must receive nothing. relay.test
// does not resolve: a request for it that escaped would fail, not pass.
func TestRun_NoWayAroundTheEmulator(t *testing.T) {
	var escaped atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		escaped.Add(1)
		w.WriteHeader(http.StatusAccepted)
	}))
	t.Cleanup(srv.Close)
	const call = `(routingKey: "` + testKey + `", client: "", clientURL: "", dedupKey: "d", class: "", group: "",
    severity: "info", eventAction: "trigger", source: "h", summary: "s", timestamp: "")`
	const change = `(routingKey: "` + testKey + `", summary: "deployed", source: "ci", timestamp: now(), customDetails: {v: "1"})`
	tests := []struct{ name, script string }{
		{"literal option, loopback receiver", `import "pagerduty"
option pagerduty.defaultURL = "` + srv.URL + `/v2/enqueue"
pagerduty.sendEvent` + call},
		{"aliased import", `import pd "pagerduty"
option pd.defaultURL = "http://relay.test:18503/v2/enqueue"
pd.sendEvent` + call},
		{"aliased import, loopback receiver", `import pd "pagerduty"
option pd.defaultURL = "` + srv.URL + `/v2/enqueue"
pd.sendEvent` + call},
		{"computed option", `import "pagerduty"
base = "` + srv.URL + `"
option pagerduty.defaultURL = base + "/v2/enqueue"
pagerduty.sendEvent` + call},
		{"pagerdutyURL argument", `import "pagerduty"
pagerduty.sendEvent(pagerdutyURL: "` + srv.URL + `/v2/enqueue", routingKey: "` + testKey + `", client: "", clientURL: "", dedupKey: "d", class: "", group: "",
    severity: "info", eventAction: "trigger", source: "h", summary: "s", timestamp: "")`},
		{"endpoint url argument", oneRowCSV + `csv.from(csv: data)
  |> pagerduty.endpoint(url: "` + srv.URL + `/v2/enqueue")(mapFn: (r) => ({routingKey: "` + testKey + `", client: "", clientURL: "", dedupKey: r.host, class: "", group: "",
    severity: "info", eventAction: "trigger", source: r.host, summary: "s", timestamp: "", customDetails: {}}))()`},
		{"change event, computed option", `import "pagerduty"
u = "` + srv.URL + `" + "/v2/change/enqueue"
option pagerduty.defaultChangeURL = u
pagerduty.sendChangeEvent` + change},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := escaped.Load()
			code, stdout, stderr := fluxpd(t, "", "run", writeScript(t, tt.script))
			if code != 0 {
				t.Fatalf("exit %d\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
			}
			if n := escaped.Load() - before; n != 0 {
				t.Errorf("the loopback receiver got %d request(s); without --live every event must go to the emulator", n)
			}
			if !strings.Contains(stderr, "PagerDuty emulator: 1 event received (1 accepted)") {
				t.Errorf("the emulator did not receive the event:\n%s", stderr)
			}
		})
	}
}

// TestRun_LiveReachesLoopback: --live is the one switch for any other
// destination, a local receiver included.
func TestRun_LiveReachesLoopback(t *testing.T) {
	var got atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got.Add(1)
		w.WriteHeader(http.StatusAccepted)
	}))
	t.Cleanup(srv.Close)
	code, stdout, stderr := fluxpd(t, "", "run", "--live", writeScript(t, fmt.Sprintf(`import pd "pagerduty"
option pd.defaultURL = %q
pd.sendEvent(routingKey: "`+testKey+`", client: "", clientURL: "", dedupKey: "d", class: "", group: "",
    severity: "info", eventAction: "trigger", source: "h", summary: "s", timestamp: "")
`, srv.URL+"/v2/enqueue")))
	if code != 0 || stdout != "202\n" || got.Load() != 1 {
		t.Errorf("exit %d, stdout %q, the receiver got %d requests, want 0, 202 and 1; stderr:\n%s", code, stdout, got.Load(), stderr)
	}
}
