package outbox

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/fluxpd/fluxpd/internal/delivery"
)

// Sender posts one event body; *delivery.Sender satisfies it. Like
// *delivery.Sender, it must mask the secrets it is handed in everything it
// returns: the outbox stores and logs its errors as they are.
type Sender interface {
	Send(ctx context.Context, url string, body []byte, secrets ...string) (*delivery.Response, error)
}

// DefaultSender returns the sender Flush uses when none is given: one
// attempt per redelivery (the outbox does the backoff), a 10 s timeout,
// no redirects, Retry-After recorded.
func DefaultSender() *delivery.Sender {
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	return &delivery.Sender{
		Client: RecordRetryAfter(client),
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
	if d.Response != nil {
		return d.Response.StatusCode
	}
	var de *delivery.Error
	if errors.As(d.Err, &de) {
		return de.StatusCode
	}
	return 0
}

// Deliver is what a caller with an outbox does for one event: if events
// for its (routing key, dedup key) are pending, it queues e behind them
// without sending; otherwise it sends e through s and queues it when the
// outcome is Queueable. e needs URL, RoutingKey, DedupKey and Body. The
// returned error is the outbox's own (the event could not be stored);
// the send's error is in Delivery.Err.
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
	e.LastStatus = d.Status()
	e.LastReason = err.Error()
	e.Attempts = attempts(resp, err)
	if e.Attempts == 0 {
		e.Attempts = 1
	}
	id, qerr := o.Enqueue(e)
	if qerr != nil {
		return d, qerr
	}
	d.Queued, d.ID = true, id
	d.Reason = "queued for redelivery: " + e.LastReason
	return d, nil
}

// FlushOptions configures one Flush.
type FlushOptions struct {
	// Sender overrides Options.Sender.
	Sender Sender
	// Force tries every pending event now, whatever its schedule says.
	Force bool
	// RoutingKeys, if not empty, limits the flush to these keys.
	RoutingKeys []string
	// Concurrency overrides Options.Concurrency.
	Concurrency int
}

// Report is what one Flush did.
type Report struct {
	Sent         int // requests sent
	Delivered    int // events removed after a 2xx
	Rescheduled  int // events that failed and wait for their next attempt
	DeadLettered int // events moved to the dead letters by a final answer
	Expired      int // events dead-lettered for their age
	// Deferred counts events not tried because their routing key was
	// rate limited during this flush; they wait like the one answered 429.
	Deferred int
	// Busy counts events skipped because another flusher holds them.
	Busy int
	// Pending is the number of pending events left (all keys).
	Pending int
}

func (r Report) String() string {
	return fmt.Sprintf("%d sent, %d delivered, %d rescheduled, %d dead-lettered, %d expired, %d deferred, %d held by another flusher; %d pending",
		r.Sent, r.Delivered, r.Rescheduled, r.DeadLettered, r.Expired, r.Deferred, r.Busy, r.Pending)
}

// flush is the state of one Flush.
type flush struct {
	o     *Outbox
	fo    FlushOptions
	owner string
	keys  map[string]bool
	seen  map[string]bool // groups met in this flush
	pos   uint64          // next ID to scan
	// exhausted: the scan reached the end of the queue.
	exhausted bool
	mu        sync.Mutex // guards report and throttled
	report    Report
	// throttled holds, per routing key answered 429 in this flush, when
	// it may be tried again.
	throttled map[string]time.Time
}

// Flush sends due pending events (all pending events with Force), oldest
// first, one at a time per (routing key, dedup key), and returns what it
// did. A group stops at its first failure, so that order holds. It returns
// an error only when the outbox itself fails or ctx ends.
func (o *Outbox) Flush(ctx context.Context, fo FlushOptions) (Report, error) {
	if fo.Sender == nil {
		fo.Sender = o.opts.Sender
	}
	if fo.Sender == nil {
		fo.Sender = DefaultSender()
	}
	if fo.Concurrency <= 0 {
		fo.Concurrency = o.opts.Concurrency
	}
	f := &flush{o: o, fo: fo, owner: o.owner + "/" + newToken(), seen: map[string]bool{}, pos: 1, throttled: map[string]time.Time{}}
	if len(fo.RoutingKeys) > 0 {
		f.keys = map[string]bool{}
		for _, k := range fo.RoutingKeys {
			f.keys[k] = true
		}
	}
	err := f.run(ctx)
	if s, serr := o.Stats(); serr == nil {
		f.report.Pending = s.Pending
	} else if err == nil {
		err = serr
	}
	if err == nil {
		err = ctx.Err()
	}
	return f.report, err
}

