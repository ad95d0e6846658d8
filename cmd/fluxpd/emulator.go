package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"time"

	"github.com/fluxpd/fluxpd/internal/emulator"
	"github.com/fluxpd/fluxpd/internal/serve"
)

// shutdownTimeout bounds how long "fluxpd emulator" waits for requests in
// flight when it is stopped.
const shutdownTimeout = 5 * time.Second

type emulatorFlags struct {
	addr      string
	rateLimit int
	latency   time.Duration
	limits    emulator.Options // only the server limits: timeouts and MaxConns
}

// options returns the emulator's options for f, logging to log.
func (f emulatorFlags) options(log io.Writer) emulator.Options {
	o := f.limits
	o.RateLimit, o.Latency, o.Log = f.rateLimit, f.latency, log
	return o
}

// limitFlags defines the flags of the server limits, whose defaults are
// the emulator's own.
func limitFlags(fs *flag.FlagSet, o *emulator.Options) {
	fs.DurationVar(&o.ReadHeaderTimeout, "read-header-timeout", serve.DefaultReadHeaderTimeout, "how long a client may take to send a request's headers")
	fs.DurationVar(&o.ReadTimeout, "read-timeout", serve.DefaultReadTimeout, "how long a client may take to send a whole request; a stalled body is answered 408 and disconnected")
	fs.DurationVar(&o.WriteTimeout, "write-timeout", serve.DefaultWriteTimeout, "how long an answer may take to write, after any latency or fault delay")
	fs.DurationVar(&o.IdleTimeout, "idle-timeout", serve.DefaultIdleTimeout, "how long a kept-alive connection may wait for its next request")
	fs.IntVar(&o.MaxConns, "max-conns", serve.DefaultMaxConns, "connections served at once; more wait until one closes")
}

// checkLimits reports the first limit flag that is not positive.
func checkLimits(o emulator.Options) error {
	for _, d := range []struct {
		name string
		v    time.Duration
	}{{"read-header-timeout", o.ReadHeaderTimeout}, {"read-timeout", o.ReadTimeout}, {"write-timeout", o.WriteTimeout}, {"idle-timeout", o.IdleTimeout}} {
		if d.v <= 0 {
			return fmt.Errorf("--%s must be a positive duration such as 30s; got %s", d.name, d.v)
		}
	}
	if o.MaxConns <= 0 {
		return fmt.Errorf("--max-conns must be 1 or more; got %d", o.MaxConns)
	}
	return nil
}

func parseEmulatorFlags(args []string, stdout, stderr io.Writer) (emulatorFlags, error) {
	var f emulatorFlags
	fs := flag.NewFlagSet("fluxpd emulator", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&f.addr, "addr", "127.0.0.1:8787", "address to listen on (port 0 picks a free port)")
	fs.IntVar(&f.rateLimit, "rate-limit", 0, "events accepted per routing key per minute before answering 429 (0 = no limit; PagerDuty allows about 120)")
	fs.DurationVar(&f.latency, "latency", 0, "delay added before every answer, such as 250ms")
	limitFlags(fs, &f.limits)
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "Usage: fluxpd emulator [flags]")
		fmt.Fprintln(fs.Output(), "\nServes a local PagerDuty Events API v2 emulator until interrupted. It validates events like\n"+
			"PagerDuty, keeps alert state, logs one line per request on standard error and shows an inbox\n"+
			"page at /. Inspect and script it under /_emulator/ (requests, alerts, summary, reset, faults,\nlatency, outage). Timeouts and --max-conns bound what one client can hold.\n\nFlags:")
		fs.PrintDefaults()
	}
	rest, err := parseInterspersed(fs, args, stdout)
	if err != nil {
		return f, err
	}
	if err := wantArgs(stderr, "emulator", "only flags", rest, 0); err != nil {
		return f, err
	}
	switch {
	case f.rateLimit < 0:
		fmt.Fprintf(stderr, "--rate-limit must be 0 (no limit) or more; got %d\n", f.rateLimit)
		return f, errUsage
	case f.latency < 0:
		fmt.Fprintf(stderr, "--latency must not be negative; got %s\n", f.latency)
		return f, errUsage
	}
	if err := checkLimits(f.limits); err != nil {
		fmt.Fprintln(stderr, err)
		return f, errUsage
	}
	return f, nil
}

// emulatorCommand implements "fluxpd emulator": it serves the PagerDuty
// emulator until ctx is cancelled, then shuts it down gracefully and prints
// the summary of what it received.
func emulatorCommand(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	f, err := parseEmulatorFlags(args, stdout, stderr)
	if err != nil {
		return err
	}
	s, err := emulator.Start(f.addr, f.options(stderr))
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
