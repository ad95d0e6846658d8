package outbox

import (
	"fmt"
	"runtime"
	"sync"
	"time"

	"github.com/fluxpd/fluxpd/internal/delivery"
	"github.com/fluxpd/fluxpd/internal/redact"
)

// Pacing per routing key. PagerDuty rate-limits per routing key, and an
// outage hits all of a key's alerts at once, so the flusher treats a key
// as a whole: in each flush, the first due event of a key is sent alone
// (the key's probe), and the key's other alerts follow only if it was
// answered other than 429, 5xx or not at all. When a send of the key
// meets such a failure, the key is paced: no probe before a wait that
// grows with each failed probe (the outbox's backoff, from
// Options.BaseDelay doubling to Options.MaxDelay), never shorter than
// the answer's Retry-After, and that starts over after a 2xx.

// pacer holds the pacing of routing keys across the flushes of one
// Outbox, in memory: each process paces its own requests.
type pacer struct {
	mu   sync.Mutex
	keys map[string]pace
}

// pace is the pacing of one routing key.
type pace struct {
	refusals int       // failed probes in a row
	until    time.Time // no probe before
}

// pacers holds each open Outbox's pacer by its owner, which is unique to
// the Outbox; an entry goes when its Outbox is garbage collected.
var pacers sync.Map

func (o *Outbox) pacer() *pacer {
	if p, ok := pacers.Load(o.owner); ok {
		return p.(*pacer)
	}
	p, loaded := pacers.LoadOrStore(o.owner, &pacer{keys: map[string]pace{}})
	if !loaded {
		runtime.AddCleanup(o, func(owner string) { pacers.Delete(owner) }, o.owner)
	}
	return p.(*pacer)
}

// pacedUntil returns when routingKey may be probed again, and whether
// that is after now.
func (p *pacer) pacedUntil(routingKey string, now time.Time) (time.Time, bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	until := p.keys[routingKey].until
	return until, now.Before(until)
}

// refused paces routingKey after a send of it met a 429, a 5xx or no
// answer, and returns the pace and whether the backoff grew. A send made
// while the key was still paced (a forced flush) does not grow it; its
// Retry-After may still push the next probe. A key not refused for
// longer than the largest wait starts over.
func (p *pacer) refused(routingKey string, now time.Time, retryAfter time.Duration, b delivery.Backoff) (pace, bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	k := p.keys[routingKey]
	floor := min(retryAfter, MaxRetryAfter)
	grew := !now.Before(k.until)
	if grew {
		if now.Sub(k.until) > b.Max {
			k.refusals = 0
		}
		k.refusals++
		k.until = now.Add(b.WaitAtLeast(k.refusals-1, floor))
	} else {
		k.until = later(k.until, now.Add(floor))
	}
	p.keys[routingKey] = k
	return k, grew
}

// accepted ends the pacing of routingKey after a 2xx.
func (p *pacer) accepted(routingKey string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	delete(p.keys, routingKey)
}

func later(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}

// gateState is where a routing key stands in one flush.
type gateState int

const (
	keyUntried gateState = iota // no event of the key sent yet
	keyProbing                  // its probe is out; its other heads are held
	keyOpen                     // its probe was answered: its other heads go
	keyShut                     // paced, or failed in this flush: its heads wait
)

// gate is one routing key's state in one flush.
type gate struct {
	state gateState
	held  []uint64 // heads met while the probe was out
}

// admission is what a flush does with a due head it met.
type admission int

const (
	admitProbe admission = iota + 1 // send it, as its key's probe
	admitSend                       // send it: its key's probe was answered
	admitHold                       // keep it until its key's probe is answered
	admitDefer                      // leave it: its key is paced
)

// admit decides what the flush does with r, a due head it met.
func (f *flush) admit(r *record, now time.Time) admission {
	f.mu.Lock()
	defer f.mu.Unlock()
	g := f.gate(r.RoutingKey)
	if g.state == keyUntried && !f.fo.Force {
		if _, paced := f.o.pacer().pacedUntil(r.RoutingKey, now); paced {
			g.state = keyShut
		}
	}
	if (g.state == keyUntried || g.state == keyOpen) && !f.allow(r.RoutingKey, now) {
		f.report.Deferred++ // no room in its key's rate: see rate.go
		return admitDefer
	}
	switch g.state {
	case keyUntried:
		g.state = keyProbing
		return admitProbe
	case keyProbing:
		g.held = append(g.held, r.ID)
		return admitHold
	case keyOpen:
		return admitSend
	}
	f.report.Deferred++
	return admitDefer
}

// mayStart reports whether a claimed event of routingKey may be sent now:
// false once the key failed in this flush.
func (f *flush) mayStart(routingKey string) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.gate(routingKey).state != keyShut
}

// settle moves t's routing key on after t's send ended with v, and paces
// the key after its first failure in this flush. It returns a line to
// log, or "".
func (f *flush) settle(t task, v verdict, sum delivery.Summary, now time.Time) string {
	key := t.h.RoutingKey
	f.mu.Lock()
	defer f.mu.Unlock()
	g := f.gate(key)
	switch {
	case v == retryLater:
		first := g.state != keyShut
		g.state = keyShut
		f.report.Deferred += len(g.held)
		g.held = nil
		if !first {
			return ""
		}
		if p, grew := f.o.pacer().refused(key, now, sum.RetryAfter, f.o.backoff()); grew {
			return fmt.Sprintf("pacing routing key %s: no request for it before %s (in %s), after %d failed %s: %s",
				redact.Key(key), p.until.Format(time.RFC3339), p.until.Sub(now).Round(time.Millisecond), p.refusals, plural(p.refusals, "probe", "probes"), sum.Reason)
		}
	case v == notSent && t.probe:
		g.state = keyUntried // its held heads choose a new probe
		f.released = append(f.released, g.held...)
		g.held = nil
	case v == delivered || v == refused:
		if g.state == keyProbing {
			g.state = keyOpen
			f.released = append(f.released, g.held...)
			g.held = nil
		}
		if v == delivered && g.state != keyShut {
			f.o.pacer().accepted(key)
		}
	}
	return ""
}

// gate returns routingKey's gate; f.mu must be held.
func (f *flush) gate(routingKey string) *gate {
	g := f.gates[routingKey]
	if g == nil {
		g = &gate{}
		f.gates[routingKey] = g
	}
	return g
}

// takeReleased removes and returns up to limit held heads whose probe was
// answered.
func (f *flush) takeReleased(limit int) []uint64 {
	f.mu.Lock()
	defer f.mu.Unlock()
	n := min(limit, len(f.released))
	ids := f.released[:n:n]
	f.released = f.released[n:]
	return ids
}
