package main

// Part (b): what InfluxDB's generated rule puts in the events.

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/fluxpd/fluxpd/integrations/e2e"
	"github.com/fluxpd/fluxpd/internal/redact"
)

// critStatuses is what the check's crit statuses said: their messages and
// their _source_timestamp, as RFC 3339 in UTC.
type critStatuses struct {
	messages, times map[string]bool
}

// generatedFields checks pd-rule's events against the check's statuses.
func (s *runner) generatedFields() {
	statuses, err := s.query(`import "influxdata/influxdb/monitor"
monitor.from(start: -1h) |> filter(fn: (r) => r._check_name == "cpu-high")`)
	s.Check("(b) _monitoring has the check's statuses", err)
	crit := critStatuses{messages: map[string]bool{}, times: map[string]bool{}}
	for _, r := range statuses {
		if r["_level"] == "crit" {
			crit.messages[r["_message"]] = true
			if ns, err := strconv.ParseInt(r["_source_timestamp"], 10, 64); err == nil {
				crit.times[time.Unix(0, ns).UTC().Format(time.RFC3339Nano)] = true
			}
		}
	}
	_, evs, err := s.events()
	s.Check("(b) the emulator's event log (GET /_emulator/requests?raw=1)", err)
	ruleEvents, keys := s.pdRuleEvents(evs)
	seen, err := s.oneKey(ruleEvents, keys)
	s.CheckSeen("(b) every pd-rule event has one dedup key, and the alert went trigger... then resolve", seen, err)
	seen, err = s.triggerFields(ruleEvents, crit)
	s.CheckSeen("(b) the trigger carries InfluxDB's generated fields (class = check name, source = rule name, summary = status message, timestamp = _source_timestamp, client, client_url, group, the endpoint's key)", seen, err)
}

// triggerFields checks every trigger of pd-rule: the fields InfluxDB's
// generated rule sets.
func (s *runner) triggerFields(ruleEvents []e2e.Event, crit critStatuses) (string, error) {
	var problems []string
	n := 0
	for _, e := range ruleEvents {
		if e.EventAction != "trigger" || e.Payload == nil {
			continue
		}
		n++
		p := e.Payload
		want := func(what, got, want string) {
			if got != want {
				problems = append(problems, fmt.Sprintf("%s is %q, want %q", what, got, want))
			}
		}
		want("class", p.Class, "cpu-high")
		want("source", p.Source, "pd-rule")
		want("severity", p.Severity, "critical")
		want("group", p.Group, "cpu")
		want("client", e.Client, "influxdata")
		want("client_url", e.ClientURL, s.clientURL)
		want("routing_key (masked)", e.RoutingKey, redact.Key(s.key))
		if !crit.messages[p.Summary] {
			problems = append(problems, fmt.Sprintf("summary %q is not the _message of a crit status (%v)", p.Summary, crit.messages))
		}
		ts, err := time.Parse(time.RFC3339Nano, p.Timestamp)
		if err != nil || !crit.times[ts.UTC().Format(time.RFC3339Nano)] {
			problems = append(problems, fmt.Sprintf("timestamp %q is not the _source_timestamp of a crit status (%v)", p.Timestamp, crit.times))
		}
	}
	if n == 0 {
		problems = append(problems, "no trigger")
	}
	if len(problems) > 0 {
		return "", fmt.Errorf("%s\nevents: %s", strings.Join(problems, "\n"), e2e.Pretty(ruleEvents))
	}
	return fmt.Sprintf("%d triggers checked", n), nil
}
