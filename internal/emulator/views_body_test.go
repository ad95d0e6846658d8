package emulator_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/fluxpd/fluxpd/internal/emulator/emulatortest"
)

// servedRequest is the part of GET /_emulator/requests these tests read.
type servedRequest struct {
	ID         int            `json:"id"`
	Kind       string         `json:"kind"`
	Verdict    string         `json:"verdict"`
	RoutingKey string         `json:"routing_key"`
	Body       map[string]any `json:"body"`
	BodyNote   string         `json:"body_note"`
}

// servedAlert is the part of GET /_emulator/alerts these tests read.
type servedAlert struct {
	DedupKey string `json:"dedup_key"`
	History  []struct {
		Action  string         `json:"action"`
		Request int            `json:"request"`
		Body    map[string]any `json:"body"`
	} `json:"history"`
}

// decodeJSON decodes s into a new T, failing t if it does not decode.
func decodeJSON[T any](t *testing.T, what, s string) T {
	t.Helper()
	var v T
	if err := json.Unmarshal([]byte(s), &v); err != nil {
		t.Fatalf("%s is not the JSON expected: %v\n%s", what, err, s)
	}
	return v
}

// masked returns an event body as the views should serve it: decoded,
// with its routing key replaced by the masked key.
func masked(t *testing.T, event string) map[string]any {
	t.Helper()
	b := decodeJSON[map[string]any](t, "the event", event)
	b["routing_key"] = keyMask
	return b
}

// TestEmulator_Requests_FullBody checks that GET /_emulator/requests
// serves every field of every event, the unknown ones included, with the
// routing key masked.
func TestEmulator_Requests_FullBody(t *testing.T) {
	s := emulatortest.New(t)
	events := []struct{ url, body string }{
		{s.EventsURL(), trigger(set("x_unknown_field", map[string]any{"kept": true}))},
		{s.EventsURL(), ack(key, "srv01/HTTP")},
		{s.EventsURL(), trigger(del("payload.source"), set("client_url", "javascript:alert(1)"))}, // rejected
		{s.ChangeURL(), change()},
	}
	for _, ev := range events {
		post(t, ev.url, ev.body)
	}
	got := decodeJSON[[]servedRequest](t, "/_emulator/requests", get(t, s.URL()+"/_emulator/requests"))
	if len(got) != len(events) {
		t.Fatalf("/_emulator/requests lists %d requests, want %d", len(got), len(events))
	}
	for i, ev := range events {
		if diff := cmp.Diff(masked(t, ev.body), got[i].Body); diff != "" {
			t.Errorf("request #%d (%s, %s): body mismatch (-want +got):\n%s", got[i].ID, got[i].Kind, got[i].Verdict, diff)
		}
		if got[i].BodyNote != "" {
			t.Errorf("request #%d: body_note = %q, want none", got[i].ID, got[i].BodyNote)
		}
	}
	if got[3].Kind != "change" || got[3].Verdict != "accepted" {
		t.Errorf("request #4 is %s %s, want an accepted change event", got[3].Kind, got[3].Verdict)
	}
}

// TestEmulator_Alerts_FullBody checks that every event of an alert's
// history in GET /_emulator/alerts names its request and carries its
// masked body.
func TestEmulator_Alerts_FullBody(t *testing.T) {
	s := emulatortest.New(t)
	post(t, s.ChangeURL(), change()) // request 1, not an alert event
	opening := trigger(set("payload.custom_details", map[string]any{"runbook step": []any{1, "restart", map[string]any{"ok": nil}}}))
	post(t, s.EventsURL(), opening)
	post(t, s.EventsURL(), ack(key, "srv01/HTTP"))
	got := decodeJSON[[]servedAlert](t, "/_emulator/alerts", get(t, s.URL()+"/_emulator/alerts"))
	if len(got) != 1 || len(got[0].History) != 2 {
		t.Fatalf("/_emulator/alerts = %+v, want one alert with two events", got)
	}
	for i, want := range []struct {
		action  string
		request int
		body    string
	}{
		{"trigger", 2, opening},
		{"acknowledge", 3, ack(key, "srv01/HTTP")},
	} {
		h := got[0].History[i]
		if h.Action != want.action || h.Request != want.request {
			t.Errorf("history[%d] = %s from request %d, want %s from request %d", i, h.Action, h.Request, want.action, want.request)
		}
		if diff := cmp.Diff(masked(t, want.body), h.Body); diff != "" {
			t.Errorf("history[%d]: body mismatch (-want +got):\n%s", i, diff)
		}
	}
}

