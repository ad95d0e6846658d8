package main

// The scenario, all through InfluxDB 1.8's HTTP API (Flux queries POSTed to
// /api/v2/query, where users call the pagerduty package):
//
//	setup  create database "mon" (createDatabase)
//	(a)    write a crit status per host (web-1, db-1); for each host read
//	       the last status with from/range/last, tableFind and getRecord,
//	       and send it with pagerduty.sendEvent, as the package's
//	       documentation shows: the emulator has a triggered alert; write
//	       an ok status per host and do it again: the alert is resolved
//	       (partA)
//	(b)    every status through pagerduty.endpoint(url:)(mapFn:), grouped
//	       by host: the answer's _sent, _status and _pagerdutyDedupKey, and
//	       each host's alert triggered then resolved under the key of the
//	       answer (partB)
//	(e)    statuses with _level as a tag (as InfluxDB 2's checks store
//	       them) for app-1 going warn -> crit -> ok, which from(bucket:)
//	       returns as one table per level in group-key order (crit, ok,
//	       warn), straight into endpoint(): the alert ends resolved
//	       (endpoint() sends each dedup key's events in _time order) (partE)
//	(f)    sendEvent inside map() without pagerdutyURL reaches the emulator
//	       through the server's FLUXPD_PAGERDUTY_URL (partF)
//	(g)    the documentation's second sendEvent example (findRecord), as
//	       examples/influxdb/ has it, against a stored status: as printed it
//	       sends once and InfluxDB answers "no streaming data"; ending with
//	       a table it sends once and returns the row (partG, docs.go)
//	then   a missing secret is an error naming it and where it was looked
//	       for; the outbox is on by default and fluxpd outbox reads it
//	       while the server runs; no answer or log holds the routing key
//	       (final.go)
//
// Each query answers after its sends, so what it sent is on the emulator
// when it answers: no step needs to wait.

import (
	"flag"
	"net/http"
	"time"

	"github.com/fluxpd/fluxpd/integrations/e2e"
)

// hosts are the hosts of parts (a) and (b).
var hosts = []string{"web-1", "db-1"}

// runner runs the scenario's steps and counts their checks.
type runner struct {
	e2e.Checks
	influx   string // InfluxDB's base URL
	emu      e2e.Emulator
	answers  *e2e.Answers // every answer and query, for KEEP_TMP=1 and the key scan
	client   *http.Client
	logFile  string // influxd's log
	emuLog   string // the emulator's log
	outbox   string // the outbox the server uses by default
	fluxpd   string // bin/fluxpd
	examples string // examples/influxdb
	key      string // the routing key the server's secrets hold
	now      time.Time
}

func scenario(args []string) error {
	fs := flag.NewFlagSet("scenario", flag.ContinueOnError)
	// The client's bound stops a hung request; no answer is expected fast.
	s := &runner{Checks: e2e.Checks{Name: "influxd-e2e"}, client: &http.Client{Timeout: e2e.Limit()}, answers: &e2e.Answers{}}
	fs.StringVar(&s.influx, "influx", "", "InfluxDB base URL")
	fs.StringVar(&s.emu.URL, "emulator", "", "emulator base URL")
	fs.StringVar(&s.answers.Dir, "answers", "", "directory for every query and answer")
	fs.StringVar(&s.logFile, "log", "", "influxd's log file")
	fs.StringVar(&s.emuLog, "emulator-log", "", "the emulator's log file")
	fs.StringVar(&s.outbox, "outbox", "", "the outbox file the server uses by default")
	fs.StringVar(&s.fluxpd, "fluxpd", "", "the fluxpd binary")
	fs.StringVar(&s.examples, "examples", "", "the directory of the documentation's examples (examples/influxdb)")
	fs.StringVar(&s.key, "key", "", "the routing key of the server's secrets")
	if err := e2e.ParseFlags(fs, args, "influx", "emulator", "answers", "log", "emulator-log", "outbox", "fluxpd", "examples", "key"); err != nil {
		return err
	}
	s.emu.Client, s.emu.Answers = s.client, s.answers
	s.now = time.Now()
	for _, step := range []func(){
		s.createDatabase, s.partA, s.partB, s.partE, s.partF, s.partG,
		s.missingSecret, s.outboxOnByDefault, s.metrics, s.noRoutingKey,
	} {
		step()
	}
	return s.Result()
}

// at is the scenario's start minus d, in unix seconds: the time of a
// status written d before.
func (s *runner) at(d time.Duration) int64 { return s.now.Add(-d).Unix() }
