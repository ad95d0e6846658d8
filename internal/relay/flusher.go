package relay

import (
	"context"
	"sync"
	"sync/atomic"
	"time"

	"github.com/fluxpd/fluxpd/internal/outbox"
)

// minFlushGap bounds how often the flusher starts a flush when paced keys
// wait for room, so that a key refilled one event at a time does not make
// it spin.
const minFlushGap = 10 * time.Millisecond

// flusher delivers the outbox's events: a flush whenever an event is
// committed, whenever a paced key has room again, and every FlushInterval
// for events waiting out their backoff.
type flusher struct {
	s       *Server
	sender  *relaySender
	wakeCh  chan struct{}
	cancel  context.CancelFunc
	done    chan struct{}
	running atomic.Bool
	delays  *longDelays

	mu     sync.Mutex // guards wakeAt
	wakeAt time.Time  // when a wake is scheduled by wakeIn
}

func newFlusher(s *Server) *flusher {
	return &flusher{
		s:      s,
		sender: newRelaySender(s.opts.Client, s.opts.Upstream, s.metrics),
		wakeCh: make(chan struct{}, 1),
		done:   make(chan struct{}),
		delays: newLongDelays(s.opts.LongDelay),
	}
}

func (f *flusher) start() {
	ctx, cancel := context.WithCancel(context.Background())
	f.cancel = cancel
	f.running.Store(true)
	go f.loop(ctx)
}

// wake asks for a flush soon; it never blocks.
func (f *flusher) wake() {
	select {
	case f.wakeCh <- struct{}{}:
	default:
	}
}

// wakeFor wakes the flusher for a new event of routingKey now, or, when
// the key can send nothing now (paced after upstream refused it, or out of
// room in --rate), when its wait ends: a busy relay does not rescan its
// queue for every event it accepts while PagerDuty is down.
func (f *flusher) wakeFor(routingKey string) {
	now := f.s.opts.Now()
	until, paced := f.s.ob.PacedUntil(routingKey, now)
	if f.s.limit != nil {
		if room, full := f.s.limit.RoomAt(routingKey, now); full {
			until, paced = later(until, room), true
		}
	}
	if !paced {
		f.wake()
		return
	}
	f.wakeIn(until.Sub(now))
}

// wakeIn wakes the flusher after d, unless a wake is already due no later.
func (f *flusher) wakeIn(d time.Duration) {
	at := time.Now().Add(d)
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.wakeAt.After(time.Now()) && !f.wakeAt.After(at) {
		return
	}
	f.wakeAt = at
	time.AfterFunc(d, f.wake)
}

func later(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}

// stop cuts short the flush in progress (its sends in flight are released,
// their events stay queued) and waits for the flusher to end.
func (f *flusher) stop() {
	f.cancel()
	<-f.done
}

func (f *flusher) loop(ctx context.Context) {
	defer close(f.done)
	defer f.running.Store(false)
	timer := time.NewTimer(0)
	defer timer.Stop()
	var gap time.Duration // the least time between a flush and the next
	for {
		select {
		case <-ctx.Done():
			return
		case <-f.wakeCh:
			if !sleep(ctx, gap) {
				return
			}
		case <-timer.C:
		}
		start := time.Now()
		wait, sent := f.flushOnce(ctx)
		gap = flushGap(time.Since(start), sent)
		if !timer.Stop() {
			select {
			case <-timer.C:
			default:
			}
		}
		timer.Reset(max(wait, gap))
	}
}

// idleDuty bounds the share of time the flusher spends scanning an outbox
// whose events all wait (paced, or backing off): after a flush that sent
// nothing, the next waits idleDuty times as long as it took. A flush that
// sent keeps its pace, one flush after another.
const idleDuty = 4

// flushGap is the least time before the next flush, after one that took
// took and sent sent requests.
func flushGap(took time.Duration, sent int) time.Duration {
	if sent > 0 {
		return 0
	}
	return max(took*idleDuty, minFlushGap)
}

// sleep waits d unless ctx ends first, and reports whether it did not.
func sleep(ctx context.Context, d time.Duration) bool {
	if d <= 0 {
		return ctx.Err() == nil
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}

// flushOnce runs one flush and returns how long to wait for the next one
// unless woken, and the requests it sent.
func (f *flusher) flushOnce(ctx context.Context) (time.Duration, int) {
	s := f.s
	fo := outbox.FlushOptions{Sender: f.sender}
	if s.limit != nil {
		fo.Limiter = s.limit
	}
	rep, err := s.ob.Flush(ctx, fo)
	if ctx.Err() != nil {
		return s.opts.FlushInterval, rep.Sent
	}
	s.metrics.deadLetters.Add(float64(rep.DeadLettered + rep.Expired))
	if err != nil {
		s.health.failed("flush", err)
		s.log.Warn("relay: flush failed; trying again", "error", err.Error(), "in", s.opts.FlushInterval.String())
		return s.opts.FlushInterval, rep.Sent
	}
	s.health.ok("flush")
	if err := s.pending.recount(s.ob); err != nil {
		s.log.Warn("relay: cannot count the pending events", "error", err.Error())
	}
	f.delays.check(s)
	wait := s.opts.FlushInterval
	if s.limit != nil {
		if next := s.limit.Next(s.opts.Now()); !next.IsZero() {
			wait = min(wait, max(next.Sub(s.opts.Now()), minFlushGap))
		}
	}
	return wait, rep.Sent
}
