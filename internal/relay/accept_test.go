package relay_test

import (
	"bytes"
	"context"
	"net/http"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/fluxpd/fluxpd/internal/emulator"
	"github.com/fluxpd/fluxpd/internal/event"
	"github.com/fluxpd/fluxpd/internal/outbox"
	"github.com/fluxpd/fluxpd/internal/relay"
)

// TestRelay_Accept_DeliversTheBodyAsSent: a valid event is answered as
// PagerDuty answers it and reaches upstream byte for byte, at the path it
// was posted to.
func TestRelay_Accept_DeliversTheBodyAsSent(t *testing.T) {
	r := start(t, relay.Options{})
	body := trigger(keyA, "db01/disk", 1)
	if got, want := post(t, r.URL(), event.AlertPath, body), (answer{Code: 202, Status: "success", Message: "Event processed", DedupKey: "db01/disk"}); !cmp.Equal(got, want) {
		t.Errorf("answer (-want +got):\n%s", cmp.Diff(want, got))
	}
	change := []byte(`{"routing_key":"` + keyA + `","payload":{"summary":"Deployed api v1.4.2"}}`)
	if got, want := post(t, r.URL(), event.ChangePath, change), (answer{Code: 202, Status: "success", Message: "Event processed"}); !cmp.Equal(got, want) {
		t.Errorf("change event answer (-want +got):\n%s", cmp.Diff(want, got))
	}
	reqs := waitReceived(t, r.emu, 2)
	byPath := map[string][]byte{}
	for _, q := range reqs {
		byPath[q.Path] = q.Body
	}
	if !bytes.Equal(byPath[event.AlertPath], body) || !bytes.Equal(byPath[event.ChangePath], change) {
		t.Errorf("upstream received other bodies than were sent: %d alert bytes, %d change bytes; want %d and %d", len(byPath[event.AlertPath]), len(byPath[event.ChangePath]), len(body), len(change))
	}
}

// TestRelay_DedupKeyAssigned: a trigger without a dedup key (absent, null
// or blank) gets one, answered in the 202 and stored in the body sent
// upstream, so a redelivery deduplicates into the same alert.
func TestRelay_DedupKeyAssigned(t *testing.T) {
	r := start(t, relay.Options{})
	bodies := map[string][]byte{
		"absent": trigger(keyA, "", 1),
		"null":   []byte(`{"routing_key":"` + keyA + `","dedup_key":null,"event_action":"trigger","payload":{"summary":"s","source":"h","severity":"info"}}`),
		"blank":  []byte(`{"routing_key":"` + keyA + `","event_action":"trigger","dedup_key":"  ","payload":{"summary":"s","source":"h","severity":"info"}}`),
	}
	keys := map[string]string{}
	for name, body := range bodies {
		a := post(t, r.URL(), event.AlertPath, body)
		if a.Code != 202 || len(a.DedupKey) != 32 {
			t.Fatalf("%s: answer %+v; want 202 with a 32-character dedup key", name, a)
		}
		keys[a.DedupKey] = name
	}
	if len(keys) != len(bodies) {
		t.Errorf("dedup keys assigned: %v; want a different one for each event", keys)
	}
	for _, q := range waitReceived(t, r.emu, len(bodies)) {
		name, ok := keys[q.DedupKey]
		if !ok {
			t.Errorf("upstream got dedup key %q, not one the relay answered (%v)", q.DedupKey, keys)
			continue
		}
		if n := bytes.Count(q.Body, []byte(`"dedup_key"`)); n != 1 {
			t.Errorf("%s: the body sent upstream has %d dedup_key members, want 1: %s", name, n, q.Body)
		}
	}
}

