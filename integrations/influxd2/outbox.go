package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/influxdata/influxdb/v2/cmd/influxd/launcher"
	"github.com/spf13/viper"

	"github.com/fluxpd/fluxpd/stdlib/pagerduty"
)

// The outbox: events PagerDuty did not take (429, 5xx, no answer) wait in
// a bbolt file next to InfluxDB's own bolt file and are redelivered in the
// background, in order per alert.
const (
	// outboxEnv overrides the outbox file; "off" turns the outbox off.
	outboxEnv = "FLUXPD_OUTBOX"
	// outboxRetryEnv sets the first redelivery backoff (a Go duration,
	// doubling up to the maximum); unset: the outbox default, 30s.
	outboxRetryEnv = "FLUXPD_OUTBOX_RETRY"
	// outboxRetryMaxEnv caps the backoff; unset: the outbox default, 10m.
	outboxRetryMaxEnv = "FLUXPD_OUTBOX_RETRY_MAX"
	// outboxFile is the default file name, in the directory of --bolt-path.
	outboxFile = "fluxpd-outbox.db"
	// flushInterval is how often the flusher looks for due events (shorter
	// when FLUXPD_OUTBOX_RETRY is shorter).
	flushInterval = 10 * time.Second
)

// defaultOutboxPath is <directory of --bolt-path>/fluxpd-outbox.db, with
// --bolt-path as the launcher reads it (flag, then $INFLUXD_BOLT_PATH, then
// ~/.influxdbv2/influxd.bolt). ok is false when the arguments do not parse:
// the launcher then refuses them itself.
func defaultOutboxPath(args []string) (path string, ok bool) {
	c := launcher.NewCommand()
	c.SetArgs(args)
	if err := c.ParseFlags(args); err != nil {
		return "", false
	}
	bolt := viper.GetString("bolt-path")
	if bolt == "" {
		return "", false
	}
	return filepath.Join(filepath.Dir(bolt), outboxFile), true
}

// openOutbox opens the server's outbox, or returns nil when it is off. An
// outbox that cannot be opened is an error that stops the start.
func openOutbox(args []string) (*pagerduty.Outbox, time.Duration, error) {
	opts := pagerduty.OutboxOptions{Log: outboxInfo, Warn: outboxWarn}
	interval := flushInterval
	for _, d := range []struct {
		env string
		to  *time.Duration
	}{{outboxRetryEnv, &opts.BaseDelay}, {outboxRetryMaxEnv, &opts.MaxDelay}} {
		v := strings.TrimSpace(os.Getenv(d.env))
		if v == "" {
			continue
		}
		t, err := time.ParseDuration(v)
		if err != nil || t <= 0 {
			return nil, 0, fmt.Errorf("refusing to start: $%s=%q is not a positive duration such as 30s", d.env, v)
		}
		*d.to = t
	}
	if opts.BaseDelay > 0 {
		interval = min(interval, opts.BaseDelay)
	}
	if opts.BaseDelay > 0 && opts.MaxDelay > 0 && opts.MaxDelay < opts.BaseDelay {
		return nil, 0, fmt.Errorf("refusing to start: $%s (%s) is shorter than $%s (%s)", outboxRetryMaxEnv, opts.MaxDelay, outboxRetryEnv, opts.BaseDelay)
	}
	path := strings.TrimSpace(os.Getenv(outboxEnv))
	switch {
	case strings.EqualFold(path, "off"):
		return nil, 0, nil
	case path == "":
		p, ok := defaultOutboxPath(args)
		if !ok {
			return nil, 0, nil // the launcher reports the bad arguments
		}
		path = p
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, 0, outboxRefusal(path, err)
	}
	ob, err := pagerduty.OpenOutbox(path, opts)
	if err != nil {
		return nil, 0, outboxRefusal(path, err)
	}
	return ob, interval, nil
}

func outboxRefusal(path string, err error) error {
	return fmt.Errorf("refusing to start: cannot open the pagerduty outbox %s: %v (set $%s to another file, or %s=off to run without one)",
		path, err, outboxEnv, outboxEnv)
}

func outboxPath(ob *pagerduty.Outbox) string {
	if ob == nil {
		return "off"
	}
	return ob.Path()
}

// outboxInfo and outboxWarn write the outbox's lines (keys masked by the
// outbox) to the server's log; before it exists, to standard error.
func outboxInfo(msg string) {
	if l := serverLog.Load(); l != nil {
		l.Info(msg)
		return
	}
	fmt.Fprintln(os.Stderr, "fluxpd: "+msg)
}

func outboxWarn(msg string) {
	if l := serverLog.Load(); l != nil {
		l.Warn(msg)
		return
	}
	fmt.Fprintln(os.Stderr, "fluxpd: "+msg)
}
