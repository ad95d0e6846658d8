package main

// Part (e): an outage while pd-rule goes critical and back to normal.
// PagerDuty (the emulator) answers 503; both events wait in the server's
// outbox, the resolve behind its trigger; once the outage ends the
// background flusher delivers them in order.

import (
	"fmt"
	"strings"
	"time"

	"github.com/fluxpd/fluxpd/integrations/e2e"
)

// outageState is what part (e) needs from one step to the next.
type outageState struct {
	before e2e.Alert // pd-rule's latest alert before the outage
	k0, n0 int       // how many alerts had pd-rule's key, and the latest's history length
	start  time.Time // when the outage began
	critAt string    // _time of the queued crit notification (RFC3339Nano sorts as text)
}

func (s *runner) outage() {
	if s.key1 == "" {
		return // (b) found no alert of pd-rule to follow
	}
	// Late runs of pd-rule may still send (b)'s events (a run reads the
	// statuses written from 5s before its tick up to when it runs, and runs
	// overlap on a busy machine): start the outage once pd-rule is quiet.
	s.Check("(e) pd-rule is quiet before the outage (its runs scheduled in the 10s after its last notification sent nothing)", func() error {
		taskID, err := s.taskOf("pd-rule", s.ruleID)
		if err != nil {
			return err
		}
		return s.quiet("pd-rule", s.ruleID, taskID)
	}())
	var o outageState
	var err error
	o.before, o.k0, err = s.alertHistory()
	if !s.Check("(e) the pd-rule alert before the outage", err) {
		return
	}
	o.n0, o.start = len(o.before.History), time.Now().UTC()
	// The test ends the outage itself once both notifications are queued,
	// each awaited for at most Limit: "for" only ends it should the test
	// die first.
	outageFor := 3 * e2e.Limit()
	if !s.Check(fmt.Sprintf(`(e) POST /_emulator/outage {"for":"%s"}: the emulator answers 503 to every event`, outageFor), s.emu.StartOutage(outageFor)) {
		return
	}
	defer s.emu.EndOutage()
	s.duringOutage(&o)
	ended := time.Now()
	if !s.Check("(e) DELETE /_emulator/outage: PagerDuty is back", s.emu.EndOutage()) {
		return
	}
	s.delivered(o, ended)
}

// alertHistory returns the latest alert with pd-rule's dedup key and how
// many there are (a trigger after a resolve opens a new alert, as in
// PagerDuty).
func (s *runner) alertHistory() (e2e.Alert, int, error) {
	as, err := s.emu.Alerts()
	if err != nil {
		return e2e.Alert{}, 0, err
	}
	var last e2e.Alert
	n := 0
	for _, a := range as {
		if a.DedupKey == s.key1 {
			last, n = a, n+1
		}
	}
	if n == 0 {
		return e2e.Alert{}, 0, fmt.Errorf("no alert with dedup key %q", s.key1)
	}
	return last, n, nil
}

// duringOutage makes pd-rule go crit then ok, waits for both notifications
// to be queued, and checks the alert did not change.
func (s *runner) duringOutage(o *outageState) {
	s.Say("(e) usage_user = %d (critical) during the outage", usageCritical)
	s.writer.set(usageCritical)
	seen, err := s.queued(o, "crit")
	s.CheckSeen(`(e) pd-rule's crit notification during the outage: _sent = "false", queued for redelivery`, seen, err)
	s.Say("(e) usage_user = %d (back to normal) during the outage", usageLow)
	s.writer.set(usageLow)
	seen, err = s.queued(o, "ok")
	if err != nil {
		err = fmt.Errorf("%w%s", err, s.missedTransition(s.ruleID, o.start))
	}
	s.CheckSeen(`(e) pd-rule's ok notification during the outage, after the crit one: _sent = "false", queued (behind the trigger)`, seen, err)
	s.writer.set(usageNormal)
	during, k1, herr := s.alertHistory()
	err = herr
	if err == nil && (k1 != o.k0 || len(during.History) != o.n0 || during.Status != "resolved") {
		err = fmt.Errorf("alert changed during the outage: %s", e2e.Pretty(during))
	}
	s.Check("(e) the emulator's alert did not change during the outage", err)
}

// queued waits for a pd-rule notification at level lvl since the outage
// began (and after the queued crit one) with _sent = "false" and a body
// saying it was queued.
func (s *runner) queued(o *outageState, lvl string) (string, error) {
	var seen string
	err := e2e.Until("pd-rule's "+lvl+" notification, queued for redelivery, in _monitoring", func() error {
		rows, err := s.query(`from(bucket: "_monitoring") |> range(start: ` + o.start.Format(time.RFC3339Nano) + `) |> filter(fn: (r) => r._measurement == "notifications" and r._notification_rule_id == "` + s.ruleID + `" and r._field == "_body" and r._level == "` + lvl + `")`)
		if err != nil {
			return err
		}
		var others []string
		for _, r := range rows {
			if r["_sent"] == "false" && strings.Contains(r["_value"], "queued") && strings.Contains(r["_value"], "redelivery") && r["_time"] > o.critAt {
				seen = fmt.Sprintf("%s notification at %s: _sent=false, _body %q", lvl, r["_time"], r["_value"])
				if lvl == "crit" {
					o.critAt = r["_time"]
				}
				return nil
			}
			others = append(others, fmt.Sprintf("_sent=%s _body=%q", r["_sent"], r["_value"]))
		}
		return fmt.Errorf("no %s notification of pd-rule with _sent=false and a body saying it was queued for redelivery since the outage began; rows: %v", lvl, others)
	})
	return seen, err
}
