package host

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/fluxpd/fluxpd/internal/delivery"
	"github.com/fluxpd/fluxpd/internal/outbox"
)

// ServerOutboxPath is a long-running host's outbox file: $FLUXPD_OUTBOX,
// else the default def returns (asked only then); "" when $FLUXPD_OUTBOX
// is "off" (the outbox is off), or when it is unset and def's ok is false.
func ServerOutboxPath(def func() (path string, ok bool)) string {
	path := strings.TrimSpace(os.Getenv(OutboxEnv))
	switch {
	case strings.EqualFold(path, OutboxOff):
		return ""
	case path != "":
		return path
	}
	if p, ok := def(); ok {
		return p
	}
	return ""
}

// OpenServerOutbox opens the outbox of a host that must keep running (an
// InfluxDB build, the relay): its directory is created, the backoff of
// retry applied, and a damaged file is moved aside and a fresh one opened
// in its place (outbox.OpenOrQuarantine), which logErr is told and m
// counts. Any other failure is an error naming the file and what to do.
func OpenServerOutbox(path string, retry Retry, opts outbox.Options, m *Metrics, logErr func(string)) (*outbox.Outbox, error) {
	opts.BaseDelay, opts.MaxDelay = retry.Base, retry.Max
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, outboxRefusal(path, err)
	}
	ob, q, err := outbox.OpenOrQuarantine(path, opts)
	if q != nil {
		m.Damaged()
		logErr("pagerduty " + q.String())
	}
	if err != nil {
		return nil, outboxRefusal(path, err)
	}
	return ob, nil
}

func outboxRefusal(path string, err error) error {
	return fmt.Errorf("cannot open the pagerduty outbox %s: %v (set $%s to another file, or %s=%s to run without one)",
		path, err, OutboxEnv, OutboxEnv, OutboxOff)
}

// StartFlusher redelivers ob's pending events in the background, checking
// every interval, with one attempt per event through sender (nil: the
// outbox's default sender), counting what it delivers in m, until the
// returned stop is called; stop waits for the flusher to end. warn is told
// if the flusher stops by itself.
func StartFlusher(ob *outbox.Outbox, sender *delivery.Sender, interval time.Duration, m *Metrics, warn func(string)) (stop func()) {
	if sender == nil {
		sender = outbox.DefaultSender()
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		fo := outbox.FlushOptions{Sender: countingSender{sender.OneAttempt(), m}}
		if err := ob.RunWith(ctx, interval, fo); err != nil && ctx.Err() == nil {
			warn("pagerduty outbox: the flusher stopped: " + err.Error())
		}
	}()
	return func() {
		cancel()
		<-done
	}
}

// countingSender counts the redeliveries PagerDuty accepted.
type countingSender struct {
	next *delivery.Sender
	m    *Metrics
}

func (c countingSender) Send(ctx context.Context, url string, body []byte, secrets ...string) (*delivery.Response, error) {
	resp, err := c.next.Send(ctx, url, body, secrets...)
	if err == nil && resp != nil && resp.StatusCode/100 == 2 {
		c.m.Redelivered(1)
	}
	return resp, err
}
