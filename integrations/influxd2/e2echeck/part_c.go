package main

// Part (c): rules whose keys are wrong still run, and say why they did not
// send.

import (
	"fmt"
	"net/http"
	"os"
	"slices"
	"strings"

	"github.com/fluxpd/fluxpd/integrations/e2e"
	"github.com/fluxpd/fluxpd/internal/redact"
)

// invalidKey is PagerDuty's error, and the emulator's, for a key it does
// not know.
const invalidKey = "Invalid routing key"

func (s *runner) wrongKeys() {
	seen, err := s.sentIs(s.badRuleID, "false")
	s.CheckSeen(`(c) pd-rule-refused (key refused with 400): runs succeed, _sent = "false"`, seen, joinErrs(s.lastRun("notificationRules", s.badRuleID), err))
	seen, err = s.sentIs(s.shortRuleID, "false")
	s.CheckSeen(`(c) pd-rule-short (31-character key): runs succeed, _sent = "false"`, seen, joinErrs(s.lastRun("notificationRules", s.shortRuleID), err))
	seen, err = s.refusedAnswered()
	s.CheckSeen("(c) the refused key's events reached the emulator and were answered 400 "+invalidKey, seen, err)
	logText, _ := os.ReadFile(s.logFile)
	seen, err = reasonLogged(string(logText), s.logFile)
	s.CheckSeen("(c) InfluxDB's log has the reason of the 400 (PagerDuty's message and errors)", seen, err)
	seen, err = s.shortKeyReason(string(logText))
	s.CheckSeen("(c) InfluxDB's log or the notification says why the 31-character key was not sent", seen, err)
}

// refusedAnswered counts the events with the refused key (masked in the
// emulator's views) that were answered 400 for it.
func (s *runner) refusedAnswered() (string, error) {
	reqs, err := s.emu.Requests()
	if err != nil {
		return "", err
	}
	masked, n := redact.Key(s.badKey), 0
	for _, r := range reqs {
		if r.RoutingKey == masked && r.Status == http.StatusBadRequest && slices.Contains(r.Errors, invalidKey) {
			n++
		}
	}
	if n == 0 {
		return "", fmt.Errorf("no event with routing key %s answered 400 %q; requests: %s", masked, invalidKey, e2e.Pretty(reqs))
	}
	return fmt.Sprintf("%d events with routing key %s answered 400 %q", n, masked, invalidKey), nil
}

// reasonLogged finds the log line with the 400 and PagerDuty's reason.
func reasonLogged(logText, logFile string) (string, error) {
	for _, l := range strings.Split(logText, "\n") {
		if strings.Contains(l, "400") && strings.Contains(l, invalidKey) {
			return l, nil
		}
	}
	return "", fmt.Errorf("no line with 400 and PagerDuty's reason in %s", logFile)
}

// shortKeyReason finds a log line about the routing key or, failing that,
// says what the notification's _body was.
func (s *runner) shortKeyReason(logText string) (string, error) {
	for _, l := range strings.Split(logText, "\n") {
		if strings.Contains(l, "routingKey") || strings.Contains(l, "routing_key") {
			return "log: " + l, nil
		}
	}
	rows, err := s.query(`from(bucket: "_monitoring") |> range(start: -1h) |> filter(fn: (r) => r._measurement == "notifications" and r._notification_rule_id == "` + s.shortRuleID + `") |> filter(fn: (r) => r._field == "_body") |> last()`)
	if err != nil {
		return "", err
	}
	var bodies []string
	for _, r := range rows {
		bodies = append(bodies, r["_value"])
	}
	return "", fmt.Errorf("no line about the routing key in %s (a send refused before it is made is not reported to the host); the notification's _body: %q", s.logFile, bodies)
}

// stopWrongKeyRules: (c) is done, so stop its rules, so that InfluxDB,
// which runs every task in turn, has fewer runs to catch up with on a busy
// machine.
func (s *runner) stopWrongKeyRules() {
	for _, id := range []string{s.badRuleID, s.shortRuleID} {
		s.Check("(c) PATCH /api/v2/notificationRules/ID status inactive", s.do(http.MethodPatch, "/api/v2/notificationRules/"+id, map[string]any{"status": "inactive"}, nil))
	}
}
