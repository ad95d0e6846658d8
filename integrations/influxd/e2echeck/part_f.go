package main

// Part (f): sendEvent inside map() without pagerdutyURL.

import "github.com/fluxpd/fluxpd/integrations/e2e"

// defaultURLQuery calls sendEvent in map() without pagerdutyURL: the event
// must go to the server's FLUXPD_PAGERDUTY_URL, the emulator.
const defaultURLQuery = `import "pagerduty"
import "influxdata/influxdb/secrets"
import "csv"

key = secrets.get(key: "PAGERDUTY_ROUTING_KEY")
csv.from(csv: "#datatype,string,long,string\n#group,false,false,false\n#default,_result,,\n,result,table,host\n,,0,batch-1\n")
    |> map(fn: (r) => ({r with status: pagerduty.sendEvent(
        routingKey: key, client: "influxd-e2e", clientURL: "", dedupKey: r.host, class: "job", group: "batch",
        severity: "warning", eventAction: "trigger", source: r.host, summary: "Job late on ${r.host}",
        timestamp: "2024-01-01T00:00:00Z")}))
`

func (s *runner) partF() {
	s.Say("(f) sendEvent inside map() without pagerdutyURL: the server's FLUXPD_PAGERDUTY_URL")
	rows, err := s.flux("f-default", defaultURLQuery)
	s.Check("(f) Flux query with sendEvent in map() and no URL succeeds", err)
	seen, err := rowsOf(rows, err, e2e.RowsWant{N: 1, Eq: []string{"host=batch-1", "status=202"}})
	s.CheckSeen("(f) sendEvent returned 202", seen, err)
	seen, err = s.alert(e2e.AlertWant{DedupKey: "batch-1", Status: "triggered", Source: "batch-1", History: []string{"trigger"}})
	s.CheckSeen("(f) the emulator (the server's default URL) has the alert", seen, err)
}
