package emulator_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/fluxpd/fluxpd/internal/emulator"
)

// step is one event sent in an alert-state sequence, with the verdict
// and dedup key expected back.
type step struct {
	body     string
	verdict  emulator.Verdict
	dedupKey string
}

func summary(s string) mod { return set("payload.summary", s) }

// alertStateTests are sequences of events with the alerts they leave.
// History, Created and Updated are checked in TestEmulator_AlertState_History.
var alertStateTests = []struct {
	name  string
	steps []step
	want  []emulator.Alert
}{
	{
		name:  "trigger opens",
		steps: []step{{trigger(), "accepted", "srv01/HTTP"}},
		want:  []emulator.Alert{alert("srv01/HTTP", "triggered", 1)},
	},
	{
		name: "repeats are deduplicated and counted",
		steps: []step{
			{trigger(), "accepted", "srv01/HTTP"},
			{trigger(summary("second")), "accepted", "srv01/HTTP"},
			{trigger(summary("third")), "accepted", "srv01/HTTP"},
		},
		want: []emulator.Alert{alert("srv01/HTTP", "triggered", 3)},
	},
	{
		name: "acknowledge then repeat stays acknowledged",
		steps: []step{
			{trigger(), "accepted", "srv01/HTTP"},
			{ack(key, "srv01/HTTP"), "accepted", "srv01/HTTP"},
			{trigger(), "accepted", "srv01/HTTP"},
		},
		want: []emulator.Alert{alert("srv01/HTTP", "acknowledged", 2)},
	},
	{
		name: "resolve closes",
		steps: []step{
			{trigger(), "accepted", "srv01/HTTP"},
			{ack(key, "srv01/HTTP"), "accepted", "srv01/HTTP"},
			{resolve(key, "srv01/HTTP"), "accepted", "srv01/HTTP"},
		},
		want: []emulator.Alert{alert("srv01/HTTP", "resolved", 1)},
	},
	{
		name: "resolve and acknowledge of unknown keys are dropped",
		steps: []step{
			{resolve(key, "nope"), "dropped", "nope"},
			{ack(key, "nope"), "dropped", "nope"},
		},
		want: nil,
	},
	{
		name: "resolve twice: the second is dropped",
		steps: []step{
			{trigger(), "accepted", "srv01/HTTP"},
			{resolve(key, "srv01/HTTP"), "accepted", "srv01/HTTP"},
			{resolve(key, "srv01/HTTP"), "dropped", "srv01/HTTP"},
			{ack(key, "srv01/HTTP"), "dropped", "srv01/HTTP"},
		},
		want: []emulator.Alert{alert("srv01/HTTP", "resolved", 1)},
	},
	{
		name: "other routing key cannot resolve",
		steps: []step{
			{trigger(), "accepted", "srv01/HTTP"},
			{resolve(otherKey, "srv01/HTTP"), "dropped", "srv01/HTTP"},
			{ack(otherKey, "srv01/HTTP"), "dropped", "srv01/HTTP"},
		},
		want: []emulator.Alert{alert("srv01/HTTP", "triggered", 1)},
	},
	{
		name: "same dedup key under another routing key is another alert",
		steps: []step{
			{trigger(), "accepted", "srv01/HTTP"},
			{trigger(set("routing_key", otherKey)), "accepted", "srv01/HTTP"},
			{resolve(otherKey, "srv01/HTTP"), "accepted", "srv01/HTTP"},
		},
		want: []emulator.Alert{
			alert("srv01/HTTP", "triggered", 1),
			func() emulator.Alert { a := alert("srv01/HTTP", "resolved", 1); a.RoutingKey = otherKey; return a }(),
		},
	},
	{
		name: "trigger after resolve opens a new alert",
		steps: []step{
			{trigger(), "accepted", "srv01/HTTP"},
			{resolve(key, "srv01/HTTP"), "accepted", "srv01/HTTP"},
			{trigger(), "accepted", "srv01/HTTP"},
			{trigger(), "accepted", "srv01/HTTP"},
		},
		want: []emulator.Alert{alert("srv01/HTTP", "resolved", 1), alert("srv01/HTTP", "triggered", 2)},
	},
	{
		name: "rejected events change nothing",
		steps: []step{
			{trigger(), "accepted", "srv01/HTTP"},
			{trigger(set("payload.severity", "fatal")), "rejected", "srv01/HTTP"},
			{resolve(key[:31], "srv01/HTTP"), "rejected", "srv01/HTTP"},
		},
		want: []emulator.Alert{alert("srv01/HTTP", "triggered", 1)},
	},
}

