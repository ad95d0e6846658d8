package main

// What docs-run checks on the fluxpd emulator: the one event the example
// sent, field by field against the stored status (docsStatus).

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"reflect"
	"strings"
	"time"

	"github.com/fluxpd/fluxpd/integrations/e2e"
)

// docsRequest is a request in the emulator's GET /_emulator/requests, with
// its body (routing key masked) kept raw: a refused body need not be an
// event.
type docsRequest struct {
	ID      int             `json:"id"`
	Path    string          `json:"path"`
	Status  int             `json:"status"`
	Verdict string          `json:"verdict"`
	Errors  []string        `json:"errors"`
	Body    json.RawMessage `json:"body"`
}

// docsEvent is the part of an alert event's JSON body the example sets.
type docsEvent struct {
	Client      string      `json:"client"`
	ClientURL   string      `json:"client_url"`
	DedupKey    string      `json:"dedup_key"`
	EventAction string      `json:"event_action"`
	Payload     docsPayload `json:"payload"`
}

type docsPayload struct {
	Summary       string         `json:"summary"`
	Severity      string         `json:"severity"`
	Source        string         `json:"source"`
	Component     string         `json:"component"`
	Group         string         `json:"group"`
	Class         string         `json:"class"`
	Timestamp     string         `json:"timestamp"`
	CustomDetails map[string]any `json:"custom_details"`
}

// wantDocsEvent is the event the example must make of the status stored
// at t: its fields as they are, the dedup key the example derives from
// source, the time as RFC 3339 in UTC.
func wantDocsEvent(t time.Time) docsEvent {
	s := docsStatus
	return docsEvent{
		Client: s["client"], ClientURL: s["clientURL"], DedupKey: s["source"], EventAction: s["eventAction"],
		Payload: docsPayload{
			Summary: s["summary"], Severity: s["status"], Source: s["source"], Component: s["component"],
			Group: s["group"], Class: s["class"], Timestamp: t.UTC().Format(time.RFC3339Nano),
			CustomDetails: map[string]any{"ping time": docsPing, "cpu": docsCPU},
		},
	}
}

// emuRequests returns every request the emulator at emu has recorded.
func emuRequests(emu string) ([]docsRequest, error) {
	var reqs []docsRequest
	err := e2e.GetJSON(client, strings.TrimSuffix(emu, "/")+"/_emulator/requests", &reqs)
	return reqs, err
}

// newRequests returns the requests of after that before did not have.
func newRequests(before, after []docsRequest) []docsRequest {
	last := 0
	for _, r := range before {
		last = max(last, r.ID)
	}
	var fresh []docsRequest
	for _, r := range after {
		if r.ID > last {
			fresh = append(fresh, r)
		}
	}
	return fresh
}

// checkDocsEvent checks that reqs is one accepted alert event that
// carries the status stored at t.
func checkDocsEvent(reqs []docsRequest, t time.Time) (string, error) {
	if len(reqs) != 1 {
		return "", fmt.Errorf("the emulator got %d requests during the query, want exactly 1: %s", len(reqs), e2e.Pretty(reqs))
	}
	r := reqs[0]
	if r.Path != "/v2/enqueue" || r.Status != http.StatusAccepted || r.Verdict != "accepted" {
		return "", fmt.Errorf("the emulator's request: %s %d %s, want /v2/enqueue 202 accepted: %s", r.Path, r.Status, r.Verdict, e2e.Pretty(r))
	}
	var got docsEvent
	if err := json.Unmarshal(r.Body, &got); err != nil {
		return "", fmt.Errorf("the emulator's request #%d: body: %v: %s", r.ID, err, r.Body)
	}
	if want := wantDocsEvent(t); !reflect.DeepEqual(got, want) {
		return "", fmt.Errorf("the event sent is not the stored status\nwant: %s\ngot:  %s", e2e.Pretty(want), e2e.Pretty(got))
	}
	var body bytes.Buffer
	_ = json.Compact(&body, r.Body)
	return fmt.Sprintf("the emulator got 1 event (#%d, 202 accepted) with the stored status: %s", r.ID, body.String()), nil
}
