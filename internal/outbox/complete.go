package outbox

import (
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/fluxpd/fluxpd/internal/delivery"
)

// verdict is what one send did to its event.
type verdict int

const (
	notSent    verdict = iota // cut short, or the event was gone: nothing recorded
	delivered                 // a 2xx: the event leaves the outbox
	refused                   // a final answer (400 and the like): dead-lettered with PagerDuty's reason
	retryLater                // a 429, a retryable 5xx or no answer: rescheduled with backoff
)

// verdictOf judges what a Send returned.
func verdictOf(resp *delivery.Response, err error) verdict {
	switch {
	case err == nil:
		return delivered
	case Queueable(resp, err):
		return retryLater
	}
	return refused
}

// completion is what recording one send did, to report once committed.
type completion struct {
	found  bool     // the flush still held the event
	log    string   // the event's outcome
	next   *record  // the group's next event, claimed
	buried []string // events behind it dead-lettered for their age
}

// complete records the outcome of sending t's event and, after a delivery
// or a dead letter, claims the next event of its group if it may be sent
// now.
func (f *flush) complete(t task, resp *delivery.Response, sendErr error) (*record, error) {
	sum := delivery.Summarize(resp, sendErr)
	v := verdictOf(resp, sendErr)
	var c completion
	err := f.o.batch(func(tx *bolt.Tx) error {
		c = completion{}
		now := f.o.opts.Now()
		r, err := f.mine(tx, t.h.ID)
		if r == nil || err != nil {
			return err // gone: dropped meanwhile, or its lease passed to another flusher
		}
		c.found = true
		r.Attempts += max(sum.Attempts, 1)
		r.LastStatus = sum.Status
		switch v {
		case retryLater:
			c.log, err = f.reschedule(tx, r, sum, now)
			return err
		case delivered:
			c.log = fmt.Sprintf("delivered #%d %s: %d after %d %s", r.ID, describe(r.Entry), sum.Status, r.Attempts, plural(r.Attempts, "attempt", "attempts"))
			err = deleteRecord(tx, bucketPending, r)
		default:
			err = bury(tx, r, sum.Reason, now)
			c.log = fmt.Sprintf("dead-lettered #%d %s: %s", r.ID, describe(r.Entry), r.LastReason)
		}
		if err != nil {
			return err
		}
		c.next, c.buried, err = f.claimNext(tx, r, now)
		return err
	})
	if err != nil {
		return nil, err
	}
	if !c.found {
		v = notSent
	}
	f.tally(v, len(c.buried))
	for _, l := range append([]string{c.log}, c.buried...) {
		if l != "" {
			f.o.logf("%s", l)
		}
	}
	if l := f.settle(t, v, sum, f.o.opts.Now()); l != "" {
		f.o.logf("%s", l)
	}
	return c.next, nil
}

// reschedule records a failed try of r. A try made when r was due counts
// as a failed redelivery and sets the next after the backoff, or after
// the answer's Retry-After if that is longer. A try made before r was due
// (a forced flush) leaves the backoff as it was; only a longer
// Retry-After moves the next attempt.
func (f *flush) reschedule(tx *bolt.Tx, r *record, sum delivery.Summary, now time.Time) (string, error) {
	floor := min(sum.RetryAfter, MaxRetryAfter)
	if now.Before(r.NextAttempt) {
		r.NextAttempt = later(r.NextAttempt, now.Add(floor))
	} else {
		r.Redeliveries++
		r.NextAttempt = now.Add(f.o.backoff().WaitAtLeast(r.Redeliveries-1, floor))
	}
	r.LastReason = sum.Reason
	r.LeaseOwner, r.LeaseUntil = "", time.Time{}
	if err := putRecord(tx, r); err != nil {
		return "", err
	}
	return fmt.Sprintf("rescheduled #%d %s in %s: %s", r.ID, describe(r.Entry), r.NextAttempt.Sub(now).Round(time.Millisecond), r.LastReason), nil
}

// claimNext claims the event behind r in its group if it may be sent now,
// dead-lettering expired events on the way.
func (f *flush) claimNext(tx *bolt.Tx, r *record, now time.Time) (*record, []string, error) {
	if r.DedupKey == "" {
		return nil, nil, nil
	}
	next, buried, err := f.o.groupHead(tx, r.RoutingKey, r.DedupKey, now)
	if next == nil || err != nil || f.o.leased(next, now) || (!f.fo.Force && now.Before(next.NextAttempt)) || !f.allow(next.RoutingKey, now) {
		return nil, buried, err
	}
	next.LeaseOwner, next.LeaseUntil = f.owner, now.Add(f.o.opts.LeaseTTL)
	return next, buried, putRecord(tx, next)
}

// tally counts a send's verdict and the dead letters behind it.
func (f *flush) tally(v verdict, expired int) {
	f.count(func(rp *Report) {
		rp.Expired += expired
		switch v {
		case delivered:
			rp.Delivered++
		case refused:
			rp.DeadLettered++
		case retryLater:
			rp.Rescheduled++
		}
	})
}
