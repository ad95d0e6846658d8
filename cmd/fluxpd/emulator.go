package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"time"

	"github.com/fluxpd/fluxpd/internal/emulator"
)

// shutdownTimeout bounds how long "fluxpd emulator" waits for requests in
// flight when it is stopped.
const shutdownTimeout = 5 * time.Second

type emulatorFlags struct {
	addr      string
	rateLimit int
	latency   time.Duration
}

func parseEmulatorFlags(args []string, stderr io.Writer) (emulatorFlags, error) {
	var f emulatorFlags
	fs := flag.NewFlagSet("fluxpd emulator", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&f.addr, "addr", "127.0.0.1:8787", "address to listen on (port 0 picks a free port)")
	fs.IntVar(&f.rateLimit, "rate-limit", 0, "events accepted per routing key per minute before answering 429 (0 = no limit; PagerDuty allows about 120)")
	fs.DurationVar(&f.latency, "latency", 0, "delay added before every answer, such as 250ms")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "Usage: fluxpd emulator [flags]")
		fmt.Fprintln(stderr, "\nServes a local PagerDuty Events API v2 emulator until interrupted. It validates events like\n"+
			"PagerDuty, keeps alert state, logs one line per request on standard error and shows an inbox\n"+
			"page at /. Inspect and script it under /_emulator/ (requests, alerts, summary, reset, faults,\nlatency).\n\nFlags:")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return f, err
		}
		return f, errUsage
	}
	switch {
	case fs.NArg() > 0:
		fmt.Fprintf(stderr, "fluxpd emulator takes no arguments; got %q\n", fs.Arg(0))
		return f, errUsage
	case f.rateLimit < 0:
		fmt.Fprintf(stderr, "--rate-limit must be 0 (no limit) or more; got %d\n", f.rateLimit)
		return f, errUsage
	case f.latency < 0:
		fmt.Fprintf(stderr, "--latency must not be negative; got %s\n", f.latency)
		return f, errUsage
	}
	return f, nil
}

// emulatorCommand implements "fluxpd emulator": it serves the PagerDuty
// emulator until ctx is cancelled, then shuts it down gracefully and prints
// the summary of what it received.
func emulatorCommand(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	f, err := parseEmulatorFlags(args, stderr)
	if err != nil {
		return err
	}
	s, err := emulator.Start(f.addr, emulator.Options{RateLimit: f.rateLimit, Latency: f.latency, Log: stderr})
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "fluxpd emulator listening on %s (events: %s, change events: %s, inbox: %s/)\n",
		s.URL(), s.EventsURL(), s.ChangeURL(), s.URL())
	<-ctx.Done()

	sctx, cancel := context.WithTimeout(context.Background(), shutdownTimeout)
	defer cancel()
	if err := s.Shutdown(sctx); err != nil {
		return fmt.Errorf("failed to stop the PagerDuty emulator: %w", err)
	}
	fmt.Fprintln(stdout)
	return s.WriteSummary(stdout)
}
