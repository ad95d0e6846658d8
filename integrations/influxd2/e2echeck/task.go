package main

// Part (a): a task with pagerduty.endpoint() and secrets.get.

import (
	"fmt"
	"net/http"
	"time"

	"github.com/fluxpd/fluxpd/integrations/e2e"
)

// minTaskRuns is how many finished runs of the task (a) waits for.
const minTaskRuns = 3

// taskFlux is the task: every 5s, the stored alerts through endpoint()
// without a URL (the server's default), the key from secrets.get.
const taskFlux = `import "pagerduty"
import "influxdata/influxdb/secrets"
import "influxdata/influxdb/v1"

option task = {name: "pd-task", every: 5s}

routingKey = secrets.get(key: "PD_TASK_KEY")

from(bucket: "e2e")
    |> range(start: -1h)
    |> filter(fn: (r) => r._measurement == "alerts")
    |> v1.fieldsAsCols()
    |> pagerduty.endpoint()(mapFn: (r) => ({
        routingKey: routingKey,
        client: "influxd2-e2e",
        clientURL: "http://127.0.0.1/task",
        class: r.class,
        group: r.group,
        severity: pagerduty.severityFromLevel(level: r.level),
        eventAction: pagerduty.actionFromLevel(level: r.level),
        component: "disk",
        source: r.host,
        summary: r.summary,
        timestamp: r._time,
        customDetails: {scheduledFor: string(v: now())},
    }))()
`

// createTask writes the alert the task reads and creates the task, once
// its secret is set (setSecrets).
func (s *runner) createTask() {
	s.alertTime = time.Now().Add(-time.Minute).UTC().Truncate(time.Second)
	s.Check("(a) write the alert the task reads", s.write(fmt.Sprintf(
		`alerts,host=db-1 level="crit",summary="Disk 97%% full on db-1",class="disk",group="storage" %d`, s.alertTime.UnixNano())))
	var task struct{ ID string }
	if s.Check("(a) POST /api/v2/tasks (every: 5s, endpoint() without url, key from secrets.get)",
		s.do(http.MethodPost, "/api/v2/tasks", map[string]any{"orgID": s.orgID, "status": "active", "flux": taskFlux}, &task)) {
		s.taskID = task.ID
	}
}

// taskResult runs before part (e), so that the task's sends do not meet
// the outage (it has run through (b) and (c) meanwhile): once the task
// has finished minTaskRuns runs, stop it, wait until what it did has
// settled (see settled), then compare its successful runs with the events
// sent.
func (s *runner) taskResult() {
	if s.taskID == "" {
		return
	}
	id := s.taskID
	s.Check("(a) the task has finished at least 3 runs", s.finishedRuns("pd-task", id, minTaskRuns))
	s.Check("(a) PATCH /api/v2/tasks/ID status inactive", s.do(http.MethodPatch, "/api/v2/tasks/"+id, map[string]any{"status": "inactive"}, nil))
	var v taskView
	err := e2e.Until("pd-task to settle: no run in progress, and every event it sent from a listed run", func() error {
		var err error
		v, err = s.settled(id)
		return err
	})
	ok := v.succeeded()
	seen, runsErr := s.taskRuns(v, err)
	s.CheckSeen(fmt.Sprintf("(a) the task's runs all succeeded (at least %d)", minTaskRuns), seen, runsErr)
	seen, evErr := s.taskEvents(v, ok, err)
	s.CheckSeen("(a) the emulator got one event per successful run, with the stored fields, at the server's default URL", seen, evErr)
	s.Check("(a) the emulator shows them as one alert", taskAlert(v, err))
}

// succeeded counts the successful runs.
func (v taskView) succeeded() int {
	ok := 0
	for _, r := range v.runs {
		if r.Status == "success" {
			ok++
		}
	}
	return ok
}

// taskRuns checks that every run succeeded, at least minTaskRuns.
func (s *runner) taskRuns(v taskView, settleErr error) (string, error) {
	if settleErr != nil {
		return "", settleErr
	}
	var statuses []string
	for _, r := range v.runs {
		statuses = append(statuses, r.Status)
	}
	if ok := v.succeeded(); ok < minTaskRuns || ok != len(v.runs) {
		var logs any
		_ = s.do(http.MethodGet, "/api/v2/tasks/"+s.taskID+"/logs", nil, &logs)
		return "", fmt.Errorf("runs: %v\nlogs: %s", statuses, e2e.Pretty(logs))
	}
	return fmt.Sprintf("%d runs: %v", len(v.runs), statuses), nil
}

// taskEvents checks that the task sent one event per successful run, each
// with the stored alert's fields.
func (s *runner) taskEvents(v taskView, ok int, settleErr error) (string, error) {
	if settleErr != nil {
		return "", settleErr
	}
	if len(v.events) != ok {
		return "", fmt.Errorf("%d events for %d successful runs: %s", len(v.events), ok, e2e.Pretty(v.events))
	}
	for _, e := range v.events {
		p := e.Payload
		if e.EventAction != "trigger" || p.Severity != "critical" || p.Summary != "Disk 97% full on db-1" ||
			p.Class != "disk" || p.Group != "storage" || p.Component != "disk" || e.Client != "influxd2-e2e" {
			return "", fmt.Errorf("unexpected event: %s", e2e.Pretty(e))
		}
		if ts, err := time.Parse(time.RFC3339Nano, p.Timestamp); err != nil || !ts.Equal(s.alertTime) {
			return "", fmt.Errorf("timestamp %q, want %s", p.Timestamp, s.alertTime.Format(time.RFC3339))
		}
	}
	return fmt.Sprintf("%d events", len(v.events)), nil
}

// taskAlert checks that the task's events are one triggered alert.
func taskAlert(v taskView, settleErr error) error {
	if settleErr != nil {
		return settleErr
	}
	n := 0
	for _, a := range v.alerts {
		if a.Source == "db-1" {
			n++
			if a.Count != len(v.events) || a.Status != "triggered" {
				return fmt.Errorf("alert %s", e2e.Pretty(a))
			}
		}
	}
	if n != 1 {
		return fmt.Errorf("%d alerts from db-1: %s", n, e2e.Pretty(v.alerts))
	}
	return nil
}
