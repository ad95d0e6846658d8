package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"time"

	"github.com/fluxpd/fluxpd/internal/host"
	"github.com/fluxpd/fluxpd/internal/relay"
)

// Commit modes of --commit.
const (
	commitGroup = "group"
	commitEach  = "each"
)

// relayFlags are fluxpd relay's flags.
type relayFlags struct {
	opts      relay.Options
	allowKeys string
	commit    string
}

func parseRelayFlags(args []string, stdout, stderr io.Writer) (relayFlags, error) {
	var f relayFlags
	o := &f.opts
	fs := flag.NewFlagSet("fluxpd relay", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&o.Addr, "addr", relay.DefaultAddr, "address to listen on (port 0 picks a free port); beyond loopback it needs --allow-keys or --open")
	fs.StringVar(&o.OutboxPath, "outbox", relay.DefaultOutbox, "outbox file (bbolt, mode 0600) events are committed to before the 202; fluxpd outbox COMMAND --outbox FILE works on it while the relay runs")
	fs.StringVar(&o.Upstream, "upstream", relay.DefaultUpstream, "base URL events are delivered to, at the path they were posted to (EU: https://events.eu.pagerduty.com)")
	fs.StringVar(&f.allowKeys, "allow-keys", "", "file of the routing keys to relay, one a line (# comments; NAME=KEY lines too); others get PagerDuty's 400 for an unknown key")
	fs.BoolVar(&o.Open, "open", false, "listen beyond loopback without --allow-keys (only behind a firewall that limits who reaches the relay)")
	fs.StringVar(&o.Rate, "rate", relay.DefaultRate, "deliveries per routing key: N/PERIOD (PagerDuty's default limit is 120/1m), or off; events over it wait in the outbox")
	fs.IntVar(&o.MaxPending, "max-pending", relay.DefaultMaxPending, "events that may wait in the outbox; beyond it the relay answers 429")
	fs.DurationVar(&o.MaxAge, "max-age", 0, "how long an event may wait before it is dead-lettered as expired (default the outbox's, 24h)")
	fs.StringVar(&o.TLSCert, "tls-cert", "", "certificate file (PEM) to serve HTTPS, with --tls-key")
	fs.StringVar(&o.TLSKey, "tls-key", "", "private key file (PEM) of --tls-cert")
	fs.StringVar(&o.LogFormat, "log-format", relay.LogText, "log lines on standard error: text or json")
	fs.StringVar(&f.commit, "commit", commitGroup, "how accepted events are committed: group (concurrent requests share one fsync) or each (one fsync per event, for comparison)")
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "Usage: fluxpd relay [flags]")
		fmt.Fprintln(fs.Output(), "\nServes the PagerDuty Events API v2 (POST /v2/enqueue, /v2/change/enqueue) to any sender:\n"+
			"validates each event as PagerDuty would, commits it to the outbox file before answering 202,\n"+
			"and delivers it upstream in order per (routing key, dedup key), paced per routing key, with\n"+
			"retries. Also serves /metrics, /healthz, /readyz and a status page at /. Stops gracefully on\n"+
			"SIGTERM or Ctrl-C. The redelivery backoff is read from $"+host.OutboxRetryEnv+" and $"+host.OutboxRetryMaxEnv+".\n\nFlags:")
		fs.PrintDefaults()
	}
	rest, err := parseInterspersed(fs, args, stdout)
	if err != nil {
		return f, err
	}
	return f, wantArgs(stderr, "relay", "only flags", rest, 0)
}

// options completes the relay's options from the flags and the
// environment.
func (f relayFlags) options(stderr io.Writer) (relay.Options, error) {
	o := f.opts
	switch f.commit {
	case commitGroup:
		o.GroupCommit = true
	case commitEach:
	default:
		return o, fmt.Errorf("--commit must be group or each; got %q", f.commit)
	}
	if f.allowKeys != "" {
		keys, err := relay.ReadAllowKeys(f.allowKeys)
		if err != nil {
			return o, err
		}
		o.AllowKeys = keys
	}
	retry, err := host.RetryFromEnv()
	if err != nil {
		return o, err
	}
	o.Retry = retry
	o.Log = stderr
	return o, nil
}

// relayStartTimeout bounds opening the outbox at start.
const relayStartTimeout = time.Minute

// relayCommand implements "fluxpd relay": it serves until ctx is
// cancelled (SIGTERM, Ctrl-C), then stops gracefully.
func relayCommand(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	f, err := parseRelayFlags(args, stdout, stderr)
	if err != nil {
		return err
	}
	opts, err := f.options(stderr)
	if err != nil {
		return err
	}
	sctx, cancel := context.WithTimeout(ctx, relayStartTimeout)
	s, err := relay.Start(sctx, opts)
	cancel()
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "fluxpd relay listening on %s (upstream %s, outbox %s)\n", s.URL(), s.Upstream(), s.OutboxPath())
	<-ctx.Done()
	stop, cancel := context.WithTimeout(context.Background(), relay.DefaultShutdownTimeout)
	defer cancel()
	if err := s.Close(stop); err != nil {
		return fmt.Errorf("relay: stopping: %w", err)
	}
	return nil
}
