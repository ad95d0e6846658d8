package main

// What docsRun checks on the fluxpd emulator: the one event the example
// sent, field by field against the stored status (docsStatus), read from
// its body as received (the emulator's raw view, routing key masked).

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"reflect"
	"time"

	"github.com/fluxpd/fluxpd/integrations/e2e"
)

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

// checkDocsEvent checks that reqs is one accepted alert event that
// carries the status stored at t.
func checkDocsEvent(reqs []e2e.Request, t time.Time) (string, error) {
	if len(reqs) != 1 {
		return "", fmt.Errorf("the emulator got %d requests during the query, want exactly 1: %s", len(reqs), e2e.Pretty(reqs))
	}
	r := reqs[0]
	if r.Path != "/v2/enqueue" || r.Status != http.StatusAccepted || r.Verdict != "accepted" {
		return "", fmt.Errorf("the emulator's request: %s %d %s, want /v2/enqueue 202 accepted: %s", r.Path, r.Status, r.Verdict, e2e.Pretty(r))
	}
	var got docsEvent
	if err := json.Unmarshal([]byte(r.RawBody), &got); err != nil {
		return "", fmt.Errorf("the emulator's request #%d: body: %v: %q (%s)", r.ID, err, r.RawBody, r.RawBodyNote)
	}
	if want := wantDocsEvent(t); !reflect.DeepEqual(got, want) {
		return "", fmt.Errorf("the event sent is not the stored status\nwant: %s\ngot:  %s", e2e.Pretty(want), e2e.Pretty(got))
	}
	var body bytes.Buffer
	_ = json.Compact(&body, []byte(r.RawBody))
	return fmt.Sprintf("the emulator got 1 event (#%d, 202 accepted) with the stored status: %s", r.ID, body.String()), nil
}
