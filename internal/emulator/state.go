package emulator

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"time"
)

// alertKey identifies an alert: PagerDuty deduplicates per integration
// (routing key) and dedup key.
type alertKey struct {
	routingKey, dedupKey string
}

// alertState applies valid alert events to alerts, following
// https://developer.pagerduty.com/docs/events-api-v2-overview#alert-de-duplication:
// a trigger opens an alert or is deduplicated into the open one with its
// key; acknowledge and resolve act only on an open alert with the same
// routing key and dedup key, and are dropped otherwise; a trigger after a
// resolve opens a new alert.
type alertState struct {
	alerts []*Alert            // in creation order
	latest map[alertKey]*Alert // newest alert per key
	// requests holds, per alert, the Request.ID of each event of its
	// History, so that the views can show each event's whole body.
	requests map[*Alert][]int
}

func newAlertState() alertState {
	return alertState{latest: make(map[alertKey]*Alert), requests: make(map[*Alert][]int)}
}

// outcome is what applying an event did.
type outcome struct {
	verdict  Verdict
	reason   string
	dedupKey string // the alert's dedup key, generated for a keyless trigger
}

// apply applies a valid alert event at time now.
func (s *alertState) apply(ev event, now time.Time) outcome {
	if ev.action == ActionTrigger {
		return s.trigger(ev, now)
	}
	k := alertKey{ev.routingKey, ev.dedupKey}
	a := s.latest[k]
	if a == nil || !a.open() {
		return outcome{verdict: VerdictDropped, reason: s.whyDropped(k), dedupKey: ev.dedupKey}
	}
	if ev.action == ActionAcknowledge {
		a.Status = StatusAcknowledged
	} else {
		a.Status = StatusResolved
	}
	s.record(a, ev, now)
	return outcome{verdict: VerdictAccepted, dedupKey: a.DedupKey}
}

func (s *alertState) trigger(ev event, now time.Time) outcome {
	if ev.dedupKey == "" {
		ev.dedupKey = newDedupKey()
	}
	k := alertKey{ev.routingKey, ev.dedupKey}
	if a := s.latest[k]; a != nil && a.open() {
		a.Count++
		s.record(a, ev, now)
		return outcome{
			verdict:  VerdictAccepted,
			reason:   fmt.Sprintf("deduplicated into the %s alert, count %d", a.Status, a.Count),
			dedupKey: a.DedupKey,
		}
	}
	a := &Alert{
		RoutingKey: ev.routingKey,
		DedupKey:   ev.dedupKey,
		Status:     StatusTriggered,
		Severity:   ev.severity,
		Summary:    ev.summary,
		Source:     ev.source,
		Count:      1,
		Created:    now,
	}
	s.record(a, ev, now)
	s.alerts = append(s.alerts, a)
	s.latest[k] = a
	return outcome{verdict: VerdictAccepted, reason: "opened a new alert", dedupKey: a.DedupKey}
}

func (s *alertState) record(a *Alert, ev event, now time.Time) {
	a.Updated = now
	a.History = append(a.History, AlertEvent{
		Time:     now,
		Action:   ev.action,
		Severity: ev.severity,
		Summary:  ev.summary,
		Source:   ev.source,
		Payload:  ev.payload,
	})
	s.requests[a] = append(s.requests[a], ev.request)
}

// whyDropped explains why an acknowledge or resolve for k found no open
// alert. It never quotes a routing key.
func (s *alertState) whyDropped(k alertKey) string {
	if a := s.latest[k]; a != nil {
		return "the alert with this dedup key is already resolved"
	}
	for _, a := range s.alerts {
		if a.DedupKey == k.dedupKey && a.open() {
			return "no open alert with this dedup key for this routing key (an alert with this dedup key is open under another routing key)"
		}
	}
	return "no open alert with this dedup key"
}

// newDedupKey returns 32 random hexadecimal characters, the shape of the
// keys PagerDuty generates.
func newDedupKey() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b) // crypto/rand.Read never fails on supported platforms
	return hex.EncodeToString(b)
}

// snapshot returns copies of the alerts in creation order.
func (s *alertState) snapshot() []Alert {
	out := make([]Alert, len(s.alerts))
	for i, a := range s.alerts {
		out[i] = a.clone()
	}
	return out
}

// alertRecord is an alert with the request that carried each event of its
// history, for the views.
type alertRecord struct {
	Alert
	requests []Request // parallel to History
}

// records returns the alerts in creation order, each with the requests of
// its history, looked up in reqs (indexed by Request.ID-1). The requests
// share their bodies with reqs: callers must not modify them.
func (s *alertState) records(reqs []*Request) []alertRecord {
	out := make([]alertRecord, len(s.alerts))
	for i, a := range s.alerts {
		ids := s.requests[a]
		r := alertRecord{Alert: a.clone(), requests: make([]Request, len(ids))}
		for j, id := range ids {
			if id >= 1 && id <= len(reqs) {
				r.requests[j] = *reqs[id-1]
			}
		}
		out[i] = r
	}
	return out
}
