package pagerduty_test

import (
	"context"
	"fmt"
	"net/http"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/influxdata/flux"
	"github.com/influxdata/flux/dependencies/url"

	"github.com/fluxpd/fluxpd/fluxrun"
	"github.com/fluxpd/fluxpd/internal/emulator"
	"github.com/fluxpd/fluxpd/internal/emulator/emulatortest"
	"github.com/fluxpd/fluxpd/internal/outbox"
	"github.com/fluxpd/fluxpd/internal/testwait"
	"github.com/fluxpd/fluxpd/stdlib/pagerduty"
)

// closingAfterAnswer is an HTTP transport to 127.0.0.1 that closes the
// outbox once an answer has come: the event can then be neither
// delivered (PagerDuty is down) nor stored, as on a full disk.
type closingAfterAnswer struct{ ob *pagerduty.Outbox }

func (c closingAfterAnswer) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := loopbackOnly{}.RoundTrip(req)
	_ = c.ob.Close()
	return resp, err
}

// outboxQuery runs src (pagerduty and csv imported) for host, through rt,
// bounded by testwait.Limit against hangs.
func outboxQuery(t *testing.T, host pagerduty.Host, rt http.RoundTripper, src string) ([]fluxRow, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(pagerduty.WithHost(context.Background(), host), testwait.Limit())
	defer cancel()
	rows := &rowCollector{}
	r := fluxrun.Runner{Check: pagerduty.CheckScript, Prepare: pagerduty.WithScript,
		Deps:    flux.Deps{Deps: flux.WrappedDeps{HTTPClient: &http.Client{Transport: rt}, URLValidator: url.PassValidator{}}},
		Values:  &strings.Builder{},
		Results: rows,
	}
	err := r.Run(ctx, t.Name(), "import \"pagerduty\"\nimport \"csv\"\n"+src)
	return rows.rows, err
}

// failures collects the host's reports.
type failures struct {
	mu   sync.Mutex
	list []pagerduty.Failure
}

func (f *failures) report(x pagerduty.Failure) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.list = append(f.list, x)
}

// openTestOutbox opens an outbox in the test's directory.
func openTestOutbox(t *testing.T) *pagerduty.Outbox {
	t.Helper()
	ob, err := pagerduty.OpenOutbox(filepath.Join(t.TempDir(), "outbox.db"), pagerduty.OutboxOptions{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = ob.Close() })
	return ob
}

// checkLostText checks that text gives both reasons an event was lost:
// PagerDuty's 503 and the outbox's failure, naming its file.
func checkLostText(t *testing.T, what, text, path string) {
	t.Helper()
	for _, want := range []string{"503 Service Unavailable", "not stored in the outbox " + path, "so it is lost", outbox.ErrClosed.Error()} {
		if !strings.Contains(text, want) {
			t.Errorf("%s = %q; want it to say %q", what, text, want)
		}
	}
	if strings.Contains(text, testKey) {
		t.Errorf("%s shows the routing key: %q", what, text)
	}
}

// sendEvent answered 503 by PagerDuty and refused by the outbox fails the
// script with both reasons, and the host's report says both: the event is
// lost, not queued.
func TestSendEvent_NotStoredFailsLoudly(t *testing.T) {
	emu := emulatortest.New(t)
	if err := emu.StartOutage(emulator.Outage{For: testwait.Limit()}); err != nil {
		t.Fatal(err)
	}
	ob := openTestOutbox(t)
	var got failures
	src := fmt.Sprintf(`option pagerduty.defaultURL = %q
option pagerduty.maxRetries = 0
pagerduty.sendEvent(routingKey: %q, client: "", clientURL: "", dedupKey: "db01", class: "", group: "",
    severity: "critical", eventAction: "trigger", source: "db01", summary: "disk full", timestamp: "")
`, emu.EventsURL(), testKey)
	_, err := outboxQuery(t, pagerduty.Host{Outbox: ob, Report: got.report}, closingAfterAnswer{ob}, src)
	if err == nil {
		t.Fatal("the script succeeded; want it to fail: the event was neither delivered nor stored")
	}
	checkLostText(t, "the script's error", err.Error(), ob.Path())
	if len(got.list) != 1 || got.list[0].Queued || got.list[0].Status != 503 {
		t.Fatalf("reports = %+v; want one, status 503, not queued", got.list)
	}
	checkLostText(t, "the report", got.list[0].String(), ob.Path())
}

