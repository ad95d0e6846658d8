// Command e2echeck is the helper of scripts/influxd2-e2e.sh (Go standard
// library only, so the test needs neither jq nor python):
//
//	e2echeck freeport
//	    print a TCP port that is free on 127.0.0.1
//	e2echeck wait -url URL -timeout 60s [-pid PID]
//	    poll URL until it answers 2xx; fail at the timeout or when PID exits
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

import (
	"errors"
	"flag"
	"fmt"
	"os"
	"time"

	"github.com/fluxpd/fluxpd/integrations/e2e"
)

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: e2echeck freeport|wait|proxy|scenario [flags]")
		os.Exit(2)
	}
	cmds := map[string]func([]string) error{
		"freeport": freeport,
		"wait":     wait,
		"proxy":    proxy,
		"scenario": scenario,
	}
	cmd, ok := cmds[os.Args[1]]
	if !ok {
		fmt.Fprintf(os.Stderr, "e2echeck: unknown subcommand %q\n", os.Args[1])
		os.Exit(2)
	}
	if err := cmd(os.Args[2:]); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			os.Exit(2)
		}
		fmt.Fprintf(os.Stderr, "e2echeck %s: %v\n", os.Args[1], err)
		os.Exit(1)
	}
}

func freeport([]string) error {
	port, err := e2e.FreePort()
	if err != nil {
		return err
	}
	fmt.Println(port)
	return nil
}

func wait(args []string) error {
	fs := flag.NewFlagSet("wait", flag.ContinueOnError)
	url := fs.String("url", "", "URL to poll")
	timeout := fs.Duration("timeout", 60*time.Second, "give up after this long")
	pid := fs.Int("pid", 0, "fail early when this process is gone")
	if err := fs.Parse(args); err != nil {
		return err
	}
	return e2e.Wait(*url, *timeout, *pid)
}
