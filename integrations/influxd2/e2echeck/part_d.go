package main

// Part (d): the generated OK-after-CRIT rule script is the committed
// fixture, which flux_test/influxd2_rule_test.go runs under fluxrun.

import (
	"fmt"
	"net/http"
	"os"
	"strings"
)

// The IDs and client URL of the captured run the fixture holds, in place
// of this run's.
const (
	fixtureEndpointID = "11b9de24fe980000"
	fixtureRuleID     = "11b9de2e0e980000"
	fixtureClientURL  = "http://127.0.0.1:18781/client"
)

// ruleScript reads pd-rule's generated script, checks it and compares it
// with the fixture (or, with -update-fixture, rewrites the fixture).
func (s *runner) ruleScript() {
	var q struct {
		Flux string `json:"flux"`
	}
	if !s.Check("(d) GET /api/v2/notificationRules/ID/query", s.do(http.MethodGet, "/api/v2/notificationRules/"+s.ruleID+"/query", nil, &q)) {
		return
	}
	script := strings.NewReplacer(s.epID, fixtureEndpointID, s.ruleID, fixtureRuleID, s.clientURL, fixtureClientURL).Replace(q.Flux)
	if !strings.HasSuffix(script, "\n") {
		script += "\n"
	}
	saved := s.answers.Save("rule.flux", []byte(script))
	var err error
	if !strings.Contains(script, `monitor["stateChanges"](fromLevel: "crit", toLevel: "ok")`) {
		err = fmt.Errorf("no stateChanges(fromLevel: crit, toLevel: ok) in:\n%s", script)
	}
	s.CheckSeen("(d) the generated rule script uses monitor.stateChanges and is saved", saved, err)
	if s.updateFixture {
		s.CheckSeen("(d) the generated rule script is written to the fixture (-update-fixture)", s.fixture, os.WriteFile(s.fixture, []byte(script), 0o644))
		return
	}
	s.Check("(d) the generated rule script is "+s.fixture, sameText(s.fixture, saved, script))
}

// sameText compares the file at path with text (saved at savedPath) and
// shows the first line that differs.
func sameText(path, savedPath, text string) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	if string(b) == text {
		return nil
	}
	want, got := strings.Split(string(b), "\n"), strings.Split(text, "\n")
	i := 0
	for i < len(want) && i < len(got) && want[i] == got[i] {
		i++
	}
	line := func(lines []string) string {
		if i < len(lines) {
			return fmt.Sprintf("%q", lines[i])
		}
		return "(the end)"
	}
	return fmt.Errorf("it differs from %s at line %d:\n-%s\n+%s\n(diff -u %s %s; UPDATE_FIXTURE=1 rewrites it)", path, i+1, line(want), line(got), path, savedPath)
}
