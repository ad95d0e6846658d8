package emulator_test

import (
	"encoding/json"
	"net/http"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/fluxpd/fluxpd/internal/emulator"
)

// requestJSON and alertJSON mirror the documented inspection JSON.
type requestJSON struct {
	ID         int              `json:"id"`
	Time       time.Time        `json:"time"`
	Method     string           `json:"method"`
	Path       string           `json:"path"`
	Status     int              `json:"status"`
	Verdict    emulator.Verdict `json:"verdict"`
	Errors     []string         `json:"errors"`
	Reason     string           `json:"reason"`
	Kind       string           `json:"kind"`
	RoutingKey string           `json:"routing_key"`
	Action     string           `json:"action"`
	DedupKey   string           `json:"dedup_key"`
	Severity   string           `json:"severity"`
	Summary    string           `json:"summary"`
	Source     string           `json:"source"`
}

type alertJSON struct {
	RoutingKey string      `json:"routing_key"`
	DedupKey   string      `json:"dedup_key"`
	Status     string      `json:"status"`
	Severity   string      `json:"severity"`
	Summary    string      `json:"summary"`
	Source     string      `json:"source"`
	Count      int         `json:"count"`
	Created    time.Time   `json:"created"`
	Updated    time.Time   `json:"updated"`
	History    []eventJSON `json:"history"`
}

type eventJSON struct {
	Time     time.Time `json:"time"`
	Action   string    `json:"action"`
	Severity string    `json:"severity"`
	Summary  string    `json:"summary"`
}

func TestEmulator_Inspect(t *testing.T) {
	c := newClock()
	t0 := c.Now()
	e := emulator.New(emulator.Options{Now: c.Now})
	serve(t, e, http.MethodPost, emulator.EventsPath, trigger())
	serve(t, e, http.MethodPost, emulator.EventsPath, trigger(set("payload.severity", "fatal")))

	var reqs []requestJSON
	inspect(t, e, http.MethodGet, "requests", "", http.StatusOK, &reqs)
	base := requestJSON{
		Time: t0, Method: "POST", Path: "/v2/enqueue", Kind: "alert", RoutingKey: keyMask,
		Action: "trigger", DedupKey: "srv01/HTTP", Severity: "critical",
		Summary: "DISK at 99% on machine prod-datapipe03.example.com", Source: "prod-datapipe03.example.com",
	}
	r1, r2 := base, base
	r1.ID, r1.Status, r1.Verdict, r1.Reason = 1, 202, "accepted", "opened a new alert"
	r2.ID, r2.Status, r2.Verdict, r2.Severity, r2.Errors = 2, 400, "rejected", "fatal", []string{errSeverity}
	if diff := cmp.Diff([]requestJSON{r1, r2}, reqs); diff != "" {
		t.Errorf("requests mismatch (-want +got):\n%s", diff)
	}

	var alerts []alertJSON
	inspect(t, e, http.MethodGet, "alerts", "", http.StatusOK, &alerts)
	want := []alertJSON{{
		RoutingKey: keyMask, DedupKey: "srv01/HTTP", Status: "triggered", Severity: "critical",
		Summary: base.Summary, Source: base.Source, Count: 1, Created: t0, Updated: t0,
		History: []eventJSON{{Time: t0, Action: "trigger", Severity: "critical", Summary: base.Summary}},
	}}
	if diff := cmp.Diff(want, alerts); diff != "" {
		t.Errorf("alerts mismatch (-want +got):\n%s", diff)
	}

	inspect(t, e, http.MethodPost, "reset", "", http.StatusOK, nil)
	if len(e.Requests()) != 0 || len(e.Alerts()) != 0 {
		t.Errorf("POST /_emulator/reset did not reset")
	}
	var empty []any
	inspect(t, e, http.MethodGet, "alerts", "", http.StatusOK, &empty)
	if empty == nil || len(empty) != 0 {
		t.Errorf("alerts after reset = %#v, want []", empty)
	}
}

func TestEmulator_Inspect_Errors(t *testing.T) {
	e := emulator.New(emulator.Options{})
	tests := []struct {
		method, name, body string
		status             int
	}{
		{http.MethodGet, "nope", "", http.StatusNotFound},
		{http.MethodGet, "reset", "", http.StatusMethodNotAllowed},
		{http.MethodPost, "requests", "", http.StatusMethodNotAllowed},
		{http.MethodDelete, "latency", "", http.StatusMethodNotAllowed},
		{http.MethodPut, "latency", `{"latency":"-1s"}`, http.StatusBadRequest},
		{http.MethodPut, "latency", `{"delay":"1s"}`, http.StatusBadRequest},
		{http.MethodPost, "faults", `{"status":"500"}`, http.StatusBadRequest},
	}
	for _, tt := range tests {
		var got struct{ Status, Message string }
		inspect(t, e, tt.method, tt.name, tt.body, tt.status, &got)
		if got.Status != "error" || got.Message == "" {
			t.Errorf("%s %s: body %+v, want an error message", tt.method, tt.name, got)
		}
	}
	if len(e.Requests()) != 0 {
		t.Errorf("inspection requests were recorded as events")
	}
}

// inspect calls /_emulator/name and decodes the JSON answer into v.
func inspect(t *testing.T, e http.Handler, method, name, body string, status int, v any) {
	t.Helper()
	rec := httptestRecorder(e, method, emulator.InspectPrefix+name, body)
	if rec.Code != status {
		t.Fatalf("%s %s: status %d, want %d; body %s", method, name, rec.Code, status, rec.Body)
	}
	if ct := rec.Header().Get("Content-Type"); ct != "application/json" {
		t.Errorf("%s %s: Content-Type %q", method, name, ct)
	}
	if v != nil {
		if err := json.Unmarshal(rec.Body.Bytes(), v); err != nil {
			t.Fatalf("%s %s: %v: %s", method, name, err, rec.Body)
		}
	}
}
