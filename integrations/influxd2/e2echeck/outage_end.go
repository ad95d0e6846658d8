package main

// Part (e), after the outage: the flusher delivers what was queued.

import (
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/fluxpd/fluxpd/integrations/e2e"
)

// delivered waits for the outbox's trigger and resolve to reach the
// emulator once the outage ended (at ended), and for the log lines that
// say so.
func (s *runner) delivered(o outageState, ended time.Time) {
	var seen string
	err := e2e.Until("the outbox's trigger and resolve to reach the emulator", func() error {
		a, k, err := s.alertHistory()
		if err != nil {
			return err
		}
		newEvents := a.History
		if k == o.k0 { // the same alert: what came after the outage began
			newEvents = a.History[min(o.n0, len(a.History)):]
		}
		actions := e2e.Actions(newEvents)
		if len(actions) < 2 || actions[0] != "trigger" || actions[len(actions)-1] != "resolve" || a.Status != "resolved" {
			return fmt.Errorf("the alert's new history is %v (want trigger ... resolve), status %s: %s", actions, a.Status, e2e.Pretty(a))
		}
		seen = fmt.Sprintf("delivered %.1fs after the outage ended: %s", time.Since(ended).Seconds(), strings.Join(actions, ","))
		if k > o.k0 {
			seen += "\nthe trigger after the resolve of (b) opened a new alert under the same dedup key, as in PagerDuty"
		}
		return nil
	})
	s.CheckSeen("(e) the background flusher delivers the queued events in order: trigger, then resolve; the alert ends resolved", seen, err)
	// The flusher logs a delivery after PagerDuty's answer: wait for it.
	err = e2e.Until("the outbox's queued and delivered lines in "+s.logFile, func() error {
		q, d, err := outboxLines(s.logFile)
		if err != nil {
			return err
		}
		if q == "" || d == "" {
			return fmt.Errorf("queued line %q, delivered line %q in %s", q, d, s.logFile)
		}
		seen = q + "\n" + d
		return nil
	})
	s.CheckSeen("(e) InfluxDB's log has the outbox's queued and delivered lines", seen, err)
}

// outboxLines returns the first "outbox: queued" and "outbox: delivered"
// lines of the log at path.
func outboxLines(path string) (queued, delivered string, err error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return "", "", err
	}
	for _, l := range strings.Split(string(b), "\n") {
		if queued == "" && strings.Contains(l, "outbox: queued") {
			queued = l
		}
		if delivered == "" && strings.Contains(l, "outbox: delivered") {
			delivered = l
		}
	}
	return queued, delivered, nil
}