func (f *flush) run(ctx context.Context) error {
	c := f.fo.Concurrency
	done := make(chan error, c)
	inflight := 0
	var firstErr error
	wait := func() {
		if err := <-done; err != nil && firstErr == nil {
			firstErr = err
		}
		inflight--
	}
	for firstErr == nil && ctx.Err() == nil {
		if !f.exhausted && inflight < c {
			heads, err := f.claim(c - inflight)
			if err != nil {
				firstErr = err
				break
			}
			for _, h := range heads {
				inflight++
				go func(h *record) { done <- f.sendGroup(ctx, h) }(h)
			}
			if len(heads) > 0 && inflight < c {
				continue
			}
		}
		if inflight == 0 {
			break
		}
		wait()
	}
	for inflight > 0 {
		wait()
	}
	return firstErr
}

// claim expires old events and claims up to limit group heads that are due,
// scanning on from where the last claim stopped.
func (f *flush) claim(limit int) ([]*record, error) {
	o := f.o
	var heads []*record
	expired := 0
	var expiredLog []string
	err := o.update(func(tx *bolt.Tx) error {
		heads, expired, expiredLog = nil, 0, nil
		now := o.opts.Now()
		c := tx.Bucket(bucketPending).Cursor()
		var changed []*record
		var buried []*record
		pos := f.pos
		for k, v := c.Seek(idKey(pos)); k != nil && len(heads) < limit; k, v = c.Next() {
			var r record
			if err := json.Unmarshal(v, &r); err != nil {
				return err
			}
			pos = r.ID + 1
			leased := r.LeaseOwner != "" && now.Before(r.LeaseUntil) && leaseAlive(r.LeaseOwner, o.owner)
			if !leased && now.Sub(r.Created) > o.opts.MaxAge {
				buried = append(buried, &r)
				continue
			}
			g := r.group()
			if f.seen[g] {
				continue
			}
			f.seen[g] = true
			switch {
			case leased:
				f.count(func(rp *Report) { rp.Busy++ })
				continue
			case f.keys != nil && !f.keys[r.RoutingKey]:
				continue
			case !f.fo.Force && now.Before(r.NextAttempt):
				continue
			}
			r.LeaseOwner, r.LeaseUntil = f.owner, now.Add(o.opts.LeaseTTL)
			changed = append(changed, &r)
			heads = append(heads, &r)
		}
		for _, r := range buried {
			reason := fmt.Sprintf("%s: older than %s (queued %s)", ReasonExpired, o.opts.MaxAge, r.Created.Format(time.RFC3339))
			if r.LastReason != "" {
				reason += "; last failure: " + r.LastReason
			}
			if err := bury(tx, r, reason, now); err != nil {
				return err
			}
			expired++
			expiredLog = append(expiredLog, fmt.Sprintf("dead-lettered #%d %s: %s", r.ID, describe(r.Entry), reason))
		}
		for _, r := range changed {
			if err := putRecord(tx, r); err != nil {
				return err
			}
		}
		f.pos = pos
		f.exhausted = len(heads) < limit
		return nil
	})
	if err != nil {
		return nil, err
	}
	f.count(func(rp *Report) { rp.Expired += expired })
	for _, l := range expiredLog {
		o.logf("%s", l)
	}
	return heads, nil
}

func (f *flush) count(fn func(*Report)) {
	f.mu.Lock()
	defer f.mu.Unlock()
	fn(&f.report)
}

// sendGroup sends h and then the events queued behind it in its group,
// until one fails or is not due.
func (f *flush) sendGroup(ctx context.Context, h *record) error {
	for h != nil {
		if until, ok := f.throttledUntil(h.RoutingKey); ok {
			return f.deferTo(h, until)
		}
		slot := &retryAfterSlot{}
		resp, err := f.fo.Sender.Send(withRetryAfterSlot(ctx, slot), h.URL, h.Body, h.RoutingKey)
		f.count(func(rp *Report) { rp.Sent++ })
		if ctx.Err() != nil && err != nil {
			// Cut short: release the claim without counting a failure; the
			// request may have reached PagerDuty, so it is sent again later.
			return f.release(h)
		}
		next, cerr := f.complete(h, resp, err, slot.get())
		if cerr != nil {
			return cerr
		}
		h = next
	}
	return nil
}

