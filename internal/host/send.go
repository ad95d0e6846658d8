package host

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/fluxpd/fluxpd/internal/delivery"
	"github.com/fluxpd/fluxpd/internal/outbox"
	"github.com/fluxpd/fluxpd/internal/redact"
)

// Message is one event ready to send: its encoded body and what a report
// about it needs.
type Message struct {
	// Function is the Flux function sending it, for reports.
	Function string
	// URL is where the call resolved to send it.
	URL string
	// Target, when set, is URL checked already (delivery.ParseTarget):
	// the send trusts it instead of checking URL again.
	Target     delivery.Target
	Body       []byte
	RoutingKey string
	DedupKey   string
	// Action and Summary are the event's, for Sent.
	Action, Summary string
}

// Result is how one send ended.
type Result struct {
	// Response is the last answer, nil if none came (or the event was
	// lost: its answer is then in Err).
	Response *delivery.Response
	// Err says why the send failed; nil after a 2xx.
	Err error
	// Queued, when not empty, says the event waits in the outbox, and why.
	Queued string
	// Lost: neither PagerDuty nor the outbox took the event; Err gives
	// both reasons.
	Lost bool
	// Status is the last HTTP status, 0 when no answer came.
	Status int
}

// Accepted reports a 2xx answer.
func (r Result) Accepted() bool { return r.Err == nil && r.Status/100 == 2 }

// Send delivers m with sender (diverted when h diverts), through the
// outbox when h keeps one, and tells h's Report, Sent, Metrics and Log how
// it ended. A non-2xx answer is a Result, not an error.
func (h *Host) Send(ctx context.Context, sender *delivery.Sender, m Message) Result {
	start := time.Now()
	sender = h.Sender(sender)
	var r Result
	switch {
	case h.Outbox == nil && !m.Target.IsZero():
		r.Response, r.Err = sender.SendTo(ctx, m.Target, m.Body, m.RoutingKey)
	case h.Outbox == nil:
		r.Response, r.Err = sender.Send(ctx, m.URL, m.Body, m.RoutingKey)
	default:
		r = h.deliverVia(ctx, sender, m)
	}
	r.Status = delivery.Summarize(r.Response, r.Err).Status
	h.tell(m, r, time.Since(start))
	return r
}

// deliverVia sends m through the outbox, which queues it when the send
// ends with a retryable outcome or its alert already waits there. With
// FlushFirst, it first tries the head of m's alert once, if the alert
// waits there, and no other alert: each new event of a waiting alert
// costs at most one request more during an outage. An event that could
// not be stored is lost, and the result says so with both reasons.
func (h *Host) deliverVia(ctx context.Context, sender *delivery.Sender, m Message) Result {
	ob := h.Outbox
	if h.FlushFirst && ob.Pending(m.RoutingKey, m.DedupKey) {
		alert := &outbox.Group{RoutingKey: m.RoutingKey, DedupKey: m.DedupKey}
		_, _ = ob.Flush(ctx, outbox.FlushOptions{Sender: sender.OneAttempt(), Force: true, Group: alert})
	}
	d, err := ob.Deliver(ctx, sender, outbox.Entry{URL: m.URL, RoutingKey: m.RoutingKey, DedupKey: m.DedupKey, Body: m.Body})
	r := Result{Response: d.Response, Err: d.Err}
	if err != nil {
		r.Response, r.Lost = nil, true
		r.Err = fmt.Errorf("%w; the event was not stored in the outbox %s either, so it is lost: %w", orNoAnswer(d.Err), ob.Path(), err)
		return r
	}
	if d.Queued {
		r.Queued = d.Reason
		if r.Err == nil {
			r.Err = errors.New(d.Reason)
		}
	}
	return r
}

// orNoAnswer is the send's error, or what stood in for it when the event
// was not sent because earlier events of its alert wait in the outbox.
func orNoAnswer(err error) error {
	if err == nil {
		return errors.New("not sent, since earlier events for its dedup key wait in the outbox")
	}
	return err
}

// tell hands the outcome of m's send to whoever h names.
func (h *Host) tell(m Message, r Result, took time.Duration) {
	st := Sent{Outcome: Accepted, Status: r.Status}
	if r.Response != nil {
		st.Attempts = r.Response.Attempts
	}
	if !r.Accepted() {
		f := failure(m, r)
		h.report(f)
		st.Status, st.Attempts, st.Reason, st.Outcome = f.Status, f.Attempts, f.Reason, outcomeOf(r)
	}
	if r.Lost {
		h.Metrics.StoreFailed()
		if h.Log != nil {
			h.Log("pagerduty: an event was lost: " + failure(m, r).String())
		}
	}
	h.Metrics.Sent(m.Function, st.Outcome, st.Attempts, took)
	if h.Sent != nil {
		h.Sent(described(m, st))
	}
}

// Refused tells whoever h names that m was refused before sending, for
// err.
func (h *Host) Refused(m Message, err error) {
	h.report(failure(m, Result{Err: err}))
	st := Sent{Outcome: Invalid, Reason: oneLine(err.Error(), m.RoutingKey)}
	h.Metrics.Sent(m.Function, Invalid, 0, 0)
	if h.Sent != nil {
		h.Sent(described(m, st))
	}
}

// Notify tells h's Note each change the event core made to m's event.
func (h *Host) Notify(m Message, changes []string) {
	if h.Note == nil {
		return
	}
	for _, text := range changes {
		h.Note(Note{
			Function: m.Function,
			DedupKey: redact.String(m.DedupKey, m.RoutingKey),
			Text:     oneLine(text, m.RoutingKey),
		})
	}
}

func (h *Host) report(f Failure) {
	if h.Report != nil {
		h.Report(f)
	}
}

// outcomeOf says how a send that was not accepted ended.
func outcomeOf(r Result) Outcome {
	switch {
	case r.Queued != "":
		return Queued
	case !r.Lost && r.Status/100 == 4 && r.Status != 429:
		return Rejected
	}
	return Failed
}
