package harness

import (
	"fmt"
	"strings"
	"time"
)

// RoutingKey is the routing key of every benchmark event: 32 characters, as
// PagerDuty's are, and not a real one.
const RoutingKey = "fluxpdbench0routing0key000000032"

// Constant event fields, the same in every scenario and both runtimes.
const (
	eventClient    = "fluxbench"
	eventClientURL = "http://monitoring.example.com/bench"
	eventClass     = "disk"
	eventGroup     = "bench"
	eventComponent = "disk"
)

// baseTime is the _time of row 0; row i is i seconds later.
var baseTime = time.Date(2024, 5, 6, 7, 8, 9, 0, time.UTC)

// Row is one input row: a status of one host's disk check.
type Row struct {
	Host    string
	Level   string // crit, warn or ok
	Time    time.Time
	Message string
	Value   float64
}

// Action is the event action the row's level maps to.
func (r Row) Action() string {
	if r.Level == "ok" {
		return "resolve"
	}
	return "trigger"
}

// Severity is the PagerDuty severity the row's level maps to, as
// pagerduty.severityFromLevel maps it.
func (r Row) Severity() string {
	switch r.Level {
	case "crit":
		return "critical"
	case "warn":
		return "warning"
	}
	return "info"
}

// Rows returns n rows. Every fifth row resolves the alert the row before it
// triggered, so one host in five has two rows (trigger, then resolve) with
// the same dedup key; every other host has one. Per-key order therefore
// matters: a resolve that overtakes its trigger is an error.
func Rows(n int) []Row {
	rows := make([]Row, n)
	host := 0
	for i := range rows {
		r := Row{Time: baseTime.Add(time.Duration(i) * time.Second)}
		if i%5 == 4 {
			r.Host = rows[i-1].Host
			r.Level = "ok"
			r.Value = 41.5
			r.Message = "Disk usage back to normal on " + r.Host
		} else {
			r.Host = fmt.Sprintf("host-%06d.example.com", host)
			host++
			r.Level = "crit"
			r.Value = 97.25
			if i%5 == 1 {
				r.Level = "warn"
				r.Value = 88.5
			}
			r.Message = fmt.Sprintf("Disk usage at %.2f%% on %s", r.Value, r.Host)
		}
		rows[i] = r
	}
	return rows
}

// Expect is what a receiver must get for a set of rows.
type Expect struct {
	Events   int // events in total
	Triggers int
	Resolves int
	Keys     int // distinct dedup keys
}

// Expected returns what sending one event per row must deliver.
func Expected(rows []Row) Expect {
	e := Expect{Events: len(rows)}
	hosts := make(map[string]bool, len(rows))
	for _, r := range rows {
		hosts[r.Host] = true
		if r.Action() == "resolve" {
			e.Resolves++
		} else {
			e.Triggers++
		}
	}
	e.Keys = len(hosts)
	return e
}

// CSV returns the rows as Flux annotated CSV. With grouped false they form
// one table (group key: _measurement); with grouped true every host is its
// own table (group key: _measurement, host), as a monitoring check's output
// is, so that dedupKey() gives every host its own key.
func CSV(rows []Row, grouped bool) string {
	var b strings.Builder
	b.Grow(len(rows) * 120)
	hostGroup := "false"
	if grouped {
		hostGroup = "true"
	}
	b.WriteString("#datatype,string,long,dateTime:RFC3339,string,string,string,string,double\n")
	b.WriteString("#group,false,false,false,true," + hostGroup + ",false,false,false\n")
	b.WriteString("#default,_result,,,,,,,\n")
	b.WriteString(",result,table,_time,_measurement,host,_level,_message,_value\n")
	table := 0
	for i, r := range rows {
		if grouped && i > 0 && r.Host != rows[i-1].Host {
			table++
		}
		fmt.Fprintf(&b, ",,%d,%s,disk,%s,%s,%s,%g\n", table, r.Time.Format(time.RFC3339), r.Host, r.Level, r.Message, r.Value)
	}
	return b.String()
}
