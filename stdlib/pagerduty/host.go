package pagerduty

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/fluxpd/fluxpd/internal/delivery"
	"github.com/fluxpd/fluxpd/internal/event"
)

// Host holds what the program running Flux decides for every query: the
// server-wide default URLs (a PagerDuty region, a proxy, a local
// emulator) and where failed sends are reported. A script's own options
// and arguments still win over URL and ChangeURL.
type Host struct {
	// URL and ChangeURL replace the package's default URLs; "" keeps them.
	URL, ChangeURL string
	// Report, when not nil, is called once for every event that was not
	// accepted: refused before sending, answered other than 2xx, no answer,
	// or queued in the outbox. It is called from the goroutine that sent.
	Report func(Failure)
	// Note, when not nil, is called once for every event sent other than
	// as the script gave it: a summary cut to PagerDuty's 1024
	// characters, or an acknowledge or resolve sent without the payload
	// fields that would not make a valid payload. It is called from the
	// goroutine that builds the event, before it is sent.
	Note func(Note)
	// Outbox, when not nil, stores every event whose delivery ended with a
	// retryable outcome (429, 5xx, no answer, deadline spent) and every
	// event whose alert already has events waiting there, for redelivery
	// in order. The script then sees the last status and no error.
	Outbox *Outbox
	// FlushFirst makes a send whose alert has events waiting in the outbox
	// try to deliver those first (fluxpd run does; servers leave it to
	// their background RunOutbox).
	FlushFirst bool
}

type hostKey struct{}

// WithHost returns a context whose pagerduty calls use h.
func WithHost(ctx context.Context, h Host) context.Context {
	return context.WithValue(ctx, hostKey{}, h)
}

// Validate checks the host's URLs, so that a server can refuse to start
// with a bad one rather than fail every send.
func (h Host) Validate() error {
	var errs []error
	if h.URL != "" {
		errs = append(errs, delivery.CheckURL("the default PagerDuty URL", h.URL, DefaultURL))
	}
	if h.ChangeURL != "" {
		errs = append(errs, delivery.CheckURL("the default PagerDuty change URL", h.ChangeURL, DefaultChangeURL))
	}
	return errors.Join(errs...)
}

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
