package host

import (
	"fmt"
	"net/http"
	"strings"
)

// This file holds what a host is told about events: a Sent for every one,
// a Failure for each one not accepted, a Note for each one changed on its
// way. Every text field has the routing key masked and URLs shown without
// userinfo or query.

// Outcome is how the send of one event ended.
type Outcome int

// The outcomes of a send.
const (
	// Accepted: a 2xx answer.
	Accepted Outcome = iota + 1
	// Rejected: a final answer other than 2xx (400, 404, …): sent again
	// unchanged, the event would be rejected again.
	Rejected
	// Queued: the event waits in the host's outbox for redelivery.
	Queued
	// Failed: no answer, or an answer worth retrying (429, 5xx) after the
	// retries, and the event is not in an outbox.
	Failed
	// Invalid: fluxpd refused the event before sending it.
	Invalid
)

// String names the outcome as summaries and metrics do.
func (o Outcome) String() string {
	switch o {
	case Accepted:
		return "accepted"
	case Rejected:
		return "rejected"
	case Queued:
		return "queued"
	case Failed:
		return "failed"
	case Invalid:
		return "invalid"
	}
	return "unknown"
}

// Sent describes one event a pagerduty call sent or refused.
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

// Failure describes a send that did not end with a 2xx answer.
type Failure struct {
	// Function is the Flux function that sent: sendEvent, sendChangeEvent
	// or endpoint.
	Function string
	// URL is where the event was sent.
	URL string
	// DedupKey is the event's dedup key, "" when it had none.
	DedupKey string
	// Status is the last HTTP status, 0 when no answer came.
	Status int
	// Attempts is the number of requests sent.
	Attempts int
	// Reason is PagerDuty's message and errors, why no answer came, or why
	// the event was not sent.
	Reason string
	// Queued reports that the event waits in the outbox for redelivery.
	Queued bool
}

// String formats the failure as one log line.
func (f Failure) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "pagerduty.%s: ", f.Function)
	switch {
	case f.Status != 0:
		fmt.Fprintf(&b, "%s from %s", statusText(f.Status), f.URL)
	case f.Attempts == 0:
		fmt.Fprintf(&b, "not sent to %s", f.URL)
	default:
		fmt.Fprintf(&b, "no answer from %s", f.URL)
	}
	if f.Attempts > 0 {
		fmt.Fprintf(&b, " after %d attempt%s", f.Attempts, plural(f.Attempts))
	}
	if f.DedupKey != "" {
		fmt.Fprintf(&b, " (dedup key %q)", f.DedupKey)
	}
	if f.Reason != "" {
		b.WriteString(": " + f.Reason)
	}
	return b.String()
}

// Note says how an event was changed on its way to PagerDuty.
type Note struct {
	// Function is the Flux function that sent: sendEvent, sendChangeEvent
	// or endpoint.
	Function string
	// DedupKey is the event's dedup key, "" when it had none.
	DedupKey string
	// Text says what was changed and why, in one sentence.
	Text string
}

// String formats the note as one log line.
func (n Note) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "pagerduty.%s", n.Function)
	if n.DedupKey != "" {
		fmt.Fprintf(&b, " (dedup key %q)", n.DedupKey)
	}
	b.WriteString(": " + n.Text)
	return b.String()
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}

// statusText is "400 Bad Request", or "599" for a status Go has no name
// for.
func statusText(status int) string {
	if text := http.StatusText(status); text != "" {
		return fmt.Sprintf("%d %s", status, text)
	}
	return fmt.Sprint(status)
}