// TestRelay_Invalid_Refused400: an event PagerDuty would refuse gets
// PagerDuty's 400 and is neither stored nor forwarded.
func TestRelay_Invalid_Refused400(t *testing.T) {
	r := start(t, relay.Options{})
	tests := []struct {
		name string
		path string
		body string
		want answer
	}{
		{"not JSON", event.AlertPath, `{"routing_key":`, answer{Code: 400, Status: "Unrecognized object", Message: "Event object format is unrecognized", Errors: []string{"JSON parse error"}}},
		{"array", event.AlertPath, `[1,2]`, answer{Code: 400, Status: "Unrecognized object", Message: "Event object format is unrecognized", Errors: []string{"JSON parse error"}}},
		{"upper-case action", event.AlertPath, `{"routing_key":"` + keyA + `","event_action":"TRIGGER","payload":{"summary":"s","source":"h","severity":"info"}}`,
			answer{Code: 400, Status: "invalid event", Message: "Event object is invalid", Errors: []string{`event_action must be one of trigger, acknowledge, resolve (in lower case); got "TRIGGER"`}}},
		{"short key", event.AlertPath, `{"routing_key":"abc","event_action":"resolve","dedup_key":"x"}`,
			answer{Code: 400, Status: "invalid event", Message: "Event object is invalid", Errors: []string{"routing_key must be a 32-character integration key; got 3 characters"}}},
		{"resolve without dedup key", event.AlertPath, `{"routing_key":"` + keyA + `","event_action":"resolve"}`,
			answer{Code: 400, Status: "invalid event", Message: "Event object is invalid", Errors: []string{"dedup_key is empty; resolve needs the dedup_key of the alert it acts on (the one its trigger used or got back)"}}},
		{"summary a number", event.AlertPath, `{"routing_key":"` + keyA + `","event_action":"trigger","payload":{"summary":5,"source":"h","severity":"info"}}`,
			answer{Code: 400, Status: "invalid event", Message: "Event object is invalid", Errors: []string{"payload.summary must be a string"}}},
		{"change with dedup key", event.ChangePath, `{"routing_key":"` + keyA + `","dedup_key":"x","payload":{"summary":"s"}}`,
			answer{Code: 400, Status: "invalid event", Message: "Event object is invalid", Errors: []string{"dedup_key is not a field of change events; send alert events to /v2/enqueue"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := post(t, r.URL(), tt.path, []byte(tt.body)); !cmp.Equal(got, tt.want) {
				t.Errorf("answer (-want +got):\n%s", cmp.Diff(tt.want, got))
			}
		})
	}
	assertNothingStored(t, r)
	if log := r.log.String(); strings.Count(log, "refused an event") != len(tests) {
		t.Errorf("log: want one line per refused event (%d):\n%s", len(tests), log)
	}
}

// assertNothingStored checks that the relay stored and forwarded nothing.
func assertNothingStored(t *testing.T, r *testRelay) {
	t.Helper()
	ob, err := outbox.Open(r.path, outbox.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer ob.Close()
	if p, d, err := ob.Count(); p != 0 || d != 0 || err != nil {
		t.Errorf("outbox: %d pending, %d dead letters, %v; want nothing stored", p, d, err)
	}
	if n := len(r.emu.Requests()); n != 0 {
		t.Errorf("upstream received %d requests, want none", n)
	}
}

// TestRelay_TooLarge_413: a body over 512000 bytes is answered 413 and
// not stored; one of exactly 512000 bytes is accepted.
func TestRelay_TooLarge_413(t *testing.T) {
	r := start(t, relay.Options{})
	pad := func(n int) []byte {
		head := `{"routing_key":"` + keyA + `","event_action":"trigger","dedup_key":"big","payload":{"summary":"s","source":"h","severity":"info","custom_details":{"x":"`
		tail := `"}}}`
		return []byte(head + strings.Repeat("x", n-len(head)-len(tail)) + tail)
	}
	if a := post(t, r.URL(), event.AlertPath, pad(event.MaxBodyBytes+1)); a.Code != http.StatusRequestEntityTooLarge {
		t.Errorf("%d bytes: answer %+v; want 413", event.MaxBodyBytes+1, a)
	}
	assertNothingStored(t, r)
	if a := post(t, r.URL(), event.AlertPath, pad(event.MaxBodyBytes)); a.Code != http.StatusAccepted {
		t.Errorf("%d bytes: answer %+v; want 202", event.MaxBodyBytes, a)
	}
	waitReceived(t, r.emu, 1)
}

// TestRelay_Full_429: when --max-pending events wait, the relay answers
// 429 with Retry-After and stores nothing more; once they are delivered
// it accepts again.
func TestRelay_Full_429(t *testing.T) {
	r := start(t, relay.Options{MaxPending: 2})
	if err := r.emu.StartOutage(emulator.Outage{For: testwaitLimit()}); err != nil {
		t.Fatal(err)
	}
	for i := range 2 {
		if a := post(t, r.URL(), event.AlertPath, trigger(keyA, "full", i)); a.Code != 202 {
			t.Fatalf("event %d: %+v, want 202", i, a)
		}
	}
	res, err := client.Post(r.URL()+event.AlertPath, "application/json", bytes.NewReader(trigger(keyA, "full", 2)))
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusTooManyRequests || res.Header.Get("Retry-After") == "" {
		t.Errorf("third event: %d, Retry-After %q; want 429 with a Retry-After", res.StatusCode, res.Header.Get("Retry-After"))
	}
	waitStats(t, r.path, "2 events pending", func(p, _ int) bool { return p == 2 })
	r.emu.EndOutage()
	waitStats(t, r.path, "the outbox to empty", func(p, _ int) bool { return p == 0 })
	if a := post(t, r.URL(), event.AlertPath, trigger(keyA, "full", 3)); a.Code != 202 {
		t.Errorf("after the queue drained: %+v, want 202", a)
	}
}

// TestRelay_AllowKeys: a key not allowed gets PagerDuty's 400 for an
// unknown key, and is neither stored nor forwarded; an allowed one is
// relayed.
func TestRelay_AllowKeys(t *testing.T) {
	r := start(t, relay.Options{AllowKeys: []string{keyA}})
	want := answer{Code: 400, Status: "invalid event", Message: "Event object is invalid", Errors: []string{"Invalid routing key"}}
	if got := post(t, r.URL(), event.AlertPath, trigger(keyB, "x", 1)); !cmp.Equal(got, want) {
		t.Errorf("answer (-want +got):\n%s", cmp.Diff(want, got))
	}
	assertNothingStored(t, r)
	if a := post(t, r.URL(), event.AlertPath, trigger(keyA, "x", 1)); a.Code != 202 {
		t.Errorf("allowed key: %+v, want 202", a)
	}
	waitReceived(t, r.emu, 1)
}

// TestRelay_OpenRelayRefused: listening beyond loopback without allowed
// keys is refused at start, saying why, before it listens.
func TestRelay_OpenRelayRefused(t *testing.T) {
	opts := relay.Options{Addr: "0.0.0.0:0", OutboxPath: filepath.Join(t.TempDir(), "r.db"), Upstream: "http://127.0.0.1:1"}
	_, err := relay.Start(context.Background(), opts)
	if err == nil || !strings.Contains(err.Error(), "anyone who can reach it could page") || !strings.Contains(err.Error(), "--allow-keys") || !strings.Contains(err.Error(), "--open") {
		t.Fatalf("Start on 0.0.0.0 without allowed keys: %v; want a refusal that says why and names --allow-keys and --open", err)
	}
	// config_internal_test.go checks that AllowKeys or Open permit it,
	// without listening beyond loopback.
}
