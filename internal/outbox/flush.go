package outbox

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/fluxpd/fluxpd/internal/delivery"
	"github.com/fluxpd/fluxpd/internal/dispatch"
)

// FlushOptions configures one Flush.
type FlushOptions struct {
	// Sender overrides Options.Sender.
	Sender Sender
	// Force tries due and not yet due events now, whatever their schedule
	// and their routing key's pacing say. Each routing key is still
	// probed first: its other alerts follow only if the probe is answered.
	Force bool
	// RoutingKeys, if not empty, limits the flush to these keys.
	RoutingKeys []string
	// Group, if not nil, limits the flush to one alert: its head is tried
	// once, and the events queued behind it follow while they are
	// delivered. No other alert is looked at.
	Group *Group
	// Concurrency overrides Options.Concurrency.
	Concurrency int
	// Limiter, if not nil, paces sends per routing key (see rate.go): a
	// due head it gives no room waits for a later flush.
	Limiter Limiter
}

// Group names the events of one alert: one (routing key, dedup key).
type Group struct {
	RoutingKey, DedupKey string
}

// flush is the state of one Flush.
type flush struct {
	o     *Outbox
	fo    FlushOptions
	owner string
	keys  map[string]bool // routing keys to flush; nil for all
	seen  map[string]bool // groups met in this flush
	pos   uint64          // next ID to scan
	// exhausted: the scan reached the end of the queue.
	exhausted bool
	// started is the number of pending events when the flush first read
	// the file, -1 before.
	started int

	mu       sync.Mutex // guards report, gates and released
	report   Report
	gates    map[string]*gate // per routing key met
	released []uint64         // held heads whose key's probe was answered
}

// task is one event to send.
type task struct {
	h     *record
	probe bool // the first request of its routing key in this flush
}

// sent is what became of a task: the next event of its group, claimed
// for sending, or the outbox's failure.
type sent struct {
	next *record
	err  error
}

// Flush sends due pending events (all pending events with Force), oldest
// first, one at a time per (routing key, dedup key), probing each routing
// key before its other alerts, and returns what it did. A group stops at
// its first failure, so that order holds. It returns an error only when
// the outbox itself fails or ctx ends; the Report then says what it did
// until then.
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
	f := &flush{o: o, fo: fo, owner: o.owner + "/" + newToken(), seen: map[string]bool{}, pos: 1, started: -1, gates: map[string]*gate{}}
	if len(fo.RoutingKeys) > 0 {
		f.keys = map[string]bool{}
		for _, k := range fo.RoutingKeys {
			f.keys[k] = true
		}
	}
	err := f.run(ctx)
	n, cerr := o.countPending()
	if cerr != nil && err == nil {
		err = cerr
	}
	if err == nil {
		err = ctx.Err()
	}
	return f.finish(n, cerr, err), err
}

// finish completes the report with the pending count n (or the error
// that kept it from being read) and the flush's error.
func (f *flush) finish(n int, countErr, err error) Report {
	f.mu.Lock()
	defer f.mu.Unlock()
	r := f.report
	r.Locked = errors.Is(err, ErrLocked)
	switch {
	case countErr == nil:
		r.Pending = n
	case f.started >= 0:
		r.Pending, r.PendingCount = max(f.started-r.Delivered-r.DeadLettered-r.Expired, 0), LastRead
	default:
		r.PendingCount = Unknown
	}
	return r
}

// run sends claimed events, at most Concurrency at once, until nothing
// is left to claim or the outbox fails. The sends run on the per-key
// bounded scheduler endpoint() uses (dispatch.Group), keyed by alert: a
// group's next event is handed over only once its previous one is done,
// and claims stop at the bound, so the scheduler never queues; its jobs
// carry ctx themselves, so none is skipped unanswered.
func (f *flush) run(ctx context.Context) error {
	c := f.fo.Concurrency
	g := dispatch.NewGroup(context.Background(), c)
	defer g.Wait()
	results := make(chan sent, c)
	var ready []task
	inflight := 0
	var firstErr error
	for {
		for firstErr == nil && ctx.Err() == nil && inflight < c {
			if len(ready) == 0 {
				var err error
				if ready, err = f.more(c - inflight); err != nil {
					firstErr = err
				}
			}
			if len(ready) == 0 {
				break
			}
			t := ready[0]
			ready = ready[1:]
			inflight++
			g.Go(t.h.group(), func(context.Context) { results <- f.send(ctx, t) })
		}
		if inflight == 0 {
			break
		}
		s := <-results
		inflight--
		if s.err != nil && firstErr == nil {
			firstErr = s.err
		}
		if s.next != nil {
			ready = append(ready, task{h: s.next})
		}
	}
	for _, t := range ready { // claimed, never sent: the flush stopped
		_ = f.release(t.h)
	}
	return firstErr
}

// more claims up to limit events to send: held heads whose key's probe
// was answered first, then heads further on in the queue.
func (f *flush) more(limit int) ([]task, error) {
	for {
		ids := f.takeReleased(limit)
		if len(ids) == 0 {
			break
		}
		if tasks, err := f.claimHeld(ids); len(tasks) > 0 || err != nil {
			return tasks, err
		}
	}
	switch {
	case f.exhausted:
		return nil, nil
	case f.fo.Group != nil:
		return f.claimGroup()
	}
	return f.claim(limit)
}

// send sends t's event, unless its routing key failed meanwhile, and
// records the outcome.
func (f *flush) send(ctx context.Context, t task) sent {
	if !f.mayStart(t.h.RoutingKey) {
		f.count(func(rp *Report) { rp.Deferred++ })
		return sent{err: f.release(t.h)}
	}
	resp, err := f.fo.Sender.Send(ctx, t.h.URL, t.h.Body, t.h.RoutingKey)
	f.count(func(rp *Report) { rp.Sent++ })
	if ctx.Err() != nil && err != nil {
		// Cut short: release the claim without counting a failure; the
		// request may have reached PagerDuty, so it is sent again later.
		f.settle(t, notSent, delivery.Summary{}, f.o.opts.Now())
		return sent{err: f.release(t.h)}
	}
	next, cerr := f.complete(t, resp, err)
	return sent{next: next, err: cerr}
}

func (f *flush) count(fn func(*Report)) {
	f.mu.Lock()
	defer f.mu.Unlock()
	fn(&f.report)
}

// countPending counts the pending events, without reading them.
func (o *Outbox) countPending() (int, error) {
	n := 0
	err := o.view(func(tx *bolt.Tx) error {
		n = tx.Bucket(bucketPending).Stats().KeyN
		return nil
	})
	return n, err
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
		interval = DefaultFlushInterval
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

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
