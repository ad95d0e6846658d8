package outbox_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/fluxpd/fluxpd/internal/delivery"
	"github.com/fluxpd/fluxpd/internal/emulator"
	"github.com/fluxpd/fluxpd/internal/outbox"
	"github.com/fluxpd/fluxpd/internal/testwait"
)

// Routing keys: 32 characters, as PagerDuty wants.
func routingKey(i int) string { return fmt.Sprintf("R%02dkey0123456789abcdefghijklmnopq", i)[:32] }

// event is one test event.
type event struct {
	rk, dk, action string
	seq            int
}

// body is the event's JSON; seq makes every body unique.
func (e event) body() []byte {
	b, _ := json.Marshal(map[string]any{
		"routing_key": e.rk, "event_action": e.action, "dedup_key": e.dk,
		"payload": map[string]any{
			"summary": fmt.Sprintf("%s #%d", e.dk, e.seq), "source": "outbox-test", "severity": "critical",
			"custom_details": map[string]any{"seq": e.seq},
		},
	})
	return b
}

func (e event) entry(url string) outbox.Entry {
	return outbox.Entry{URL: url, RoutingKey: e.rk, DedupKey: e.dk, Body: e.body()}
}

// pairs returns, for each of nKeys routing keys and nDedup dedup keys,
// rounds trigger/resolve pairs, interleaved across groups but in order
// within each group.
func pairs(nKeys, nDedup, rounds int) []event {
	var out []event
	seq := 0
	for r := 0; r < rounds; r++ {
		for _, action := range []string{"trigger", "resolve"} {
			for k := 0; k < nKeys; k++ {
				for d := 0; d < nDedup; d++ {
					seq++
					out = append(out, event{routingKey(k), fmt.Sprintf("dk-%d-%d", k, d), action, seq})
				}
			}
		}
	}
	return out
}

// logSink collects log lines.
type logSink struct {
	mu    sync.Mutex
	lines []string
}

func (l *logSink) log(s string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.lines = append(l.lines, s)
}

func (l *logSink) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return strings.Join(l.lines, "\n")
}

// open opens a fresh outbox with fast backoff; see openAt.
func open(t testing.TB, opts outbox.Options) (*outbox.Outbox, string, *logSink) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "outbox.db")
	return openAt(t, path, opts)
}

// openAt opens the outbox at path with testOptions(opts), logging to the
// returned sink, which the test's log shows if it fails.
func openAt(t testing.TB, path string, opts outbox.Options) (*outbox.Outbox, string, *logSink) {
	t.Helper()
	sink := &logSink{}
	if opts.Log == nil {
		opts.Log = sink.log
	}
	ob, err := outbox.Open(path, testOptions(opts))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("outbox log:\n%s", sink)
		}
		_ = ob.Close()
	})
	return ob, path, sink
}

// testOptions fills the zero fields of opts for a test, in this process or
// a child: fast backoff, so that redelivery after a failure takes
// milliseconds, and no bound that a slow machine could hit but
// testwait.Limit. The file lock (the other process's flusher may hold it
// for a while), a flusher's lease and each request's answer would
// otherwise turn a busy machine into a lock timeout, a lease taken over or
// a request given up after PagerDuty applied it: lost progress, or an
// event sent twice.
func testOptions(opts outbox.Options) outbox.Options {
	if opts.BaseDelay == 0 {
		opts.BaseDelay = 20 * time.Millisecond
	}
	if opts.MaxDelay == 0 {
		opts.MaxDelay = 100 * time.Millisecond
	}
	if opts.LockTimeout == 0 {
		opts.LockTimeout = testwait.Limit()
	}
	if opts.LeaseTTL == 0 {
		opts.LeaseTTL = testwait.Limit()
	}
	if opts.Sender == nil {
		opts.Sender = patient(outbox.DefaultSender())
	}
	return opts
}

// patient lets s wait for each answer as long as a test waits for
// anything: a test's verdict must not depend on how fast the emulator
// answers on a busy machine.
func patient(s *delivery.Sender) *delivery.Sender {
	s.Policy.AttemptTimeout = testwait.Limit()
	return s
}

// oneShot sends once: the sender a test's "script" uses.
func oneShot() *delivery.Sender {
	return patient(&delivery.Sender{})
}

