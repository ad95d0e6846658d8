package main

// Setup and part (a): pagerduty.sendEvent with a host's last status, as
// the package's documentation shows it.

import (
	"fmt"
	"net/http"
	"time"

	"github.com/fluxpd/fluxpd/integrations/e2e"
)

// The times of part (a)'s statuses, before the scenario's start.
const (
	critAgo = 120 * time.Second
	okAgo   = 60 * time.Second
)

// summaryOf is the summary stored with host's crit or ok status.
func summaryOf(host, level string) string {
	if level == "ok" {
		return "CPU load back to 12% on " + host
	}
	return "CPU load at 97% on " + host
}

// statusLine is host's status at level, at unix second t, in line protocol.
func statusLine(host, level string, t int64) string {
	return fmt.Sprintf(`statuses,host=%s _level="%s",summary="%s",client="influxd-e2e",class="cpu-load",group="app-stack" %d`,
		host, level, summaryOf(host, level), t)
}

func (s *runner) createDatabase() {
	s.Check("CREATE DATABASE mon", s.influxql("", "CREATE DATABASE mon"))
}

// partA writes a crit status per host and sends each host's last status,
// then the same with an ok status; then checks the emulator's count.
func (s *runner) partA() {
	s.sendLastStatuses("crit", "a", s.at(critAgo), e2e.AlertWant{Status: "triggered", History: []string{"trigger"}},
		"emulator has a triggered alert with the stored status")
	s.sendLastStatuses("ok", "an", s.at(okAgo), e2e.AlertWant{Status: "resolved", History: []string{"trigger", "resolve"}},
		"emulator resolved the alert")
	s.requestsAccepted("(a) emulator accepted all 4 sendEvent requests", 4)
}

// sendLastStatuses writes a status at level per host at unix second t,
// then for each host sends its last status with sendEvent and checks the
// answer and that its alert (opened by the crit status) is now want
// (what says so).
func (s *runner) sendLastStatuses(level, article string, t int64, want e2e.AlertWant, what string) {
	var lines []string
	for _, h := range hosts {
		lines = append(lines, statusLine(h, level, t))
	}
	s.Check(fmt.Sprintf("write %s %s status per host", article, level), s.write("mon", lines...))
	s.Say("(a) sendEvent with the last status of each host: %s", level)
	for _, h := range hosts {
		rows, err := s.flux("a-"+level+"-"+h, s.script(sendLastStatus(h)))
		s.Check(fmt.Sprintf("(a) %s %s: Flux query with pagerduty.sendEvent succeeds", h, level), err)
		seen, err := rowsOf(rows, err, e2e.RowsWant{N: 1, Eq: []string{"host=" + h, "_level=" + level, "sendEventStatus=202"}})
		s.CheckSeen(fmt.Sprintf("(a) %s %s: sendEvent returned 202", h, level), seen, err)
		want.DedupKey, want.Source, want.Severity, want.Summary = h, h, "critical", summaryOf(h, "crit")
		seen, err = s.alert(want)
		s.CheckSeen(fmt.Sprintf("(a) %s %s: %s", h, level, what), seen, err)
	}
}

// sendLastStatus is part (a)'s query for host: the documented sendEvent
// example fed with the host's last status. It returns that status with
// the HTTP status sendEvent returned in column sendEventStatus.
func sendLastStatus(host string) string {
	return `import "pagerduty"
import "influxdata/influxdb/secrets"
import "influxdata/influxdb/v1"

lastStatus = () => from(bucket: "mon/autogen")
    |> range(start: -1h)
    |> filter(fn: (r) => r._measurement == "statuses" and r.host == "` + host + `")
    |> v1.fieldsAsCols()
    |> last(column: "_time")

lastReported = lastStatus()
    |> tableFind(fn: (key) => true)
    |> getRecord(idx: 0)

status = pagerduty.sendEvent(
    pagerdutyURL: "$EMU/v2/enqueue",
    routingKey: secrets.get(key: "PAGERDUTY_ROUTING_KEY"),
    client: lastReported.client,
    clientURL: "$INFLUX/",
    dedupKey: lastReported.host,
    class: lastReported.class,
    group: lastReported.group,
    severity: pagerduty.severityFromLevel(level: lastReported._level),
    eventAction: pagerduty.actionFromLevel(level: lastReported._level),
    source: lastReported.host,
    summary: lastReported.summary,
    timestamp: lastReported._time,
)

lastStatus()
    |> map(fn: (r) => ({r with sendEventStatus: status}))
    |> yield(name: "sendEvent")
`
}

// rowsOf checks the rows of a query; a failed query (err) fails it too.
func rowsOf(rows e2e.Rows, err error, want e2e.RowsWant) (string, error) {
	if err != nil {
		return "", fmt.Errorf("no rows: the query failed")
	}
	return want.Check(rows)
}

// alert checks the emulator's alert against want.
func (s *runner) alert(want e2e.AlertWant) (string, error) {
	alerts, err := s.emu.Alerts()
	if err != nil {
		return "", err
	}
	return want.Check(alerts)
}

// requestsAccepted checks that the emulator received exactly n requests
// and answered each 202 with the verdict accepted.
func (s *runner) requestsAccepted(what string, n int) {
	reqs, err := s.emu.Requests()
	accepted := 0
	for _, r := range reqs {
		if r.Verdict == "accepted" && r.Status == http.StatusAccepted {
			accepted++
		}
	}
	if err == nil && (len(reqs) != n || accepted != n) {
		err = fmt.Errorf("%d requests received, %d accepted; want %d and %d\nrequests: %s", len(reqs), accepted, n, n, e2e.Pretty(reqs))
	}
	s.CheckSeen(what, fmt.Sprintf("%d requests received, %d accepted", len(reqs), accepted), err)
}
