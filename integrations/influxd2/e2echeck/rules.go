package main

// Notification rules and checks: the task that runs each one, its failed
// runs, and waiting for a rule to be quiet.

import (
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/fluxpd/fluxpd/integrations/e2e"
)

// taskOf returns the ID of the task that runs the rule or check with ID
// id. The API does not show it, so it is read from the _tasks bucket:
// the log of each finished run quotes the task's script, which names id
// (_notification_rule_id or _check_id). It waits for a finished run.
func (s *runner) taskOf(name, id string) (string, error) {
	var taskID string
	err := e2e.Until(fmt.Sprintf("a finished run of %s in _tasks (to learn its task's ID)", name), func() error {
		rows, err := s.query(`import "strings"
from(bucket: "_tasks") |> range(start: -1h)
  |> filter(fn: (r) => r._measurement == "runs" and r._field == "logs")
  |> filter(fn: (r) => strings.containsStr(v: r._value, substr: "` + id + `"))
  |> keep(columns: ["taskID"]) |> distinct(column: "taskID")`)
		if err != nil {
			return err
		}
		var ids []string
		for _, r := range rows {
			ids = append(ids, r["_value"])
		}
		if len(ids) != 1 {
			return fmt.Errorf("tasks whose runs' logs name %s: %v", id, ids)
		}
		taskID = ids[0]
		return nil
	})
	return taskID, err
}

// failedRuns describes the failed runs of the rule or check with ID id,
// with their logs, for a failure message; "" when there are none or they
// cannot be read.
func (s *runner) failedRuns(id string) string {
	taskID, err := s.taskOf(id, id)
	if err != nil {
		return ""
	}
	runs, err := s.runs(taskID)
	if err != nil {
		return ""
	}
	var b strings.Builder
	fmt.Fprintf(&b, "\nruns of task %s: %s", taskID, runsString(runs))
	for _, r := range runs {
		if r.Status != "failed" {
			continue
		}
		var logs struct {
			Events []struct {
				Time    string `json:"time"`
				Message string `json:"message"`
			} `json:"events"`
		}
		if err := s.do(http.MethodGet, "/api/v2/tasks/"+taskID+"/runs/"+r.ID+"/logs", nil, &logs); err != nil {
			fmt.Fprintf(&b, "\nrun %s: %v", r, err)
			continue
		}
		for _, e := range logs.Events {
			if !strings.HasPrefix(e.Message, "Started task from script") {
				fmt.Fprintf(&b, "\nrun %s: %s %s", r, e.Time, e.Message)
			}
		}
	}
	return b.String()
}

// quiet waits until the rule with ID ruleID (run by task taskID) is quiet:
// every run of it scheduled up to 10s after its latest notification has
// finished (two of them were scheduled after it) and no notification came
// meanwhile. A run writes its notifications before it finishes.
func (s *runner) quiet(name, ruleID, taskID string) error {
	latest := func() (time.Time, error) {
		rows, err := s.query(`from(bucket: "_monitoring") |> range(start: -1h) |> filter(fn: (r) => r._measurement == "notifications" and r._notification_rule_id == "` + ruleID + `" and r._field == "_body")`)
		if err != nil {
			return time.Time{}, err
		}
		var last time.Time
		for _, r := range rows {
			t, err := time.Parse(time.RFC3339Nano, r["_time"])
			if err != nil {
				return time.Time{}, fmt.Errorf("notification _time %q: %v", r["_time"], err)
			}
			if t.After(last) {
				last = t
			}
		}
		return last, nil
	}
	return e2e.Until(name+" to be quiet", func() error {
		last, err := latest()
		if err != nil {
			return err
		}
		runs, err := s.runs(taskID)
		if err != nil {
			return err
		}
		if err := ranThrough(runs, last.Add(10*time.Second)); err != nil {
			return fmt.Errorf("latest notification at %s; %v; runs: %s", last.UTC().Format(time.RFC3339Nano), err, runsString(runs))
		}
		again, err := latest()
		if err != nil {
			return err
		}
		if !again.Equal(last) {
			return fmt.Errorf("%s sent again at %s", name, again.UTC().Format(time.RFC3339Nano))
		}
		return nil
	})
}

// missedTransition explains, for a failure message, whether InfluxDB's
// rule with ID ruleID saw the check's first OK status after CRIT written
// since since: a rule run notifies about the statuses written from 5s
// before its tick up to when it runs, so a status written late (after the
// run that should see it has read) is never notified, by design of
// InfluxDB's rules. "" when it cannot tell.
func (s *runner) missedTransition(ruleID string, since time.Time) string {
	statuses, err := s.query(`import "influxdata/influxdb/monitor"
monitor.from(start: ` + since.UTC().Format(time.RFC3339Nano) + `) |> filter(fn: (r) => r._check_name == "cpu-high") |> group() |> sort(columns: ["_time"])`)
	if err != nil {
		return ""
	}
	prev, okAt := "", ""
	for _, r := range statuses {
		if prev == "crit" && r["_level"] == "ok" {
			okAt = r["_time"]
			break
		}
		prev = r["_level"]
	}
	if okAt == "" {
		return "\nthe check has written no OK status after a CRIT one since " + since.UTC().Format(time.RFC3339Nano)
	}
	t, err := time.Parse(time.RFC3339Nano, okAt)
	if err != nil {
		return ""
	}
	rows, err := s.query(`from(bucket: "_monitoring") |> range(start: ` + since.UTC().Format(time.RFC3339Nano) + `) |> filter(fn: (r) => r._measurement == "notifications" and r._notification_rule_id == "` + ruleID + `" and r._field == "_status_timestamp" and r._value == ` + fmt.Sprint(t.UnixNano()) + `)`)
	if err != nil {
		return ""
	}
	if len(rows) == 0 {
		return fmt.Sprintf("\nthe check's first OK status after CRIT (at %s) has no notification of the rule: InfluxDB's rule did not see it", okAt)
	}
	return fmt.Sprintf("\nthe check's first OK status after CRIT (at %s) has %d notifications of the rule", okAt, len(rows))
}
