package relaytest

import (
	"encoding/json"
	"fmt"
)

// Mark identifies one event of a load: its alert and its place in that
// alert's sequence (from 1). It travels in the event's custom_details, so
// that whatever receives the event can tell which one it is.
type Mark struct {
	Alert int `json:"alert"`
	Seq   int `json:"seq"`
}

func (m Mark) String() string { return fmt.Sprintf("alert %d event %d", m.Alert, m.Seq) }

// Event is one event of a load.
type Event struct {
	Mark
	RoutingKey string
	DedupKey   string
	Action     string
}

// alertCycle is the sequence each alert of a load goes through, again and
// again: opened, updated (a second trigger, deduplicated into the first),
// acknowledged, resolved.
var alertCycle = []string{"trigger", "trigger", "acknowledge", "resolve"}

// RoutingKey is the i-th routing key of a load (i ≥ 0): 32 printable
// characters, as PagerDuty's integration keys are, and plainly not a real
// one.
func RoutingKey(i int) string { return fmt.Sprintf("relaytestkey%020d", i) }

// RoutingKeys returns the first n routing keys of a load.
func RoutingKeys(n int) []string {
	keys := make([]string, n)
	for i := range keys {
		keys[i] = RoutingKey(i)
	}
	return keys
}

// NewEvent is event seq (from 1) of alert a of a load over keys routing
// keys: alertCycle's action for seq, routing key a mod keys.
func NewEvent(a, seq, keys int) Event {
	return Event{
		Mark:       Mark{Alert: a, Seq: seq},
		RoutingKey: RoutingKey(a % keys),
		DedupKey:   fmt.Sprintf("relaytest-alert-%04d", a),
		Action:     alertCycle[(seq-1)%len(alertCycle)],
	}
}

// Load returns n events over alerts alerts and keys routing keys, one
// slice per alert, each in the order it must be sent and delivered:
// alertCycle over and over (NewEvent). n is spread evenly, the first
// alerts taking one more when it does not divide.
func Load(n, alerts, keys int) [][]Event {
	out := make([][]Event, alerts)
	for a := range out {
		count := n / alerts
		if a < n%alerts {
			count++
		}
		for s := 1; s <= count; s++ {
			out[a] = append(out[a], NewEvent(a, s, keys))
		}
	}
	return out
}

// wireEvent is an Events API v2 alert event as the load sends it.
type wireEvent struct {
	RoutingKey  string      `json:"routing_key"`
	EventAction string      `json:"event_action"`
	DedupKey    string      `json:"dedup_key"`
	Payload     wirePayload `json:"payload"`
}

type wirePayload struct {
	Summary       string `json:"summary"`
	Source        string `json:"source"`
	Severity      string `json:"severity"`
	CustomDetails Mark   `json:"custom_details"`
}

// Body is the event as JSON: a valid Events API v2 alert event carrying
// its Mark in payload.custom_details. Acknowledge and resolve carry the
// payload too, as Alertmanager and Flux send them.
func (e Event) Body() []byte {
	b, err := json.Marshal(wireEvent{
		RoutingKey:  e.RoutingKey,
		EventAction: e.Action,
		DedupKey:    e.DedupKey,
		Payload: wirePayload{
			Summary:       fmt.Sprintf("relay test: %s, %s", e.Mark, e.Action),
			Source:        "relaytest.example.com",
			Severity:      "critical",
			CustomDetails: e.Mark,
		},
	})
	if err != nil {
		panic(err) // strings and ints only: cannot fail
	}
	return b
}

// ReadMark reads the Mark of an event body; false when it has none.
func ReadMark(body []byte) (Mark, bool) {
	var v struct {
		Payload struct {
			CustomDetails *Mark `json:"custom_details"`
		} `json:"payload"`
	}
	if err := json.Unmarshal(body, &v); err != nil || v.Payload.CustomDetails == nil || v.Payload.CustomDetails.Seq < 1 {
		return Mark{}, false
	}
	return *v.Payload.CustomDetails, true
}
