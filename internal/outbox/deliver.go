package outbox

import (
	"context"
	"errors"
	"net/http"

	"github.com/fluxpd/fluxpd/internal/delivery"
)

// Sender posts one event body; *delivery.Sender satisfies it. Like
// *delivery.Sender, it must mask the secrets it is handed in everything it
// returns: the outbox stores and logs its errors as they are.
type Sender interface {
	Send(ctx context.Context, url string, body []byte, secrets ...string) (*delivery.Response, error)
}

// DefaultSender returns the sender Flush uses when none is given: one
// attempt per redelivery (the outbox does the backoff, reading the
// answer's Retry-After from the Response or Error), a 10 s timeout, no
// redirects.
func DefaultSender() *delivery.Sender {
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	return &delivery.Sender{
		Client: client,
		Policy: delivery.Policy{AttemptTimeout: delivery.DefaultAttemptTimeout}, // one attempt: the outbox schedules the next
	}
}

// Queueable reports whether a delivery that ended with resp and err should
// be queued for redelivery: a 429, a retryable 5xx (500, 502, 503, 504), a
// transport failure worth retrying, or a deadline spent. It is false for a
// success, for any other answer (400 and the like cannot succeed unchanged),
// for an invalid or refused URL and for a caller's cancellation.
func Queueable(resp *delivery.Response, err error) bool {
	if err == nil {
		return false
	}
	var de *delivery.Error
	if !errors.As(err, &de) {
		return errors.Is(err, context.DeadlineExceeded)
	}
	switch de.Kind {
	case delivery.KindHTTP, delivery.KindTransport:
		return de.Temporary()
	case delivery.KindCanceled:
		return errors.Is(err, context.DeadlineExceeded)
	}
	return false
}

// Delivery is what Deliver did with an event.
type Delivery struct {
	// Response and Err are what the sender returned; both nil when the
	// event was queued behind pending events without being sent.
	Response *delivery.Response
	Err      error
	// Queued reports that the event is now in the outbox, with ID.
	Queued bool
	ID     uint64
	// Reason says why it was queued, keys masked.
	Reason string
}

// Status is the last HTTP status, 0 when there was none.
func (d Delivery) Status() int {
	return delivery.Summarize(d.Response, d.Err).Status
}

// Deliver is what a caller with an outbox does for one event: if events
// for its (routing key, dedup key) are pending, it queues e behind them
// without sending; otherwise it sends e through s and queues it when the
// outcome is Queueable, due after the first redelivery backoff or the
// answer's Retry-After, whichever is longer. e needs URL, RoutingKey,
// DedupKey and Body. The returned error is the outbox's own (the event
// could not be stored); the send's error is in Delivery.Err.
func (o *Outbox) Deliver(ctx context.Context, s Sender, e Entry) (Delivery, error) {
	if e.Created.IsZero() {
		e.Created = o.opts.Now()
	}
	if o.Pending(e.RoutingKey, e.DedupKey) {
		e.LastReason = "queued behind earlier events for this dedup key still waiting for redelivery"
		id, err := o.Enqueue(e)
		return Delivery{Queued: err == nil, ID: id, Reason: e.LastReason}, err
	}
	resp, err := s.Send(ctx, e.URL, e.Body, e.RoutingKey)
	d := Delivery{Response: resp, Err: err}
	if !Queueable(resp, err) {
		return d, nil
	}
	sum := delivery.Summarize(resp, err)
	e.LastStatus, e.LastReason, e.Attempts = sum.Status, sum.Reason, max(sum.Attempts, 1)
	e.NextAttempt = o.opts.Now().Add(o.backoff().WaitAtLeast(0, min(sum.RetryAfter, MaxRetryAfter)))
	id, qerr := o.Enqueue(e)
	if qerr != nil {
		return d, qerr
	}
	d.Queued, d.ID = true, id
	d.Reason = "queued for redelivery: " + e.LastReason
	return d, nil
}

// redeliveryStretch is the jitter of the outbox's waits: each is stretched
// by up to 20%, as Options.BaseDelay says.
const redeliveryStretch = 0.2

// backoff is the outbox's backoff between redeliveries of an event and
// between probes of a routing key PagerDuty refused.
func (o *Outbox) backoff() delivery.Backoff {
	return delivery.Backoff{Base: o.opts.BaseDelay, Max: o.opts.MaxDelay, Stretch: redeliveryStretch, Rand: o.opts.Rand}
}
