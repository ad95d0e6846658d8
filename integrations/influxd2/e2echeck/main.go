// Command e2echeck is the helper of scripts/influxd2-e2e.sh (Go standard
// library only, so the test needs neither jq nor python):
//
//	e2echeck freeport
//	    print a TCP port that is free on 127.0.0.1
//	e2echeck wait -url URL [-timeout D] [-pid PID]
//	    poll URL until it answers 2xx; fail after D (default: e2e.Limit,
//	    three minutes times $FLUXPD_TEST_TIMEOUT_SCALE) or when PID exits
//	e2echeck proxy -listen ADDR -to EMULATOR -reject-key KEY
//	    a recording proxy in front of the fluxpd emulator: it keeps every
//	    event body (routing keys masked) for GET /_proxy/events, answers
//	    events for KEY with PagerDuty's 400 for an unknown integration key
//	    (as PagerDuty does for a revoked key; the emulator accepts any
//	    32-character key), and forwards everything else to EMULATOR
//	e2echeck scenario -influx URL -emulator URL -proxy URL -log FILE -out DIR ...
//	    the end-to-end scenario against InfluxDB 2 (see scenario.go); prints
//	    one PASS/FAIL line per check, exits 1 when any failed
package main

import "github.com/fluxpd/fluxpd/integrations/e2e"

func main() {
	e2e.Main(
		e2e.FreePortCommand,
		e2e.WaitCommand,
		e2e.Command{Name: "proxy", Run: proxy},
		e2e.Command{Name: "scenario", Run: scenario},
	)
}
