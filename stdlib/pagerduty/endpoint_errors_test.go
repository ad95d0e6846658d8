package pagerduty_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/influxdata/flux/dependencies/url"

	"github.com/fluxpd/fluxpd/internal/emulator"
	"github.com/fluxpd/fluxpd/internal/emulator/emulatortest"
	"github.com/fluxpd/fluxpd/internal/redact"
	"github.com/fluxpd/fluxpd/internal/testwait"
)

// TestEndpoint_ReportsFailedRows sends four rows one at a time: a transport
// failure, an invalid row, a 400 that quotes the routing key, and a valid
// one. Each is reported in its own columns; none stops the others.
func TestEndpoint_ReportsFailedRows(t *testing.T) {
	emu := emulatortest.New(t)
	echo := fmt.Sprintf(`{"status":"invalid event","message":"Event object is invalid","errors":["unknown key %s"]}`, testKey)
	emu.Inject(emulator.Fault{Drop: true}, emulator.Fault{Status: http.StatusBadRequest, Body: echo})
	data := csvData([]string{"host", "severity"}, []string{"host"},
		[]string{"web01", "critical"}, []string{"web02", "severe"}, []string{"web03", "warning"}, []string{"web04", "info"})
	src := fmt.Sprintf(`option pagerduty.defaultURL = %q
option pagerduty.maxRetries = 0
csv.from(csv: %q)
    |> pagerduty.endpoint(concurrency: 1)(mapFn: (r) => ({
        routingKey: %q, severity: r.severity, eventAction: "trigger", source: r.host, summary: "disk",
    }))()
`, emu.EventsURL(), data, testKey)
	rows := mustQuery(t, src)

	type result struct{ Host, Sent, Status string }
	var got []result
	for _, r := range rows {
		got = append(got, result{r["host"], r["_sent"], r["_status"]})
		if strings.Contains(r["_body"], testKey) {
			t.Errorf("row %s: _body quotes the routing key: %s", r["host"], r["_body"])
		}
	}
	want := []result{{"web01", "false", "0"}, {"web02", "false", "0"}, {"web03", "false", "400"}, {"web04", "true", "202"}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Fatalf("results (-want +got):\n%s", diff)
	}
	bodies := map[string]string{}
	for _, r := range rows {
		bodies[r["host"]] = r["_body"]
	}
	if b := bodies["web01"]; !strings.Contains(b, "failed to post event") {
		t.Errorf("web01 _body = %q; want the transport failure", b)
	}
	wantSeverity := `severity must be one of critical, error, warning, info; got "severe"`
	if b := bodies["web02"]; !strings.HasPrefix(b, wantSeverity) {
		t.Errorf("web02 _body = %q; want it to start with %q", b, wantSeverity)
	}
	if b, masked := bodies["web03"], redact.Key(testKey); !strings.Contains(b, "unknown key "+masked) {
		t.Errorf("web03 _body = %q; want PagerDuty's answer with the key masked as %s", b, masked)
	}
	if n := len(emu.Requests()); n != 3 {
		t.Errorf("the emulator received %d requests, want 3 (none for the invalid row)", n)
	}
}

// TestEndpoint_MapFn covers what mapFn may return: its own dedupKey, which
// replaces the group key's, and a field of the wrong type, which is
// reported on every row (a record field has one type for the whole table).
func TestEndpoint_MapFn(t *testing.T) {
	data := csvData([]string{"host"}, nil, []string{"web01"}, []string{"web02"})
	for _, tc := range []struct {
		name, severity string
		wantSent       string
		wantBody       string
	}{
		{name: "own dedup key", severity: `"critical"`, wantSent: "true"},
		{name: "wrong type", severity: `1`, wantSent: "false",
			wantBody: `severity must be a string such as "critical"; got int 1 (hint: convert a value with string(v: ...))`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			emu := emulatortest.New(t)
			src := fmt.Sprintf(`option pagerduty.defaultURL = %q
csv.from(csv: %q)
    |> pagerduty.endpoint()(mapFn: (r) => ({
        routingKey: %q, eventAction: "trigger", severity: %s, dedupKey: "disk/" + r.host, source: r.host, summary: "disk full",
    }))()
`, emu.EventsURL(), data, testKey, tc.severity)
			type result struct{ Key, Sent, Body string }
			var got []result
			for _, r := range mustQuery(t, src) {
				body := r["_body"]
				if r["_sent"] == "true" {
					body = "" // PagerDuty's answer
				}
				got = append(got, result{r["_pagerdutyDedupKey"], r["_sent"], body})
			}
			want := []result{{"disk/web01", tc.wantSent, tc.wantBody}, {"disk/web02", tc.wantSent, tc.wantBody}}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("results (-want +got):\n%s", diff)
			}
		})
	}
}