// drain flushes until nothing is pending.
func drain(t testing.TB, ob *outbox.Outbox, fo outbox.FlushOptions) {
	t.Helper()
	testwait.Until(t, "the outbox to drain", func() (bool, string) {
		rep, err := ob.Flush(t.Context(), fo)
		if err != nil {
			t.Fatalf("Flush: %v", err)
		}
		return rep.Pending == 0, "last flush: " + rep.String()
	})
}

// waitEmpty waits until no event is pending, whoever flushes them.
func waitEmpty(t testing.TB, ob *outbox.Outbox, e *emulator.Emulator) {
	t.Helper()
	testwait.Until(t, "no event pending", func() (bool, string) {
		st, err := ob.Stats()
		if err != nil {
			t.Fatal(err)
		}
		return st.Pending == 0, fmt.Sprintf("%+v; the emulator: %s", st, requestCounts(e))
	})
}

// requestCounts sums up the emulator's requests by verdict.
func requestCounts(e *emulator.Emulator) string {
	n := map[emulator.Verdict]int{}
	reqs := e.Requests()
	for _, r := range reqs {
		n[r.Verdict]++
	}
	return fmt.Sprintf("%d requests %v", len(reqs), n)
}

// groupOf names an event's ordering group.
func groupOf(rk, dk string) string { return rk + "\x00" + dk }

// checkDelivered checks that every event of want reached the emulator
// with a 2xx, in order per group, and returns how many were delivered
// twice. A duplicate is allowed only right after the same event (an
// at-least-once resend of an event with a dedup key), and only if
// allowDup.
func checkDelivered(t testing.TB, e *emulator.Emulator, want []event, allowDup bool) int {
	t.Helper()
	got := map[string][][]byte{}
	for _, r := range e.Requests() {
		if r.Status/100 == 2 {
			g := groupOf(r.RoutingKey, r.DedupKey)
			got[g] = append(got[g], r.Body)
		}
	}
	wantBy := map[string][][]byte{}
	for _, ev := range want {
		g := groupOf(ev.rk, ev.dk)
		wantBy[g] = append(wantBy[g], ev.body())
	}
	dups := 0
	for g, w := range wantBy {
		var collapsed [][]byte
		for _, b := range got[g] {
			if n := len(collapsed); n > 0 && bytes.Equal(collapsed[n-1], b) {
				dups++
				continue
			}
			collapsed = append(collapsed, b)
		}
		if len(collapsed) != len(w) {
			t.Errorf("group %q: %d distinct events delivered, want %d", strings.ReplaceAll(g, "\x00", " "), len(collapsed), len(w))
			continue
		}
		for i := range w {
			if !bytes.Equal(collapsed[i], w[i]) {
				t.Errorf("group %q: event %d delivered out of order:\n got %s\nwant %s", strings.ReplaceAll(g, "\x00", " "), i, collapsed[i], w[i])
				break
			}
		}
	}
	if len(got) != len(wantBy) {
		t.Errorf("events delivered for %d groups, want %d", len(got), len(wantBy))
	}
	if dups > 0 && !allowDup {
		t.Errorf("%d events delivered twice", dups)
	}
	return dups
}

// checkAlerts checks the emulator's alert state for events made of
// trigger/resolve pairs: per group exactly one alert per pair, every one
// resolved, no other alert.
func checkAlerts(t testing.TB, e *emulator.Emulator, want []event) {
	t.Helper()
	pairsBy := map[string]int{}
	for _, ev := range want {
		if ev.action == "trigger" {
			pairsBy[groupOf(ev.rk, ev.dk)]++
		}
	}
	alerts := map[string]int{}
	for _, a := range e.Alerts() {
		g := groupOf(a.RoutingKey, a.DedupKey)
		alerts[g]++
		if a.Status != emulator.StatusResolved {
			t.Errorf("alert %q is %s, want resolved", a.DedupKey, a.Status)
		}
		if n := len(a.History); n < 2 || a.History[0].Action != "trigger" || a.History[n-1].Action != "resolve" {
			t.Errorf("alert %q has history %v, want trigger(s) then resolve", a.DedupKey, a.History)
		}
	}
	for g, n := range pairsBy {
		if alerts[g] != n {
			t.Errorf("group %q has %d alerts, want %d", strings.ReplaceAll(g, "\x00", " "), alerts[g], n)
		}
	}
	if len(alerts) != len(pairsBy) {
		t.Errorf("alerts exist for %d groups, want %d", len(alerts), len(pairsBy))
	}
}