// An endpoint() row whose event was neither delivered nor stored says so
// in _body, with _sent false and PagerDuty's status; the query goes on.
func TestEndpoint_NotStoredRowSaysSo(t *testing.T) {
	emu := emulatortest.New(t)
	if err := emu.StartOutage(emulator.Outage{For: testwait.Limit()}); err != nil {
		t.Fatal(err)
	}
	ob := openTestOutbox(t)
	var got failures
	data := csvData([]string{"host"}, nil, []string{"db01"})
	src := fmt.Sprintf(`option pagerduty.defaultURL = %q
option pagerduty.maxRetries = 0
csv.from(csv: %q) |> pagerduty.endpoint()(mapFn: (r) => ({
    routingKey: %q, dedupKey: r.host, severity: "critical", eventAction: "trigger", source: r.host, summary: "disk full",
}))()
`, emu.EventsURL(), data, testKey)
	rows, err := outboxQuery(t, pagerduty.Host{Outbox: ob, Report: got.report}, closingAfterAnswer{ob}, src)
	if err != nil {
		t.Fatalf("the query failed: %v", err)
	}
	if len(rows) != 1 || rows[0]["_sent"] != "false" || rows[0]["_status"] != "503" {
		t.Fatalf("rows = %v; want one, _sent false, _status 503", rows)
	}
	checkLostText(t, "_body", rows[0]["_body"], ob.Path())
	if len(got.list) != 1 {
		t.Fatalf("reports = %+v; want one", got.list)
	}
	checkLostText(t, "the report", got.list[0].String(), ob.Path())
}

// With FlushFirst, each new event of an alert that waits in the outbox
// tries that alert's head once, and no other alert, during an outage:
// endpoint()'s n events for one alert make n requests, and another alert
// waiting for the same routing key is never tried.
func TestEndpoint_FlushFirstTriesOnlyItsAlert(t *testing.T) {
	const n = 6
	emu := emulatortest.New(t)
	if err := emu.StartOutage(emulator.Outage{For: testwait.Limit()}); err != nil {
		t.Fatal(err)
	}
	ob := openTestOutbox(t)
	other := `{"routing_key":"` + testKey + `","event_action":"trigger","dedup_key":"web01","payload":{"summary":"s","source":"web01","severity":"critical"}}`
	if _, err := ob.Enqueue(outbox.Entry{URL: emu.EventsURL(), RoutingKey: testKey, DedupKey: "web01", Body: []byte(other)}); err != nil {
		t.Fatal(err)
	}
	var rows [][]string
	for i := range n {
		rows = append(rows, []string{"db01", []string{"crit", "ok"}[i%2], fmt.Sprint(i)})
	}
	data := csvData([]string{"host", "level", "seq"}, nil, rows...)
	src := fmt.Sprintf(`option pagerduty.defaultURL = %q
option pagerduty.maxRetries = 0
csv.from(csv: %q) |> pagerduty.endpoint()(mapFn: (r) => ({
    routingKey: %q, dedupKey: r.host, severity: "critical", eventAction: pagerduty.actionFromLevel(level: r.level),
    source: r.host, summary: "seq " + r.seq,
}))()
`, emu.EventsURL(), data, testKey)
	out, err := outboxQuery(t, pagerduty.Host{Outbox: ob, FlushFirst: true}, loopbackOnly{}, src)
	if err != nil {
		t.Fatalf("the query failed: %v", err)
	}
	for i, r := range out {
		if r["_sent"] != "false" || !strings.Contains(r["_body"], "queued") {
			t.Errorf("row %d: %v; want it queued", i, r)
		}
	}
	if got := len(emu.Requests()); got != n {
		t.Errorf("%d requests, want %d: the first event, then one try of its alert's head per later event", got, n)
	}
	pending, err := ob.List()
	if err != nil || len(pending) != n+1 {
		t.Fatalf("pending = %d events, %v; want %d", len(pending), err, n+1)
	}
	for _, e := range pending {
		if e.DedupKey == "web01" && e.Attempts != 0 {
			t.Errorf("the other alert was tried %d times, want never", e.Attempts)
		}
		if e.DedupKey == "db01" && strings.Contains(string(e.Body), `"seq 0"`) && e.Attempts != n {
			t.Errorf("db01's head was tried %d times, want %d", e.Attempts, n)
		}
	}
}
