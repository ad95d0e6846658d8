package e2e

// Checking one alert of the emulator.

import (
	"fmt"
	"strings"
)

// AlertWant is what an alert must be; empty fields are not checked.
type AlertWant struct {
	DedupKey string
	Status   string   // triggered, acknowledged or resolved
	Source   string   // the alert's source (of its opening trigger)
	History  []string // the actions applied, oldest first
	Severity string   // of the opening event
	Summary  string   // of the opening event
}

// Check finds the one alert of alerts with w's dedup key and checks it.
// It returns what it saw, for the check's line.
func (w AlertWant) Check(alerts []Alert) (string, error) {
	a, err := FindAlert(alerts, w.DedupKey)
	if err != nil {
		return "", err
	}
	actions := strings.Join(Actions(a.History), ",")
	var problems []string
	want := func(what, got, want string) {
		if want != "" && got != want {
			problems = append(problems, fmt.Sprintf("%s is %q, want %q", what, got, want))
		}
	}
	want("status", a.Status, w.Status)
	want("source", a.Source, w.Source)
	want("history", actions, strings.Join(w.History, ","))
	seen := fmt.Sprintf("alert %q: status=%s source=%q history=%s", a.DedupKey, a.Status, a.Source, actions)
	if len(a.History) > 0 {
		want("severity of the opening event", a.History[0].Severity, w.Severity)
		want("summary of the opening event", a.History[0].Summary, w.Summary)
		seen += fmt.Sprintf(" opened with severity=%q summary=%q", a.History[0].Severity, a.History[0].Summary)
	} else if w.Severity != "" || w.Summary != "" {
		problems = append(problems, "the alert has no history")
	}
	if len(problems) > 0 {
		return "", fmt.Errorf("alert %q: %s\nalert: %s", w.DedupKey, strings.Join(problems, "; "), Pretty(a))
	}
	return seen, nil
}
