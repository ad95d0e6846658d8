package relay

import (
	"time"

	"github.com/fluxpd/fluxpd/internal/outbox"
	"github.com/fluxpd/fluxpd/internal/redact"
)

// Long delays: an event that has waited longer than Options.LongDelay
// gets one log line, with its last failure, once. The outbox is read for
// it at most every delayCheckEvery, and only when it is not empty.
const (
	delayCheckEvery = time.Minute
	// maxDelayLines bounds the lines of one check; the rest are counted
	// in one more line.
	maxDelayLines = 20
)

type longDelays struct {
	after  time.Duration
	last   time.Time       // of the last check, on the relay's clock
	logged map[uint64]bool // events already logged, still pending
}

func newLongDelays(after time.Duration) *longDelays {
	return &longDelays{after: after, logged: map[uint64]bool{}}
}

// check logs the events newly past the delay, if a check is due.
func (d *longDelays) check(s *Server) {
	now := s.opts.Now()
	if !d.last.IsZero() && now.Sub(d.last) < delayCheckEvery {
		return
	}
	d.last = now
	if oldest, ok, err := s.ob.Oldest(); err != nil || !ok || now.Sub(oldest) < d.after {
		if err == nil && !ok {
			clear(d.logged)
		}
		return
	}
	entries, err := s.ob.List()
	if err != nil {
		return
	}
	d.logNew(s, entries, now)
}

// logNew logs the entries past the delay not logged yet, and forgets the
// logged ones no longer pending.
func (d *longDelays) logNew(s *Server, entries []outbox.Entry, now time.Time) {
	pending := make(map[uint64]bool, len(entries))
	lines, more := 0, 0
	for _, e := range entries {
		pending[e.ID] = true
		if d.logged[e.ID] || now.Sub(e.Created) < d.after {
			continue
		}
		d.logged[e.ID] = true
		if lines == maxDelayLines {
			more++
			continue
		}
		lines++
		attrs := []any{"outcome", "delayed", "id", e.ID, "routing_key", redact.Key(e.RoutingKey), "waited", now.Sub(e.Created).Round(time.Second).String(), "attempts", e.Attempts}
		if e.DedupKey != "" {
			attrs = append(attrs, "dedup_key", e.DedupKey)
		}
		if e.LastReason != "" {
			attrs = append(attrs, "last_failure", redact.String(e.LastReason, e.RoutingKey))
		}
		if e.Behind != 0 {
			attrs = append(attrs, "behind", e.Behind)
		}
		if !e.NextAttempt.IsZero() {
			attrs = append(attrs, "next_attempt", e.NextAttempt.Format(time.RFC3339))
		}
		s.log.Warn("relay: event delayed", attrs...)
	}
	if more > 0 {
		s.log.Warn("relay: more events delayed", "outcome", "delayed", "count", more, "over", d.after.String())
	}
	for id := range d.logged {
		if !pending[id] {
			delete(d.logged, id)
		}
	}
}
