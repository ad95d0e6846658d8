package main

// Task runs, and the waits of the scenario that depend on them. InfluxDB
// runs tasks, checks and notification rules on wall-clock schedules; on a
// busy machine a run may start or finish any time after it is due. So the
// scenario never assumes a run happened within some seconds: it reads the
// runs InfluxDB lists and waits for the ones it needs.
//
// Three facts of InfluxDB 2.0.0-beta.8 this relies on (task/backend):
//   - GET /api/v2/tasks/ID/runs lists the runs in progress (status
//     "scheduled" or "started") and the finished ones;
//   - the scheduler creates the runs of one task in scheduledFor order, so
//     a listed run implies every earlier run of that task was created;
//   - a run sends (a task's events, a rule's notifications) while it is
//     in progress, so what a finished run sent has arrived.

import (
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/fluxpd/fluxpd/integrations/e2e"
)

// run is one run of a task.
type run struct {
	ID           string    `json:"id"`
	Status       string    `json:"status"`
	ScheduledFor time.Time `json:"scheduledFor"`
}

func (r run) inProgress() bool { return r.Status == "scheduled" || r.Status == "started" }

func (r run) String() string {
	return r.ScheduledFor.UTC().Format("15:04:05") + " " + r.Status
}

// runsString is runs as "15:04:05 success, 15:04:10 started", for messages.
func runsString(runs []run) string {
	s := make([]string, len(runs))
	for i, r := range runs {
		s[i] = r.String()
	}
	return "[" + strings.Join(s, ", ") + "]"
}

// runsKey identifies runs and their statuses, to tell whether they changed.
func runsKey(runs []run) string {
	var b strings.Builder
	for _, r := range runs {
		fmt.Fprintf(&b, "%s %s %d\n", r.ID, r.Status, r.ScheduledFor.Unix())
	}
	return b.String()
}

// runs lists the runs of task id, in progress and finished (the most the
// API gives: 500, over 40 minutes of a 5s task).
func (s *runner) runs(taskID string) ([]run, error) {
	var v struct {
		Runs []run `json:"runs"`
	}
	if err := s.do(http.MethodGet, "/api/v2/tasks/"+taskID+"/runs?limit=500", nil, &v); err != nil {
		return nil, err
	}
	return v.Runs, nil
}

// finishedRuns waits until task id has finished n runs.
func (s *runner) finishedRuns(name, taskID string, n int) error {
	return e2e.Until(fmt.Sprintf("%d finished runs of %s", n, name), func() error {
		runs, err := s.runs(taskID)
		if err != nil {
			return err
		}
		done := 0
		for _, r := range runs {
			if !r.inProgress() {
				done++
			}
		}
		if done < n {
			return fmt.Errorf("%d finished runs of %s: %s", done, name, runsString(runs))
		}
		return nil
	})
}

// ranThrough reports whether every run scheduled before t has finished:
// a run scheduled at or after t is listed (so every earlier one was
// created) and no earlier one is in progress.
func ranThrough(runs []run, t time.Time) error {
	reached := false
	for _, r := range runs {
		if !r.ScheduledFor.Before(t) {
			reached = true
		} else if r.inProgress() {
			return fmt.Errorf("the run scheduled for %s is %s", r.ScheduledFor.UTC().Format(time.RFC3339), r.Status)
		}
	}
	if !reached {
		return fmt.Errorf("no run scheduled at or after %s yet", t.UTC().Format(time.RFC3339))
	}
	return nil
}

// taskView is what pd-task did, read once it has settled.
type taskView struct {
	runs   []run
	events []e2e.Event // the task's events at the emulator (source db-1)
	alerts []e2e.Alert // the emulator's alerts
}

// settled reads the runs of task id, the emulator's alerts, the runs
// again and the emulator's events, and returns them when they agree: no
// run in progress, the same runs both times (so the alerts hold what
// every one of them sent, and nothing else), and every event naming (in
// custom_details.scheduledFor) a listed run. A run the scheduler started
// before the task was stopped shows up in one of them and is awaited.
func (s *runner) settled(taskID string) (taskView, error) {
	runs, err := s.runs(taskID)
	if err != nil {
		return taskView{}, err
	}
	for _, r := range runs {
		if r.inProgress() {
			return taskView{}, fmt.Errorf("a run is %s: %s", r.Status, runsString(runs))
		}
	}
	alerts, err := s.emu.Alerts()
	if err != nil {
		return taskView{}, err
	}
	again, err := s.runs(taskID)
	if err != nil {
		return taskView{}, err
	}
	if runsKey(again) != runsKey(runs) {
		return taskView{}, fmt.Errorf("the runs changed while reading: %s, then %s", runsString(runs), runsString(again))
	}
	_, evs, err := s.events()
	if err != nil {
		return taskView{}, err
	}
	v := taskView{runs: runs, alerts: alerts}
	listed := map[int64]bool{}
	for _, r := range runs {
		listed[r.ScheduledFor.Unix()] = true
	}
	for _, e := range evs {
		if e.Payload == nil || e.Payload.Source != "db-1" {
			continue
		}
		v.events = append(v.events, e)
		sf, _ := e.Payload.CustomDetails["scheduledFor"].(string)
		t, err := time.Parse(time.RFC3339Nano, sf)
		if err != nil {
			return taskView{}, fmt.Errorf("an event of pd-task has custom_details.scheduledFor %q, want its run's time: %s", sf, e2e.Pretty(e))
		}
		if !listed[t.Unix()] {
			return taskView{}, fmt.Errorf("an event of the run scheduled for %s, which is not listed: %s", sf, runsString(runs))
		}
	}
	return v, nil
}
