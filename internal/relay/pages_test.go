package relay_test

import (
	"context"
	"fmt"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/fluxpd/fluxpd/internal/emulator"
	"github.com/fluxpd/fluxpd/internal/event"
	"github.com/fluxpd/fluxpd/internal/outbox"
	"github.com/fluxpd/fluxpd/internal/redact"
	"github.com/fluxpd/fluxpd/internal/relay"
	"github.com/fluxpd/fluxpd/internal/testwait"
)

// TestRelay_Metrics_Names: /metrics serves every metric the README
// documents, in Prometheus's text format, with the documented labels.
func TestRelay_Metrics_Names(t *testing.T) {
	r := start(t, relay.Options{})
	post(t, r.URL(), event.AlertPath, trigger(keyA, "m", 1))
	post(t, r.URL(), event.AlertPath, []byte(`{}`))
	waitReceived(t, r.emu, 1)
	code, h, body := get(t, r.URL()+"/metrics")
	if code != 200 || !strings.HasPrefix(h.Get("Content-Type"), "text/plain") {
		t.Fatalf("GET /metrics: %d %s", code, h.Get("Content-Type"))
	}
	for _, want := range []string{
		"# TYPE " + relay.MetricReceived + " counter",
		relay.MetricReceived + `{outcome="accepted",path="/v2/enqueue"} 1`,
		relay.MetricReceived + `{outcome="invalid",path="/v2/enqueue"} 1`,
		"# TYPE " + relay.MetricDelivered + " counter",
		relay.MetricDelivered + `{status="202"} 1`,
		"# TYPE " + relay.MetricAttempts + " counter",
		"# TYPE " + relay.MetricDeadLetters + " counter",
		"# TYPE " + relay.MetricPending + " gauge",
		"# TYPE " + relay.MetricOldest + " gauge",
		"# TYPE " + relay.MetricAcceptDuration + " histogram",
		"# TYPE " + relay.MetricDeliveryDuration + " histogram",
		"# TYPE " + relay.MetricCommits + " counter",
	} {
		if !strings.Contains(body, want) {
			t.Errorf("/metrics lacks %q:\n%s", want, grepLines(body, "fluxpd_relay_"))
		}
	}
}

// TestRelay_Health: /healthz says the process is up; /readyz says ready,
// and 503 with the reason when a commit failed (the outbox file held by
// another process past the lock timeout) until one succeeds again.
func TestRelay_Health(t *testing.T) {
	r := start(t, relay.Options{LockTimeout: 100 * time.Millisecond})
	if code, _, body := get(t, r.URL()+"/healthz"); code != 200 || body != "ok\n" {
		t.Errorf("/healthz: %d %q", code, body)
	}
	if code, _, body := get(t, r.URL()+"/readyz"); code != 200 || body != "ready\n" {
		t.Errorf("/readyz: %d %q", code, body)
	}
	holder, err := outbox.Open(r.path, outbox.Options{KeepOpen: true})
	if err != nil {
		t.Fatal(err)
	}
	a := post(t, r.URL(), event.AlertPath, trigger(keyA, "locked", 1))
	if a.Code != http.StatusServiceUnavailable || len(a.Errors) != 1 || !strings.Contains(a.Errors[0], "locked") {
		t.Errorf("answer while the file is held: %+v; want 503 saying the file is locked", a)
	}
	code, _, body := get(t, r.URL()+"/readyz")
	if code != http.StatusServiceUnavailable || !strings.Contains(body, "not ready: the last commit failed") || !strings.Contains(body, "locked") {
		t.Errorf("/readyz while the file is held: %d %q; want 503 with the reason", code, body)
	}
	holder.Close()
	testwait.Until(t, "a commit to succeed again", func() (bool, string) {
		a, err := tryPost(r.URL(), event.AlertPath, trigger(keyA, "unlocked", 2))
		return err == nil && a.Code == 202, a.Status
	})
	// Ready again once both a commit and a flush have succeeded: the
	// flusher's next flush may come after the commit.
	testwait.Until(t, "/readyz to answer 200 after the file was released", func() (bool, string) {
		code, _, body := get(t, r.URL()+"/readyz")
		return code == 200, fmt.Sprintf("%d %q", code, body)
	})
}

// TestRelay_StatusPage_EscapedAndMasked: the status page shows pending
// alerts, recent deliveries and dead letters with markup escaped and
// routing keys masked, under a CSP that forbids scripts.
func TestRelay_StatusPage_EscapedAndMasked(t *testing.T) {
	emu := startEmu(t)
	emu.RefuseKey(keyB)
	r := start(t, relay.Options{}, emu)
	xss := `<script>alert(1)</script>`
	body := []byte(`{"routing_key":"` + keyA + `","event_action":"trigger","dedup_key":"` + xss + `","payload":{"summary":"` + xss + `","source":"h","severity":"info"}}`)
	post(t, r.URL(), event.AlertPath, body)
	waitReceived(t, emu, 1)
	post(t, r.URL(), event.AlertPath, trigger(keyB, "dead", 1))
	waitStats(t, r.path, "a dead letter", func(_, d int) bool { return d == 1 })
	if err := emu.StartOutage(emulator.Outage{For: testwaitLimit()}); err != nil {
		t.Fatal(err)
	}
	post(t, r.URL(), event.AlertPath, []byte(`{"routing_key":"`+keyC+`","event_action":"trigger","dedup_key":"waiting","payload":{"summary":"`+xss+`","source":"h","severity":"info"}}`))
	testwait.Until(t, "a failed try of the waiting event", func() (bool, string) {
		_, _, page := get(t, r.URL()+"/")
		return strings.Contains(page, "PagerDuty answered 503"), "no 503 on the page yet"
	})
	code, h, page := get(t, r.URL()+"/")
	if code != 200 || !strings.Contains(h.Get("Content-Security-Policy"), "default-src 'none'") {
		t.Errorf("GET /: %d, CSP %q", code, h.Get("Content-Security-Policy"))
	}
	if strings.Contains(page, "<script") {
		t.Errorf("the page holds a script element: markup was not escaped")
	}
	for _, want := range []string{"&lt;script&gt;alert(1)&lt;/script&gt;", redact.Key(keyA), redact.Key(keyB), redact.Key(keyC), "Invalid routing key", "1 events pending", "1 dead letters"} {
		if !strings.Contains(page, want) {
			t.Errorf("the page lacks %q", want)
		}
	}
	for _, key := range []string{keyA, keyB, keyC} {
		if strings.Contains(page, key) {
			t.Errorf("the page shows routing key %s unmasked", redact.Key(key))
		}
	}
}