func (f *flush) throttledUntil(routingKey string) (time.Time, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	t, ok := f.throttled[routingKey]
	return t, ok
}

// deferTo reschedules h, not tried, to until: its routing key is rate limited.
func (f *flush) deferTo(h *record, until time.Time) error {
	err := f.o.batch(func(tx *bolt.Tx) error {
		r, err := f.mine(tx, h.ID)
		if r == nil || err != nil {
			return err
		}
		r.LeaseOwner, r.LeaseUntil = "", time.Time{}
		r.NextAttempt = until
		return putRecord(tx, r)
	})
	if err == nil {
		f.count(func(rp *Report) { rp.Deferred++ })
	}
	return err
}

func (f *flush) release(h *record) error {
	return f.o.batch(func(tx *bolt.Tx) error {
		r, err := f.mine(tx, h.ID)
		if r == nil || err != nil {
			return err
		}
		r.LeaseOwner, r.LeaseUntil = "", time.Time{}
		return putRecord(tx, r)
	})
}

// mine returns the pending record id if this flush still holds it.
func (f *flush) mine(tx *bolt.Tx, id uint64) (*record, error) {
	r, err := getRecord(tx.Bucket(bucketPending), id)
	if r == nil || err != nil || r.LeaseOwner != f.owner {
		return nil, err
	}
	return r, nil
}

