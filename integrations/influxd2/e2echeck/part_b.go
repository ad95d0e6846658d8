package main

// Part (b): the check goes critical and back to normal; pd-rule triggers
// and resolves one alert.

import (
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/fluxpd/fluxpd/integrations/e2e"
)

// Usages the writer writes: above and below the check's CRIT threshold, 90.
const (
	usageCritical = 95
	usageLow      = 10
)

// critical sets usage critical and waits for pd-rule's trigger, then for
// the rules of (c) to run while critical.
func (s *runner) critical() {
	s.Say("(b) usage_user = %d (critical)", usageCritical)
	s.critFrom = time.Now()
	s.writer.set(usageCritical)
	s.Check("(b) the emulator has the pd-rule alert triggered", e2e.Until("pd-rule's trigger to reach the emulator", func() error {
		_, evs, err := s.events()
		if err != nil {
			return err
		}
		for _, e := range evs {
			if e.Payload != nil && e.Payload.Source == "pd-rule" && e.EventAction == "trigger" {
				s.key1 = e.DedupKey
				return nil
			}
		}
		return fmt.Errorf("no trigger from pd-rule; events: %s", e2e.Pretty(evs))
	}))
	s.Check("(c) the refused and short-key rules ran while critical", e2e.Until("a notification of pd-rule-refused and of pd-rule-short in _monitoring", func() error {
		for _, id := range []string{s.badRuleID, s.shortRuleID} {
			rows, err := s.query(`from(bucket: "_monitoring") |> range(start: -1h) |> filter(fn: (r) => r._measurement == "notifications" and r._notification_rule_id == "` + id + `")`)
			if err != nil {
				return err
			}
			if len(rows) == 0 {
				return fmt.Errorf("no notification of rule %s (pd-rule-refused %s, pd-rule-short %s) yet", id, s.badRuleID, s.shortRuleID)
			}
		}
		return nil
	}))
}

// backToNormal sets usage low and waits for pd-rule's alert to be
// resolved (OK after CRIT).
func (s *runner) backToNormal() {
	s.Say("(b) usage_user = %d (back to normal)", usageLow)
	s.writer.set(usageLow)
	s.resolved = fmt.Errorf("no alert to resolve: pd-rule's trigger never came")
	if s.key1 != "" {
		s.resolved = e2e.Until("pd-rule's resolve to reach the emulator", func() error {
			as, err := s.emu.Alerts()
			if err != nil {
				return err
			}
			for _, a := range as {
				if a.DedupKey == s.key1 {
					s.alert = a
					if a.Status == "resolved" {
						return nil
					}
					return fmt.Errorf("alert %q is %s: %s", s.key1, a.Status, e2e.Pretty(a))
				}
			}
			return fmt.Errorf("no alert with dedup key %q: %s", s.key1, e2e.Pretty(as))
		})
		if s.resolved != nil {
			s.resolved = fmt.Errorf("%w%s", s.resolved, s.missedTransition(s.ruleID, s.critFrom))
		}
	}
	s.Check("(b) the emulator has the pd-rule alert resolved (OK after CRIT)", s.resolved)
	s.writer.set(usageNormal)
}

// notifications returns the _message rows of rule id's notifications.
func (s *runner) notifications(id string) (e2e.Rows, error) {
	return s.query(`from(bucket: "_monitoring") |> range(start: -1h) |> filter(fn: (r) => r._measurement == "notifications" and r._notification_rule_id == "` + id + `") |> filter(fn: (r) => r._field == "_message")`)
}

// sentIs checks that rule id has notifications, all with _sent = want.
func (s *runner) sentIs(id, want string) (string, error) {
	rows, err := s.notifications(id)
	if err != nil {
		return "", err
	}
	if len(rows) == 0 {
		return "", fmt.Errorf("no notifications of rule %s", id)
	}
	for _, r := range rows {
		if r["_sent"] != want {
			return "", fmt.Errorf("a notification has _sent=%q, want %q: %v", r["_sent"], want, r)
		}
	}
	return fmt.Sprintf("%d notifications, all _sent=%s", len(rows), want), nil
}

// notificationsSent: a rule run writes its notifications after its sends,
// so wait for the records of the trigger and the resolve that reached the
// emulator, then check them all.
func (s *runner) notificationsSent() {
	var recorded error
	if s.resolved == nil {
		recorded = e2e.Until("pd-rule's notifications of its trigger (crit) and its resolve (ok) in _monitoring", func() error {
			rows, err := s.notifications(s.ruleID)
			if err != nil {
				return err
			}
			levels := map[string]int{}
			for _, r := range rows {
				levels[r["_level"]]++
			}
			if levels["crit"] == 0 || levels["ok"] == 0 {
				return fmt.Errorf("pd-rule's notifications by level: %v", levels)
			}
			return nil
		})
	}
	seen, err := s.sentIs(s.ruleID, "true")
	s.CheckSeen(`(b) _monitoring notifications of pd-rule all have _sent = "true"`, seen, joinErrs(recorded, err))
}

// lastRun checks that the check or rule (kind checks or
// notificationRules) with ID id last ran successfully.
func (s *runner) lastRun(kind, id string) error {
	var v struct {
		LastRunStatus string `json:"lastRunStatus"`
		LastRunError  string `json:"lastRunError"`
	}
	if err := s.do(http.MethodGet, "/api/v2/"+kind+"/"+id, nil, &v); err != nil {
		return err
	}
	if v.LastRunStatus != "success" {
		return fmt.Errorf("lastRunStatus %q, lastRunError %q%s", v.LastRunStatus, v.LastRunError, s.failedRuns(id))
	}
	return nil
}

func (s *runner) lastRuns() {
	s.Check("(b) the check's lastRunStatus is success", s.lastRun("checks", s.checkID))
	s.Check("(b) pd-rule's lastRunStatus is success", s.lastRun("notificationRules", s.ruleID))
}

// pdRuleEvents returns pd-rule's events at the emulator (source pd-rule,
// or pd-rule's dedup key) and their dedup keys.
func (s *runner) pdRuleEvents(evs []e2e.Event) ([]e2e.Event, map[string]bool) {
	var ruleEvents []e2e.Event
	keys := map[string]bool{}
	for _, e := range evs {
		if e.Payload != nil && e.Payload.Source == "pd-rule" || e.DedupKey == s.key1 && s.key1 != "" {
			ruleEvents = append(ruleEvents, e)
			keys[e.DedupKey] = true
		}
	}
	return ruleEvents, keys
}

// oneKey checks that pd-rule's events share one dedup key and that its
// alert went trigger ... resolve.
func (s *runner) oneKey(ruleEvents []e2e.Event, keys map[string]bool) (string, error) {
	if len(keys) != 1 {
		return "", fmt.Errorf("%d dedup keys: %v\nevents: %s", len(keys), keys, e2e.Pretty(ruleEvents))
	}
	actions := e2e.Actions(s.alert.History)
	if len(actions) < 2 || actions[0] != "trigger" || actions[len(actions)-1] != "resolve" {
		return "", fmt.Errorf("history %v\nalert: %s", actions, e2e.Pretty(s.alert))
	}
	return fmt.Sprintf("dedup key %q: %s", s.key1, strings.Join(actions, ",")), nil
}
