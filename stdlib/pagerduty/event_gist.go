package pagerduty

import "github.com/fluxpd/fluxpd/internal/event"

// Outcome is how the send of one event ended, as Host.Sent is told.
type Outcome int

// The outcomes of a send.
const (
	// Accepted: a 2xx answer.
	Accepted Outcome = iota + 1
	// Refused: a final answer other than 2xx (400, 404, …): sent again
	// unchanged, the event would be refused again.
	Refused
	// Queued: the event waits in the host's outbox for redelivery.
	Queued
	// Failed: no answer, or an answer worth retrying (429, 5xx) after the
	// retries, and the event is not in an outbox.
	Failed
	// Invalid: fluxpd refused the event before sending it.
	Invalid
)

// String names the outcome as the summaries of fluxpd run do.
func (o Outcome) String() string {
	switch o {
	case Accepted:
		return "accepted"
	case Refused:
		return "refused"
	case Queued:
		return "queued"
	case Failed:
		return "failed"
	case Invalid:
		return "invalid"
	}
	return "unknown"
}

// Sent describes one event a pagerduty call sent or refused. Every text
// field has the routing key masked and URLs without userinfo or query.
type Sent struct {
	// Function is the Flux function that sent: sendEvent, sendChangeEvent
	// or endpoint.
	Function string
	// URL is where the call resolved to send the event.
	URL string
	// DedupKey is the event's dedup key, "" when it had none.
	DedupKey string
	// Action is the event's event_action ("change" for a change event),
	// Summary its payload's summary; both "" when it was refused before
	// it was built.
	Action, Summary string
	Outcome         Outcome
	// Status is the last HTTP status, 0 when no answer came.
	Status int
	// Attempts is the number of requests sent.
	Attempts int
	// Reason is why it was not accepted, as in Failure; "" when it was.
	Reason string
}

// eventGist returns what a Sent names of an event the core built: its
// action and summary.
func eventGist(ev any) (action, summary string) {
	switch e := ev.(type) {
	case *event.Event:
		if e.Payload != nil {
			summary = e.Payload.Summary
		}
		return e.EventAction, summary
	case *event.ChangeEvent:
		if e.Payload != nil {
			summary = e.Payload.Summary
		}
		return "change", summary
	}
	return "", ""
}

// tellSent hands the host the outcome of m's send, if it asked for them.
func (s settings) tellSent(m message, o outcome) {
	if s.sent == nil {
		return
	}
	st := Sent{Outcome: Accepted, Status: o.status}
	if o.resp != nil {
		st.Attempts = o.resp.Attempts
	}
	if !o.accepted() {
		f := newFailure(m, o.resp, o.err)
		st.Status, st.Attempts, st.Reason = f.Status, f.Attempts, f.Reason
		st.Outcome = failedOutcome(o)
		if o.queued != "" {
			st.Reason = o.queued
		}
	}
	s.sent(s.describeSent(m, st))
}

// tellInvalid hands the host an event refused before sending.
func (s settings) tellInvalid(m message, err error) {
	if s.sent == nil {
		return
	}
	s.sent(s.describeSent(m, Sent{Outcome: Invalid, Reason: oneLine(err, m.routingKey)}))
}

// describeSent fills in what every Sent says of m.
func (s settings) describeSent(m message, st Sent) Sent {
	st.Function, st.URL = m.function, shownURL(m.url)
	st.DedupKey = masked(m.dedupKey, m.routingKey)
	st.Action = m.action
	st.Summary = masked(m.summary, m.routingKey)
	return st
}

// failedOutcome says how a send that was not accepted ended.
func failedOutcome(o outcome) Outcome {
	switch {
	case o.queued != "":
		return Queued
	case o.status/100 == 4 && o.status != 429:
		return Refused
	}
	return Failed
}
