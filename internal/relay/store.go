package relay

import (
	"fmt"

	"github.com/fluxpd/fluxpd/internal/outbox"
)

// openOutbox opens the outbox file, moving a damaged one aside (the relay
// must keep accepting; `fluxpd outbox salvage` recovers the moved file's
// events), and sets up the metrics that read it. The file is opened per
// operation, not kept open, so that `fluxpd outbox list|stats|flush|drop`
// can use it while the relay runs.
func (s *Server) openOutbox() error {
	o := s.opts
	ob, q, err := outbox.OpenOrQuarantine(o.OutboxPath, outbox.Options{
		MaxAge:      o.MaxAge,
		LockTimeout: o.LockTimeout,
		BaseDelay:   o.Retry.Base,
		MaxDelay:    o.Retry.Max,
		Log:         outboxLog(s.log),
		Warn:        outboxWarn(s.log),
		Now:         o.Now,
	})
	if err != nil {
		return fmt.Errorf("relay: --outbox: %w", err)
	}
	s.ob = ob
	m, err := newMetrics(s.reg, s)
	if err != nil {
		_ = ob.Close()
		return fmt.Errorf("relay: metrics: %w", err)
	}
	s.metrics = m
	if q != nil {
		s.log.Error(q.String())
		m.damaged.Inc()
	}
	pending, _, err := ob.Count()
	if err != nil {
		_ = ob.Close()
		return fmt.Errorf("relay: --outbox: %w", err)
	}
	s.pending = newPendingBound(o.MaxPending, pending)
	return nil
}
