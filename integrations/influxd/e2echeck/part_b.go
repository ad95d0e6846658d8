package main

// Parts (b) and (e): pagerduty.endpoint() over stored statuses.

import (
	"fmt"
	"time"

	"github.com/fluxpd/fluxpd/integrations/e2e"
)

// The times of part (e)'s statuses, before the scenario's start.
const (
	tagWarnAgo = 150 * time.Second
	tagCritAgo = 100 * time.Second
	tagOkAgo   = 50 * time.Second
)

// endpointQuery is part (b)'s query: every status of database mon through
// pagerduty.endpoint(url:)(mapFn:), grouped by host.
const endpointQuery = `import "pagerduty"
import "influxdata/influxdb/secrets"
import "influxdata/influxdb/v1"

toPagerDuty = pagerduty.endpoint(url: "$EMU/v2/enqueue")
routingKey = secrets.get(key: "PAGERDUTY_FILE_KEY")

from(bucket: "mon/autogen")
    |> range(start: -1h)
    |> filter(fn: (r) => r._measurement == "statuses")
    |> v1.fieldsAsCols()
    |> group(columns: ["host"])
    |> sort(columns: ["_time"])
    |> toPagerDuty(mapFn: (r) => ({
        routingKey: routingKey,
        client: r.client,
        clientURL: "$INFLUX/",
        class: r.class,
        group: r.group,
        severity: pagerduty.severityFromLevel(level: r._level),
        eventAction: pagerduty.actionFromLevel(level: r._level),
        component: "cpu",
        source: r.host,
        summary: r.summary,
        timestamp: r._time,
    }))()
    |> yield(name: "endpoint")
`

func (s *runner) partB() {
	s.Say("(b) pagerduty.endpoint over every status, grouped by host")
	rows, err := s.flux("b-endpoint", s.script(endpointQuery))
	s.Check("(b) Flux query with pagerduty.endpoint succeeds", err)
	seen, err := rowsOf(rows, err, e2e.RowsWant{N: 4, Eq: []string{"_sent=true", "_status=202"}, NonEmpty: []string{"_pagerdutyDedupKey", "_body"}})
	s.CheckSeen("(b) every row was sent: _sent=true, _status=202, a dedup key", seen, err)
	for _, h := range hosts {
		s.resolvedUnderKey(rows, h, "(b) "+h+": crit and ok rows share one dedup key",
			"(b) "+h+": emulator has its alert triggered then resolved under that key",
			e2e.AlertWant{History: []string{"trigger", "resolve"}, Severity: "critical", Summary: summaryOf(h, "crit")})
	}
	s.requestsAccepted("(b) emulator accepted all 8 requests of (a) and (b)", 8)
}

// resolvedUnderKey checks that host's rows share one dedup key (what),
// then that the emulator's alert under that key is resolved, from source
// host, and as want says (alertWhat). Without a key the second check
// fails too.
func (s *runner) resolvedUnderKey(rows e2e.Rows, host, what, alertWhat string, want e2e.AlertWant) {
	key, err := e2e.OneValue(rows, "_pagerdutyDedupKey", "host", host)
	if !s.CheckSeen(what, key, err) {
		s.Check(alertWhat, fmt.Errorf("no dedup key to look the alert up by"))
		return
	}
	want.DedupKey, want.Status, want.Source = key, "resolved", host
	seen, err := s.alert(want)
	s.CheckSeen(alertWhat, seen, err)
}

// taggedQuery is part (e)'s query: app-1's statuses, with _level as a
// tag, straight into pagerduty.endpoint().
const taggedQuery = `import "pagerduty"
import "influxdata/influxdb/secrets"
import "influxdata/influxdb/v1"

from(bucket: "mon/autogen")
    |> range(start: -1h)
    |> filter(fn: (r) => r._measurement == "tagged_statuses")
    |> v1.fieldsAsCols()
    |> pagerduty.endpoint(url: "$EMU/v2/enqueue")(mapFn: (r) => ({
        routingKey: secrets.get(key: "PAGERDUTY_FILE_KEY"),
        client: r.client,
        clientURL: "$INFLUX/",
        class: r.class,
        group: r.group,
        severity: pagerduty.severityFromLevel(level: r._level),
        eventAction: pagerduty.actionFromLevel(level: r._level),
        source: r.host,
        summary: r.summary,
        timestamp: r._time,
    }))()
    |> yield(name: "tagged")
`

// tagLine is app-1's status at level, with _level as a tag, in line
// protocol.
func tagLine(level string, t int64, summary string) string {
	return fmt.Sprintf(`tagged_statuses,host=app-1,_level=%s summary="%s",client="influxd-e2e",class="mem",group="app-stack" %d`, level, summary, t)
}

// partE: as InfluxDB 2's checks store statuses, _level is a tag, so
// from(bucket:) returns one table per level. app-1 went warn -> crit ->
// ok; endpoint() must send each dedup key's events in _time order, so the
// alert ends resolved.
func (s *runner) partE() {
	s.Say("(e) _level as a tag: one table per level, in group-key order (crit, ok, warn)")
	s.Check("(e) write app-1's warn, crit and ok statuses with _level as a tag", s.write("mon",
		tagLine("warn", s.at(tagWarnAgo), "Memory at 85% on app-1"),
		tagLine("crit", s.at(tagCritAgo), "Memory at 97% on app-1"),
		tagLine("ok", s.at(tagOkAgo), "Memory back to 40% on app-1")))
	rows, err := s.flux("e-tagged", s.script(taggedQuery))
	s.Check("(e) Flux query with pagerduty.endpoint over the per-level tables succeeds", err)
	seen, err := rowsOf(rows, err, e2e.RowsWant{N: 3, Eq: []string{"_sent=true", "_status=202"}, NonEmpty: []string{"_pagerdutyDedupKey"}})
	s.CheckSeen("(e) the three rows were sent", seen, err)
	s.resolvedUnderKey(rows, "app-1", "(e) app-1: warn, crit and ok rows share one dedup key",
		"(e) app-1: the alert ends resolved (events sent in _time order: warn, crit, ok)",
		e2e.AlertWant{History: []string{"trigger", "trigger", "resolve"}, Severity: "warning", Summary: "Memory at 85% on app-1"})
}
