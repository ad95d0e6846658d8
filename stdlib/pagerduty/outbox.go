package pagerduty

import (
	"context"
	"time"

	"github.com/fluxpd/fluxpd/internal/delivery"
	"github.com/fluxpd/fluxpd/internal/outbox"
)

// Outbox is fluxpd's durable store of events waiting for redelivery; see
// internal/outbox. A host opens one with OpenOutbox and hands it to every
// query through Host.Outbox.
type Outbox = outbox.Outbox

// OutboxOptions configures an Outbox; the zero value takes the defaults
// (events expire after 24 hours, backoff from 30 seconds to 10 minutes).
type OutboxOptions = outbox.Options

// OpenOutbox opens or creates the outbox file at path (mode 0600).
func OpenOutbox(path string, opts OutboxOptions) (*Outbox, error) {
	return outbox.Open(path, opts)
}

// RunOutbox redelivers the outbox's pending events on their schedule,
// checking every interval, until ctx is done. It sends through the Flux
// dependencies in ctx, so the host's HTTP client and URL validator apply,
// with one attempt per event and flush. Long-running hosts run it in a
// goroutine of their own.
func RunOutbox(ctx context.Context, ob *Outbox, interval time.Duration) error {
	sender, err := flushSender(ctx)
	if err != nil {
		return err
	}
	return ob.RunWith(ctx, interval, outbox.FlushOptions{Sender: sender})
}

// flushSender is the sender of redeliveries: the dependencies' client and
// one attempt (the outbox reads the answer's Retry-After from what it
// returns).
func flushSender(ctx context.Context) (*delivery.Sender, error) {
	s, err := newSender(ctx, settings{})
	if err != nil {
		return nil, err
	}
	return s.OneAttempt(), nil
}