// TestRelay_NoKeyLeaks: no routing key appears in the relay's log, its
// metrics, its pages or its answers, whatever happened to the events.
func TestRelay_NoKeyLeaks(t *testing.T) {
	emu := startEmu(t)
	emu.RefuseKey(keyB)
	emu.Inject(emulator.Fault{Status: 503}, emulator.Fault{Drop: true})
	r := start(t, relay.Options{AllowKeys: []string{keyA, keyB}, LongDelay: time.Nanosecond}, emu)
	var answers []string
	for _, b := range [][]byte{
		trigger(keyA, "leak", 1), trigger(keyB, "refused-upstream", 1), trigger(keyC, "not-allowed", 1),
		[]byte(`{"routing_key":"` + keyA + `","event_action":"trigger","payload":{"summary":"s","source":"h","severity":"` + keyA + `"}}`),
		[]byte(`{"routing_key":"` + keyA + `","event_action":"` + keyA + `"}`),
	} {
		a := post(t, r.URL(), event.AlertPath, b)
		answers = append(answers, a.Status+" "+a.Message+" "+strings.Join(a.Errors, " "))
	}
	waitStats(t, r.path, "the events delivered or dead", func(p, d int) bool { return p == 0 && d == 1 })
	_, _, metrics := get(t, r.URL()+"/metrics")
	_, _, page := get(t, r.URL()+"/")
	_, _, ready := get(t, r.URL()+"/readyz")
	outputs := map[string]string{"log": r.log.String(), "metrics": metrics, "page": page, "readyz": ready, "answers": strings.Join(answers, "\n")}
	for name, out := range outputs {
		for _, key := range []string{keyA, keyB, keyC} {
			if strings.Contains(out, key) {
				t.Errorf("the %s shows routing key %s unmasked:\n%s", name, redact.Key(key), out)
			}
		}
	}
}

// startEmu starts an emulator for a relay test.
func startEmu(t *testing.T) *emulator.Server {
	t.Helper()
	s, err := emulator.Start("127.0.0.1:0", emulator.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s
}

// TestRelay_Close_Graceful: Close stops accepting, lets the requests in
// flight finish, and every event answered 202 is in the outbox or
// upstream; none is half stored.
func TestRelay_Close_Graceful(t *testing.T) {
	emu := startEmu(t)
	if err := emu.StartOutage(emulator.Outage{For: testwaitLimit()}); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "relay.db")
	s, err := relay.Start(context.Background(), relay.Options{Addr: "127.0.0.1:0", OutboxPath: path, Upstream: emu.URL(), Rate: relay.RateOff, GroupCommit: true})
	if err != nil {
		t.Fatal(err)
	}
	const senders = 32
	accepted := make(chan string, senders*100)
	done := make(chan struct{})
	started := make(chan struct{}, senders)
	for i := range senders {
		go func() {
			defer func() { done <- struct{}{} }()
			for j := 0; ; j++ {
				dk := fmt.Sprintf("sender-%d-%d", i, j)
				a, err := tryPost(s.URL(), event.AlertPath, trigger(keyA, dk, j))
				if err != nil || a.Code != 202 {
					return // the relay is stopping
				}
				accepted <- dk
				if j == 0 {
					started <- struct{}{}
				}
			}
		}()
	}
	for range senders {
		testwait.Recv(t, "a first 202 from each sender", started)
	}
	ctx, cancel := context.WithTimeout(context.Background(), testwait.Limit())
	defer cancel()
	if err := s.Close(ctx); err != nil {
		t.Fatalf("Close: %v", err)
	}
	for range senders {
		testwait.Recv(t, "each sender to stop", done)
	}
	close(accepted)
	ob, err := outbox.Open(path, outbox.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer ob.Close()
	pending, err := ob.List()
	if err != nil {
		t.Fatal(err)
	}
	stored := map[string]bool{}
	for _, e := range pending {
		stored[e.DedupKey] = true
	}
	n := 0
	for dk := range accepted {
		n++
		if !stored[dk] {
			t.Errorf("event %s was answered 202 but is not in the outbox", dk)
		}
	}
	if n == 0 || len(pending) < n {
		t.Errorf("%d events answered 202, %d in the outbox; want all of them there", n, len(pending))
	}
}
