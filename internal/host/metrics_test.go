package host_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/fluxpd/fluxpd/internal/emulator"
	"github.com/fluxpd/fluxpd/internal/emulator/emulatortest"
	"github.com/fluxpd/fluxpd/internal/host"
	"github.com/fluxpd/fluxpd/internal/outbox"
)

// Sent counts every event by function and outcome, the requests sent, and
// one duration per event that sent a request; the other counters count
// what they say.
func TestMetrics_Counts(t *testing.T) {
	m, reg := registry(t, nil)
	sends := []struct {
		function string
		o        host.Outcome
		attempts int
		took     time.Duration
	}{
		{"sendEvent", host.Accepted, 1, 3 * time.Millisecond},
		{"sendEvent", host.Accepted, 2, 40 * time.Millisecond},
		{"sendEvent", host.Rejected, 1, 7 * time.Millisecond},
		{"endpoint", host.Queued, 4, 2 * time.Second},
		{"endpoint", host.Failed, 4, 90 * time.Second},
		{"sendChangeEvent", host.Invalid, 0, 0},
		{"sendChangeEvent", host.Queued, 0, 0}, // queued behind its alert, unsent
	}
	for _, s := range sends {
		m.Sent(s.function, s.o, s.attempts, s.took)
	}
	m.StoreFailed()
	m.StoreFailed()
	m.Redelivered(3)
	m.Redelivered(0)
	m.Redelivered(-1)
	m.Damaged()

	g := gather(t, reg)
	events := map[string]float64{}
	for _, s := range g[host.MetricEvents] {
		var labels []string
		for _, l := range s.GetLabel() {
			labels = append(labels, l.GetName()+"="+l.GetValue())
		}
		events[strings.Join(labels, ",")] = s.GetCounter().GetValue()
	}
	wantEvents := map[string]float64{
		"function=sendEvent,outcome=accepted":      2,
		"function=sendEvent,outcome=rejected":      1,
		"function=endpoint,outcome=queued":         1,
		"function=endpoint,outcome=failed":         1,
		"function=sendChangeEvent,outcome=invalid": 1,
		"function=sendChangeEvent,outcome=queued":  1,
	}
	if diff := cmp.Diff(wantEvents, events); diff != "" {
		t.Errorf("%s (-want +got):\n%s", host.MetricEvents, diff)
	}
	for name, want := range map[string]float64{
		host.MetricAttempts: 12, host.MetricStoreErrors: 2, host.MetricRedelivered: 3, host.MetricDamaged: 1,
	} {
		if got := g.value(name); got != want {
			t.Errorf("%s = %v, want %v", name, got, want)
		}
	}
	checkHistogram(t, g, map[float64]uint64{.005: 1, .01: 2, .025: 2, .05: 3, 1: 3, 2.5: 4, 60: 4, 120: 5}, 5, 92.05)
}

// checkHistogram checks the duration histogram's count, sum and the
// cumulative counts of the buckets in want (upper bound to count).
func checkHistogram(t *testing.T, g gathered, want map[float64]uint64, count uint64, sum float64) {
	t.Helper()
	h := g.histogram()
	if h == nil {
		t.Fatalf("no %s", host.MetricDuration)
	}
	if h.GetSampleCount() != count || abs(h.GetSampleSum()-sum) > 1e-9 {
		t.Errorf("%s: %d samples summing to %v; want %d summing to %v", host.MetricDuration, h.GetSampleCount(), h.GetSampleSum(), count, sum)
	}
	seen := 0
	for _, b := range h.GetBucket() {
		if w, ok := want[b.GetUpperBound()]; ok {
			seen++
			if b.GetCumulativeCount() != w {
				t.Errorf("%s{le=%v} = %d, want %d", host.MetricDuration, b.GetUpperBound(), b.GetCumulativeCount(), w)
			}
		}
	}
	if seen != len(want) {
		t.Errorf("%s has %d of the %d buckets checked", host.MetricDuration, seen, len(want))
	}
}

func abs(f float64) float64 {
	if f < 0 {
		return -f
	}
	return f
}

