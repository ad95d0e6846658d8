package pagerduty

import (
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/fluxpd/fluxpd/internal/delivery"
	"github.com/fluxpd/fluxpd/internal/event"
)

// This file holds what the host is told about events: a Failure for each
// one not accepted (Host.Report), a Note for each one changed on its way
// (Host.Note).

// Failure describes a send that did not end with a 2xx answer. Every text
// field has the routing key masked and URLs without userinfo or query.
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
		fmt.Fprintf(&b, "%d %s from %s", f.Status, http.StatusText(f.Status), f.URL)
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

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}

// newFailure describes the outcome of a send that did not end with a 2xx
// answer; routingKey is masked in every field.
func newFailure(m message, resp *delivery.Response, err error) Failure {
	routingKey := m.routingKey
	f := Failure{Function: m.function, URL: shownURL(m.url), DedupKey: m.dedupKey}
	if resp != nil {
		f.Status, f.Attempts = resp.StatusCode, resp.Attempts
		f.Reason = answerReason(resp)
	}
	var de *delivery.Error
	if errors.As(err, &de) {
		f.Status, f.Attempts = de.StatusCode, de.Attempts
	}
	if f.Reason == "" && err != nil {
		f.Reason = err.Error()
	}
	// Delivery and the outbox mask what they return; a refusal is the
	// binding's own text, masked like its other errors.
	f.Reason = oneLine(errors.New(f.Reason), routingKey)
	f.DedupKey = masked(f.DedupKey, routingKey)
	return f
}

// answerReason is PagerDuty's message and errors, or the raw answer when it
// is not PagerDuty's JSON.
func answerReason(r *delivery.Response) string {
	msg := r.Message
	if len(r.Errors) > 0 {
		msg = strings.TrimSpace(msg + ": " + strings.Join(r.Errors, "; "))
	}
	if msg == "" {
		msg = strings.TrimSpace(r.Body)
	}
	return msg
}

// refusal describes an event refused before sending.
func refusal(m message, err error) Failure {
	return newFailure(m, nil, err)
}

// report hands a failed send to the host, if it asked for them.
func (s settings) reportFailure(f Failure) {
	if s.report != nil {
		s.report(f)
	}
}

// Note says how an event was changed on its way to PagerDuty. Every field
// has the routing key masked.
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

// notify hands the host a Note for each change the event core made to m's
// event, if it asked for them.
func (s settings) notify(m message, n event.Notice) {
	if s.note == nil {
		return
	}
	for _, text := range n.Messages() {
		s.note(Note{
			Function: m.function,
			DedupKey: masked(m.dedupKey, m.routingKey),
			Text:     oneLine(errors.New(text), m.routingKey),
		})
	}
}