// TestEndpoint_ResolveNeedsNoPayload sends a trigger and a resolve whose
// mapFn leaves out every payload field on the resolve.
func TestEndpoint_ResolveNeedsNoPayload(t *testing.T) {
	emu := emulatortest.New(t)
	data := csvData([]string{"host", "_level"}, []string{"host", "_level"}, []string{"web01", "crit"}, []string{"web01", "ok"})
	src := fmt.Sprintf(`option pagerduty.defaultURL = %q
csv.from(csv: %q)
    |> pagerduty.endpoint()(mapFn: (r) => if r._level == "ok" then
        {routingKey: %q, eventAction: "resolve", severity: "", source: "", summary: ""}
    else
        {routingKey: %q, eventAction: "trigger", severity: "critical", source: r.host, summary: "down"})()
`, emu.EventsURL(), data, testKey, testKey)
	for _, r := range mustQuery(t, src) {
		if r["_sent"] != "true" {
			t.Errorf("%s row not sent: %s", r["_level"], r["_body"])
		}
	}
	alerts := emu.Alerts()
	if len(alerts) != 1 || alerts[0].Status != emulator.StatusResolved {
		t.Errorf("alerts = %+v; want one, resolved", alerts)
	}
}

func TestEndpoint_ArgumentErrors(t *testing.T) {
	data := csvData([]string{"host"}, nil, []string{"web01"})
	mapFn := fmt.Sprintf(`(r) => ({routingKey: %q, eventAction: "trigger", severity: "info", source: r.host, summary: "x"})`, testKey)
	local := emulatortest.New(t).EventsURL()
	for _, tc := range []struct {
		name, args string
		validator  url.Validator
		want       string
	}{
		{name: "concurrency zero", args: `concurrency: 0`,
			want: `concurrency must be between 1 and 64; got 0 (hint: 1 sends one event at a time, as upstream does)`},
		{name: "concurrency too high", args: `concurrency: 65`,
			want: `concurrency must be between 1 and 64; got 65 (hint: 1 sends one event at a time, as upstream does)`},
		{name: "not http", args: `url: "ftp://user:SECRET@example.com/x"`,
			want: `url must be an absolute http or https URL such as https://events.pagerduty.com/v2/enqueue; got "ftp://example.com/x"`},
		{name: "refused by the installation", args: fmt.Sprintf("url: %q", local), validator: url.PrivateIPValidator{},
			want: "url " + local + " is not allowed by this installation"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			src := fmt.Sprintf("csv.from(csv: %q) |> pagerduty.endpoint(%s)(mapFn: %s)()\n", data, tc.args, mapFn)
			_, _, err := fluxQuery(context.Background(), t, tc.validator, src)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error = %v; want it to contain %q", err, tc.want)
			}
			if err != nil && strings.Contains(err.Error(), "SECRET") {
				t.Errorf("the error shows the URL's password: %v", err)
			}
		})
	}
}

// TestEndpoint_CancelStopsSending cancels the query once a request is held
// by the emulator, which holds every answer back longer than the test may
// wait, with attemptTimeout and deadline as long: nothing but the
// cancellation can end the query, which must then end with an error.
//
// Flux v0.65.1 returns from a canceled query before its transformations
// have stopped, so mapFn here calls no Flux function of a package: those
// share state between queries that Flux does not synchronize, and the race
// detector would report the next test's query.
func TestEndpoint_CancelStopsSending(t *testing.T) {
	emu := emulatortest.New(t)
	hold := 2 * testwait.Limit()
	emu.SetLatency(hold)
	data, _ := monitoringData(4)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	src := fmt.Sprintf(`option pagerduty.defaultURL = %q
option pagerduty.attemptTimeout = %dms
option pagerduty.deadline = %dms
csv.from(csv: %q)
    |> pagerduty.endpoint()(mapFn: (r) => ({
        routingKey: %q, severity: "critical", eventAction: "trigger", source: r.host, summary: "seq " + r.seq,
    }))()
`, emu.EventsURL(), hold.Milliseconds(), hold.Milliseconds(), data, testKey)
	done := make(chan error, 1)
	go func() {
		_, _, err := fluxQuery(ctx, t, nil, src)
		done <- err
	}()
	testwait.Until(t, "a request to reach the emulator, which holds it", func() (bool, string) {
		n := len(emu.Requests())
		return n > 0, fmt.Sprintf("%d requests", n)
	})
	cancel()
	start := time.Now()
	err := testwait.Recv(t, "the query to end once canceled (nothing else can end it)", done)
	t.Logf("the query ended %v after cancellation: %v", time.Since(start).Round(time.Millisecond), err)
	if err == nil {
		t.Fatal("the canceled query succeeded")
	}
}