func TestEmulator_AlertState(t *testing.T) {
	for _, tt := range alertStateTests {
		t.Run(tt.name, func(t *testing.T) {
			e := emulator.New(emulator.Options{})
			for i, s := range tt.steps {
				serve(t, e, http.MethodPost, emulator.EventsPath, s.body)
				r := e.Requests()[i]
				if r.Verdict != s.verdict || r.DedupKey != s.dedupKey {
					t.Errorf("step %d: verdict %q, dedup key %q; want %q, %q (reason %q)", i, r.Verdict, r.DedupKey, s.verdict, s.dedupKey, r.Reason)
				}
			}
			got := e.Alerts()
			for i := range got {
				got[i].History, got[i].Created, got[i].Updated = nil, time.Time{}, time.Time{}
			}
			if diff := cmp.Diff(tt.want, got, cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("alerts mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

// alert is an alert opened by trigger(), without history or times.
func alert(dedupKey, status string, count int) emulator.Alert {
	return emulator.Alert{
		RoutingKey: key,
		DedupKey:   dedupKey,
		Status:     status,
		Severity:   "critical",
		Summary:    "DISK at 99% on machine prod-datapipe03.example.com",
		Source:     "prod-datapipe03.example.com",
		Count:      count,
	}
}

func TestEmulator_AlertState_History(t *testing.T) {
	c := newClock()
	t0 := c.Now()
	e := emulator.New(emulator.Options{Now: c.Now})
	send := func(body string) {
		serve(t, e, http.MethodPost, emulator.EventsPath, body)
		c.Add(time.Second)
	}
	send(trigger())
	send(trigger(set("payload.summary", "DISK at 100%"), set("payload.severity", "error")))
	send(ack(key, "srv01/HTTP"))
	// A resolve carrying its trigger's payload, as fluxpd sends it.
	send(encode(body{"routing_key": key, "event_action": "resolve", "dedup_key": "srv01/HTTP",
		"payload": map[string]any{"summary": "DISK at 40%", "source": "prod-datapipe03.example.com", "severity": "info"}}, nil))
	send(resolve(key, "srv01/HTTP")) // dropped: not in the history

	a := alert("srv01/HTTP", "resolved", 2)
	a.Created, a.Updated = t0, t0.Add(3*time.Second)
	a.History = []emulator.AlertEvent{
		{Time: t0, Action: "trigger", Severity: "critical", Summary: "DISK at 99% on machine prod-datapipe03.example.com", Source: "prod-datapipe03.example.com", Payload: true},
		{Time: t0.Add(time.Second), Action: "trigger", Severity: "error", Summary: "DISK at 100%", Source: "prod-datapipe03.example.com", Payload: true},
		{Time: t0.Add(2 * time.Second), Action: "acknowledge"},
		{Time: t0.Add(3 * time.Second), Action: "resolve", Severity: "info", Summary: "DISK at 40%", Source: "prod-datapipe03.example.com", Payload: true},
	}
	if diff := cmp.Diff([]emulator.Alert{a}, e.Alerts()); diff != "" {
		t.Errorf("alerts mismatch (-want +got):\n%s", diff)
	}
	reasons := []string{}
	for _, r := range e.Requests() {
		reasons = append(reasons, r.Reason)
	}
	want := []string{
		"opened a new alert",
		"deduplicated into the triggered alert, count 2",
		"",
		"",
		"the alert with this dedup key is already resolved",
	}
	if diff := cmp.Diff(want, reasons); diff != "" {
		t.Errorf("reasons mismatch (-want +got):\n%s", diff)
	}
}

func TestEmulator_TriggerWithoutDedupKey_AlwaysOpens(t *testing.T) {
	e := emulator.New(emulator.Options{})
	keys := map[string]bool{}
	for range 3 {
		_, got := serve(t, e, http.MethodPost, emulator.EventsPath, trigger(del("dedup_key")))
		if !generatedKey.MatchString(got.DedupKey) {
			t.Errorf("generated dedup key %q is not 32 hexadecimal characters", got.DedupKey)
		}
		keys[got.DedupKey] = true
	}
	if len(keys) != 3 || len(e.Alerts()) != 3 {
		t.Errorf("got %d distinct keys and %d alerts, want 3 and 3", len(keys), len(e.Alerts()))
	}
	// The generated key can then be used to resolve.
	var k string
	for k = range keys {
		break
	}
	serve(t, e, http.MethodPost, emulator.EventsPath, resolve(key, k))
	if got := e.Requests()[3].Verdict; got != emulator.VerdictAccepted {
		t.Errorf("resolve with the generated key: verdict %q, want accepted", got)
	}
}

func TestEmulator_Reset(t *testing.T) {
	e := emulator.New(emulator.Options{Latency: time.Millisecond})
	serve(t, e, http.MethodPost, emulator.EventsPath, trigger())
	e.Inject(emulator.Fault{Status: 500})
	e.SetLatency(time.Hour)
	e.Reset()
	if len(e.Requests()) != 0 || len(e.Alerts()) != 0 || len(e.Faults()) != 0 || e.Latency() != time.Millisecond {
		t.Errorf("after Reset: %d requests, %d alerts, %d faults, latency %s; want 0, 0, 0, 1ms",
			len(e.Requests()), len(e.Alerts()), len(e.Faults()), e.Latency())
	}
	serve(t, e, http.MethodPost, emulator.EventsPath, trigger())
	if r := e.Requests(); len(r) != 1 || r[0].ID != 1 {
		t.Errorf("after Reset the first request is %+v, want ID 1", r)
	}
}