// A nil *Metrics records nothing and does not fail: a host without
// metrics.
func TestMetrics_Nil(t *testing.T) {
	var m *host.Metrics
	m.Sent("sendEvent", host.Accepted, 1, time.Second)
	m.StoreFailed()
	m.Redelivered(1)
	m.Damaged()
}

// Register refuses a registry that has the metrics already, naming the
// clash, rather than counting twice.
func TestMetrics_RegisterTwice(t *testing.T) {
	reg := prometheus.NewRegistry()
	if err := host.NewMetrics().Register(reg, nil); err != nil {
		t.Fatal(err)
	}
	var already prometheus.AlreadyRegisteredError
	if err := host.NewMetrics().Register(reg, nil); !errors.As(err, &already) {
		t.Errorf("registering twice: %v; want a prometheus.AlreadyRegisteredError", err)
	}
	ob := openOutbox(t, outbox.Options{})
	if err := host.WatchOutbox(reg, ob); err != nil {
		t.Fatal(err)
	}
	if err := host.WatchOutbox(reg, ob); err == nil {
		t.Errorf("watching the outbox twice in one registry: no error")
	}
}

// The outbox's gauges are read at every scrape: pending events, dead
// letters and the oldest pending event's age; none while the outbox
// cannot be read.
func TestWatchOutbox(t *testing.T) {
	now := time.Date(2026, 12, 4, 22, 0, 0, 0, time.UTC)
	ob := openOutbox(t, outbox.Options{Now: func() time.Time { return now }})
	_, reg := registry(t, ob)
	gauges := func() []float64 {
		g := gather(t, reg)
		return []float64{g.value(host.MetricPending), g.value(host.MetricDead), g.value(host.MetricOldest)}
	}
	if diff := cmp.Diff([]float64{0, 0, 0}, gauges()); diff != "" {
		t.Errorf("an empty outbox's pending, dead and oldest (-want +got):\n%s", diff)
	}
	const url = "http://127.0.0.1:1/v2/enqueue"
	var ids []uint64
	for i, age := range []time.Duration{90 * time.Second, 30 * time.Second, 0} {
		m := alert(url, "db01/cpu", i)
		id, err := ob.Enqueue(outbox.Entry{URL: url, RoutingKey: rk, DedupKey: m.DedupKey, Body: m.Body, Created: now.Add(-age)})
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, id)
	}
	if diff := cmp.Diff([]float64{3, 0, 90}, gauges()); diff != "" {
		t.Errorf("three pending, the oldest 90 s (-want +got):\n%s", diff)
	}
	if _, err := ob.Drop(ids[0]); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]float64{2, 0, 30}, gauges()); diff != "" {
		t.Errorf("the oldest dropped (-want +got):\n%s", diff)
	}
	s := emulatortest.New(t)
	s.Inject(emulator.Fault{Status: 400, Body: invalidBody})
	m := alert(s.EventsURL(), "refused", 9)
	if _, err := ob.Enqueue(outbox.Entry{URL: m.URL, RoutingKey: rk, DedupKey: m.DedupKey, Body: m.Body, Created: now}); err != nil {
		t.Fatal(err)
	}
	rep, err := ob.Flush(t.Context(), outbox.FlushOptions{Sender: sender().OneAttempt(), Group: &outbox.Group{RoutingKey: rk, DedupKey: m.DedupKey}})
	if err != nil || rep.DeadLettered != 1 {
		t.Fatalf("flushing the refused event: %s, %v; want it dead-lettered", rep, err)
	}
	if diff := cmp.Diff([]float64{2, 1, 30}, gauges()); diff != "" {
		t.Errorf("a dead letter besides (-want +got):\n%s", diff)
	}
	ob.Close()
	g := gather(t, reg)
	for _, name := range []string{host.MetricPending, host.MetricDead, host.MetricOldest} {
		if _, ok := g[name]; ok {
			t.Errorf("a closed outbox's scrape has %s", name)
		}
	}
	if _, ok := g[host.MetricAttempts]; !ok {
		t.Errorf("a closed outbox's scrape lost the other metrics")
	}
}
