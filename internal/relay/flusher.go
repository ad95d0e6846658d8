package relay

import (
	"context"
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
}

func newFlusher(s *Server) *flusher {
	return &flusher{
		s:      s,
		sender: newRelaySender(s.opts.Client, s.metrics),
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
	for {
		select {
		case <-ctx.Done():
			return
		case <-f.wakeCh:
		case <-timer.C:
		}
		wait := f.flushOnce(ctx)
		if !timer.Stop() {
			select {
			case <-timer.C:
			default:
			}
		}
		timer.Reset(wait)
	}
}

// flushOnce runs one flush and returns how long to wait for the next one
// unless woken.
func (f *flusher) flushOnce(ctx context.Context) time.Duration {
	s := f.s
	fo := outbox.FlushOptions{Sender: f.sender}
	if s.limit != nil {
		fo.Limiter = s.limit
	}
	rep, err := s.ob.Flush(ctx, fo)
	if ctx.Err() != nil {
		return s.opts.FlushInterval
	}
	s.metrics.deadLetters.Add(float64(rep.DeadLettered + rep.Expired))
	if err != nil {
		s.health.failed("flush", err)
		s.log.Warn("relay: flush failed; trying again", "error", err.Error(), "in", s.opts.FlushInterval.String())
		return s.opts.FlushInterval
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
	return wait
}
