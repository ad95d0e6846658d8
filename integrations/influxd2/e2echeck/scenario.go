package main

// The end-to-end scenario of scripts/influxd2-e2e.sh, all through
// InfluxDB 2.0.0-beta.8's HTTP API, one function per step:
//
//	start   a bad FLUXPD_PAGERDUTY_URL, and an FLUXPD_OUTBOX that cannot be
//	        opened, stop the server at start with a clear message; the
//	        running server's outbox is on by default (start.go)
//	setup   onboard (POST /api/v2/setup); the version in the log and in
//	        runtime.version(); findRecord and findColumn; a writer posts
//	        cpu,host=web-1 usage_user=V every second (setup.go, writer.go)
//	(a)     a task (every 5s) reads a stored alert with from(bucket:) and
//	        sends it with pagerduty.endpoint() (no URL: the server default,
//	        FLUXPD_PAGERDUTY_URL) and a key from secrets.get (an org secret
//	        set with PATCH /api/v2/orgs/ID/secrets): its runs succeed and
//	        each run sent one event with the stored fields (and, in
//	        custom_details, the run's scheduledFor: now()) (task.go)
//	(b)     a threshold check (CRIT above 90), a PagerDuty endpoint and a
//	        rule with status rules CRIT and OK-after-CRIT: V goes 95 then
//	        10; the alert is triggered with InfluxDB's generated fields and
//	        then resolved, under one dedup key; _monitoring's notifications
//	        say _sent=true; the check and the rule last ran successfully
//	        (monitoring.go, part_b.go)
//	(c)     two more rules whose endpoints' keys are wrong: one
//	        32-character key the emulator refuses (POST /_emulator/faults
//	        refuse_routing_key: 400, as PagerDuty answers an unknown key),
//	        one 31-character key: their runs succeed, _sent is "false", the
//	        reason is in InfluxDB's log (part_c.go)
//	(d)     the generated OK-after-CRIT rule script (IDs replaced by the
//	        capture's) is the committed fixture
//	        flux_test/testdata/influxd2_rule_crit_ok.flux (part_d.go)
//	(e)     an outage (POST /_emulator/outage: 503 to every event) while
//	        pd-rule goes crit and back to ok: both notifications say
//	        _sent=false, "queued for redelivery"; the alert does not change;
//	        after DELETE /_emulator/outage the server's background flusher
//	        delivers trigger then resolve, the alert ends resolved, and the
//	        outbox empties (outage.go)
//	end     fluxpd's metrics at /metrics (metrics.go); no routing key in any answer or log (final.go)
//
// The event bodies are read from the emulator's raw view
// (GET /_emulator/requests?raw=1: each body as received, key masked).
// InfluxDB runs the task, the check and the rules on wall-clock schedules
// (every 5s); on a busy machine a run may come late. So every step waits
// for the event it needs (a notification recorded, an alert on the
// emulator, a run finished: see runs.go), bounded only by e2e.Limit.

import (
	"flag"
	"net/http"
	"time"

	"github.com/fluxpd/fluxpd/integrations/e2e"
)

// config is what the script tells the scenario.
type config struct {
	influx, logFile, emuLog string
	influxd                 string // bin/influxd2-fluxpd, for the refusals to start
	tmp                     string // for the refused servers' state
	outbox                  string // the outbox the server uses by default
	fluxpd                  string // bin/fluxpd
	fixture                 string // the committed generated rule script
	updateFixture           bool
	key, badKey, shortKey   string
}

// runner runs the steps and keeps what they create for the later ones.
type runner struct {
	e2e.Checks
	config
	emu          e2e.Emulator
	answers      *e2e.Answers // every answer, for KEEP_TMP=1 and the key scan
	client       *http.Client
	token, orgID string
	writer       *writer

	checkID, clientURL                   string
	epID, ruleID, badRuleID, shortRuleID string
	badEpID, shortEpID                   string
	taskID                               string
	alertTime                            time.Time // of the alert the task reads
	key1                                 string    // pd-rule's dedup key
	critFrom                             time.Time // when usage went critical in (b)
	alert                                e2e.Alert // pd-rule's alert once resolved
	resolved                             error     // why it was not
}

func scenario(args []string) error {
	s := &runner{Checks: e2e.Checks{Name: "influxd2-e2e"}, client: &http.Client{Timeout: e2e.Limit()}, answers: &e2e.Answers{}}
	if err := s.parseFlags(args); err != nil {
		return err
	}
	s.emu = e2e.Emulator{Client: s.client, Answers: s.answers, URL: s.emu.URL}
	for _, step := range []func(){s.refusesBadURL, s.refusesOutboxDir, s.outboxOnByDefault} {
		step()
	}
	if !s.onboard() {
		return s.Result()
	}
	s.writer = startWriter(s.write)
	for _, step := range []func(){
		s.version, s.runtimeVersion, s.findBackports, s.refuseBadKey,
		s.createCheck, s.createEndpointsAndRules, s.setSecrets, s.createTask, s.ruleScript,
		s.critical, s.backToNormal, s.generatedFields, s.notificationsSent, s.lastRuns,
		s.wrongKeys, s.stopWrongKeyRules, s.taskResult, s.outage,
	} {
		step()
	}
	s.writer.stop()
	for _, step := range []func(){s.writesSucceeded, s.outboxDrained, s.metrics, s.noRoutingKey, s.pagerdutyLines} {
		step()
	}
	return s.Result()
}

func (s *runner) parseFlags(args []string) error {
	fs := flag.NewFlagSet("scenario", flag.ContinueOnError)
	fs.StringVar(&s.influx, "influx", "", "InfluxDB base URL")
	fs.StringVar(&s.emu.URL, "emulator", "", "emulator base URL")
	fs.StringVar(&s.answers.Dir, "answers", "", "directory for every answer")
	fs.StringVar(&s.logFile, "log", "", "influxd's log file")
	fs.StringVar(&s.emuLog, "emulator-log", "", "the emulator's log file")
	fs.StringVar(&s.influxd, "influxd", "", "the influxd2-fluxpd binary (started to refuse bad settings)")
	fs.StringVar(&s.tmp, "tmp", "", "a directory for the state of the servers that must refuse to start")
	fs.StringVar(&s.outbox, "outbox", "", "the outbox the server uses by default")
	fs.StringVar(&s.fluxpd, "fluxpd", "", "the fluxpd binary")
	fs.StringVar(&s.fixture, "fixture", "", "the committed generated OK-after-CRIT rule script")
	fs.BoolVar(&s.updateFixture, "update-fixture", false, "rewrite -fixture with the generated script")
	fs.StringVar(&s.key, "key", "", "a 32-character routing key the emulator accepts")
	fs.StringVar(&s.badKey, "bad-key", "", "a 32-character routing key the emulator is told to refuse")
	fs.StringVar(&s.shortKey, "short-key", "", "a 31-character routing key")
	return e2e.ParseFlags(fs, args, "influx", "emulator", "answers", "log", "emulator-log", "influxd", "tmp",
		"outbox", "fluxpd", "fixture", "key", "bad-key", "short-key")
}