// TestEmulator_Views_BodyMasking checks that the routing key is masked
// wherever a sender put it in the body, and that bodies the views cannot
// show safely are left out with a note.
func TestEmulator_Views_BodyMasking(t *testing.T) {
	const wrongLengthKey = "s3cr3tWrongLength0123456789"
	wrongLengthMask := "s3cr" + strings.Repeat("*", len(wrongLengthKey)-6) + "89"
	tests := []struct {
		name     string
		body     string
		wantNote string
		want     []string // in the served JSON
	}{
		{name: "key in summary, member name and link",
			body: trigger(set("payload.summary", "key "+key), set("payload.custom_details", map[string]any{key: key}),
				set("links", []any{map[string]any{"href": "https://x.example/?k=" + key}})),
			want: []string{`"summary": "key ` + keyMask + `"`, `"` + keyMask + `": "` + keyMask + `"`, `"href": "https://x.example/?k=` + keyMask + `"`}},
		{name: "wrong-length key, rejected",
			body: trigger(set("routing_key", wrongLengthKey), set("payload.source", wrongLengthKey)),
			want: []string{`"routing_key": "` + wrongLengthMask + `"`, `"source": "` + wrongLengthMask + `"`}},
		{name: "key sent as a number",
			body:     `{"routing_key": 12345678901234567890123456789012, "event_action": "trigger"}`,
			want:     []string{`"routing_key": "1234**************************12"`},
			wantNote: ""},
		{name: "not JSON", body: "{not json " + key, wantNote: "not shown: the body is not a JSON object"},
		{name: "JSON but not an object", body: `["` + key + `"]`, wantNote: "not shown: the body is not a JSON object"},
		{name: "data after the object", body: trigger() + ` "` + key + `"`, wantNote: "not shown: the body is not a JSON object"},
		{name: "over 512000 bytes", body: trigger(set("payload.custom_details", map[string]any{"big": strings.Repeat("x", 512001)})),
			wantNote: "not shown: the body is over PagerDuty's 512000-byte limit"},
		{name: "numbers keep their text", body: trigger(set("payload.custom_details", map[string]any{"n": json.Number("12345678901234567890.50")})),
			want: []string{`"n": 12345678901234567890.50`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := emulatortest.New(t)
			post(t, s.EventsURL(), tt.body)
			raw := get(t, s.URL()+"/_emulator/requests")
			for _, secret := range []string{key, wrongLengthKey, "12345678901234567890123456789012"} {
				if strings.Contains(raw, secret) {
					t.Errorf("/_emulator/requests leaks %q:\n%s", secret, raw)
				}
			}
			for _, want := range tt.want {
				if !strings.Contains(raw, want) {
					t.Errorf("/_emulator/requests lacks %s:\n%.2000s", want, raw)
				}
			}
			got := decodeJSON[[]servedRequest](t, "/_emulator/requests", raw)
			if len(got) != 1 {
				t.Fatalf("%d requests served, want 1", len(got))
			}
			if got[0].BodyNote != tt.wantNote || (tt.wantNote != "") != (got[0].Body == nil) {
				t.Errorf("body_note = %q with body %v, want note %q and a body only without one", got[0].BodyNote, got[0].Body != nil, tt.wantNote)
			}
		})
	}
}
