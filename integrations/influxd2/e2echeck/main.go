// Command e2echeck runs the end-to-end scenario of scripts/influxd2-e2e.sh
// against InfluxDB 2.0.0-beta.8 (bin/influxd2-fluxpd) and the fluxpd
// emulator, which the script builds, starts and stops. It uses the Go
// standard library and integrations/e2e only, so the test needs neither jq
// nor python:
//
//	e2echeck freeport
//	    print a TCP port that is free on 127.0.0.1
//	e2echeck wait -url URL [-timeout D] [-pid PID]
//	    poll URL until it answers 2xx; fail after D (default: e2e.Limit,
//	    three minutes times $FLUXPD_TEST_TIMEOUT_SCALE) or when PID exits
//	e2echeck scenario -influx URL -emulator URL -answers DIR -log FILE ...
//	    every step of the scenario (scenario.go), one function each; prints
//	    one PASS/FAIL line per check and "N passed, M failed", exits 1 when
//	    any failed
package main

import "github.com/fluxpd/fluxpd/integrations/e2e"

func main() {
	e2e.Main(
		e2e.FreePortCommand,
		e2e.WaitCommand,
		e2e.Command{Name: "scenario", Run: scenario},
	)
}