// complete records the outcome of sending h and, after a success, claims
// the next event of its group if it may be sent now.
func (f *flush) complete(h *record, resp *delivery.Response, sendErr error, retryAfter time.Duration) (*record, error) {
	o := f.o
	status := 0
	if resp != nil {
		status = resp.StatusCode
	}
	var de *delivery.Error
	if errors.As(sendErr, &de) && status == 0 {
		status = de.StatusCode
	}
	n := attempts(resp, sendErr)
	if n == 0 {
		n = 1
	}
	reason := ""
	if sendErr != nil {
		reason = sendErr.Error()
	}
	kind := "delivered"
	switch {
	case sendErr == nil:
	case Queueable(resp, sendErr):
		kind = "rescheduled"
	default:
		kind = "dead"
	}
	var (
		next    *record
		outcome string
		dead    []string
	)
	err := o.batch(func(tx *bolt.Tx) error {
		next, outcome, dead = nil, "", nil
		now := o.opts.Now()
		r, err := f.mine(tx, h.ID)
		if err != nil {
			return err
		}
		if r == nil {
			outcome = "gone" // dropped meanwhile, or its lease passed to another flusher
			return nil
		}
		r.Attempts += n
		r.LastStatus = status
		switch kind {
		case "delivered":
			if err := deleteRecord(tx, bucketPending, r); err != nil {
				return err
			}
			outcome = fmt.Sprintf("delivered #%d %s: %d after %d %s", r.ID, describe(r.Entry), status, r.Attempts, plural(r.Attempts, "attempt", "attempts"))
		case "dead":
			if err := bury(tx, r, pagerDutyReason(resp, sendErr), now); err != nil {
				return err
			}
			outcome = fmt.Sprintf("dead-lettered #%d %s: %s", r.ID, describe(r.Entry), r.LastReason)
		case "rescheduled":
			r.Redeliveries++
			wait := o.backoff(r.Redeliveries)
			if retryAfter > 0 {
				wait = min(retryAfter, MaxRetryAfter)
			}
			r.NextAttempt = now.Add(wait)
			r.LastReason = reason
			r.LeaseOwner, r.LeaseUntil = "", time.Time{}
			if err := putRecord(tx, r); err != nil {
				return err
			}
			outcome = fmt.Sprintf("rescheduled #%d %s in %s: %s", r.ID, describe(r.Entry), wait.Round(time.Millisecond), reason)
			if status == http.StatusTooManyRequests {
				f.mu.Lock()
				if t, ok := f.throttled[r.RoutingKey]; !ok || t.Before(r.NextAttempt) {
					f.throttled[r.RoutingKey] = r.NextAttempt
				}
				f.mu.Unlock()
			}
			return nil
		}
		// Delivered or dead-lettered: claim the next event of the group,
		// dead-lettering expired ones on the way.
		if r.DedupKey == "" {
			return nil
		}
		prefix := groupKey(r.RoutingKey, r.DedupKey)
		c := tx.Bucket(bucketGroups).Cursor()
		for k, _ := c.Seek(prefix); k != nil && hasPrefix(k, prefix); k, _ = c.Seek(prefix) {
			id := beUint64(k[len(prefix):])
			nr, err := getRecord(tx.Bucket(bucketPending), id)
			if err != nil {
				return err
			}
			if nr == nil { // a stale index entry
				if err := tx.Bucket(bucketGroups).Delete(k); err != nil {
					return err
				}
				continue
			}
			leased := nr.LeaseOwner != "" && now.Before(nr.LeaseUntil) && leaseAlive(nr.LeaseOwner, o.owner)
			if !leased && now.Sub(nr.Created) > o.opts.MaxAge {
				reason := fmt.Sprintf("%s: older than %s (queued %s)", ReasonExpired, o.opts.MaxAge, nr.Created.Format(time.RFC3339))
				if err := bury(tx, nr, reason, now); err != nil {
					return err
				}
				dead = append(dead, fmt.Sprintf("dead-lettered #%d %s: %s", nr.ID, describe(nr.Entry), reason))
				continue
			}
			if leased || (!f.fo.Force && now.Before(nr.NextAttempt)) {
				return nil
			}
			nr.LeaseOwner, nr.LeaseUntil = f.owner, now.Add(o.opts.LeaseTTL)
			if err := putRecord(tx, nr); err != nil {
				return err
			}
			next = nr
			return nil
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if outcome != "" && outcome != "gone" {
		o.logf("%s", outcome)
	}
	for _, l := range dead {
		o.logf("%s", l)
	}
	f.count(func(rp *Report) {
		rp.Expired += len(dead)
		if outcome == "gone" {
			return
		}
		switch kind {
		case "delivered":
			rp.Delivered++
		case "dead":
			rp.DeadLettered++
		case "rescheduled":
			rp.Rescheduled++
		}
	})
	return next, nil
}

// pagerDutyReason is the dead-letter reason: PagerDuty's answer.
func pagerDutyReason(resp *delivery.Response, err error) string {
	var parts []string
	var de *delivery.Error
	if errors.As(err, &de) && de.Kind == delivery.KindHTTP {
		parts = append(parts, fmt.Sprintf("PagerDuty answered %d %s", de.StatusCode, http.StatusText(de.StatusCode)))
		if de.Message != "" {
			parts = append(parts, de.Message)
		}
		parts = append(parts, de.Errors...)
		if de.Message == "" && len(de.Errors) == 0 && resp != nil && resp.Body != "" {
			body := resp.Body
			if len(body) > 200 {
				body = body[:200] + "…"
			}
			parts = append(parts, strings.TrimSpace(body))
		}
	} else if err != nil {
		parts = append(parts, err.Error())
	}
	return strings.Join(parts, ": ")
}

func attempts(resp *delivery.Response, err error) int {
	var de *delivery.Error
	if errors.As(err, &de) {
		return de.Attempts
	}
	if resp != nil {
		return resp.Attempts
	}
	return 0
}

// backoff returns the wait after the n-th failed redelivery (n >= 1).
func (o *Outbox) backoff(n int) time.Duration {
	d := o.opts.BaseDelay
	for i := 1; i < n && d < o.opts.MaxDelay; i++ {
		d *= 2
	}
	d = min(d, o.opts.MaxDelay)
	return o.jitter(d)
}

// Run flushes due events every interval (10 s when interval <= 0) until ctx
// ends, for long-running hosts, and returns ctx's error. Failures of the
// outbox itself are logged as warnings and tried again at the next tick.
func (o *Outbox) Run(ctx context.Context, interval time.Duration) error {
	return o.RunWith(ctx, interval, FlushOptions{})
}

// RunWith is Run with the given options for every flush, such as the
// host's own Sender.
func (o *Outbox) RunWith(ctx context.Context, interval time.Duration, fo FlushOptions) error {
	if interval <= 0 {
		interval = 10 * time.Second
	}
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		rep, err := o.Flush(ctx, fo)
		if err != nil && ctx.Err() == nil {
			o.opts.Warn(fmt.Sprintf("outbox: warning: flush failed: %v", err))
		} else if rep.Sent > 0 || rep.Expired > 0 {
			o.logf("flush: %s", rep)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-t.C:
		}
	}
}

func beUint64(b []byte) uint64 {
	if len(b) != 8 {
		return 0
	}
	var v uint64
	for _, c := range b {
		v = v<<8 | uint64(c)
	}
	return v
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
