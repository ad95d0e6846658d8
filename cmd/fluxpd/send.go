package main

// "fluxpd send": send one labelled test event, and its resolve if asked,
// to test an integration without writing a script. This file must not
// initialise Flux: it builds events with internal/event and sends them
// with a delivery.Sender, so that it starts in milliseconds.

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"time"

	fluxhttp "github.com/influxdata/flux/dependencies/http"

	"github.com/fluxpd/fluxpd/internal/delivery"
	"github.com/fluxpd/fluxpd/internal/emulator"
	"github.com/fluxpd/fluxpd/internal/event"
	"github.com/fluxpd/fluxpd/internal/host"
	"github.com/fluxpd/fluxpd/internal/secrets"
	"github.com/fluxpd/fluxpd/internal/version"
)

// sendClient is the "client" field of the test events.
const sendClient = "fluxpd send"

// sendCommand implements "fluxpd send".
func sendCommand(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	f, err := parseSendFlags(args, stdout, stderr)
	if err != nil {
		return err
	}
	key, err := loadRoutingKey(ctx, f, stderr)
	if err != nil {
		return err
	}
	// The key is never printed; the mask is the net in case a receiver
	// echoes it in a way delivery's own mask cannot know of.
	out := &secrets.MaskWriter{W: stdout, Store: key.store}
	defer out.Flush()
	s := &testSend{f: f, key: key, out: out, now: time.Now(), sender: &delivery.Sender{
		Policy:    delivery.DefaultPolicy(),
		UserAgent: version.UserAgent(),
	}}
	if err := s.check(); err != nil {
		return maskErr(err, key.store)
	}
	var emu *emulator.Server
	if f.live {
		s.sender.Client = newLiveClient()
	} else {
		if emu, err = startStandIn(f.emulatorAddr); err != nil {
			return err
		}
		defer emu.Close()
		// Every test event goes to the emulator, whatever --url says:
		// --live is the one switch for any other destination.
		s.sender.Client = fluxhttp.NewDefaultClient()
		s.host.Divert = standInURL(emu)
	}
	sendErr := s.run(ctx)
	if emu != nil {
		if _, err := writeStandInSummary(out, emu, true); err != nil {
			return err
		}
	}
	if sendErr == nil && s.sent > 0 {
		if s.sent == 1 {
			fmt.Fprintln(out, "\nThe test event was accepted.")
		} else {
			fmt.Fprintf(out, "\nAll %d test events were accepted.\n", s.sent)
		}
	}
	return maskErr(sendErr, key.store)
}

// testSend is one run of "fluxpd send".
type testSend struct {
	f      sendFlags
	key    routingKey
	out    io.Writer
	now    time.Time
	sender *delivery.Sender
	host   host.Host // sends s.sender's requests, diverted without --live

	sent, accepted int
	generated      bool // the dedup key was generated, not given
}

// run sends the test trigger and its resolve, or the change event. It
// returns an error when an event could not be built or was not accepted.
func (s *testSend) run(ctx context.Context) error {
	if s.f.change {
		if err := s.send(ctx, kindChange, s.changeEvent); err != nil {
			return err
		}
		return s.verdict()
	}
	if s.f.dedupKey == "" {
		s.f.dedupKey, s.generated = newTestDedupKey(s.now), true
	}
	if err := s.send(ctx, event.Trigger, s.alertEvent(event.Trigger)); err != nil {
		return err
	}
	if s.f.resolveAfter > 0 {
		if s.accepted < s.sent {
			fmt.Fprintln(s.out, "\nNot resolving: the trigger was not accepted.")
			return s.verdict()
		}
		fmt.Fprintf(s.out, "\nWaiting %s before the resolve (an interrupt stops here; the alert then stays open).\n", s.f.resolveAfter)
		if err := sleepCtx(ctx, s.f.resolveAfter); err != nil {
			fmt.Fprintf(s.out, "Stopped: the alert with dedup key %s stays open, not resolved.\n", event.Quote(s.f.dedupKey))
			return err
		}
		if err := s.send(ctx, event.Resolve, s.alertEvent(event.Resolve)); err != nil {
			return err
		}
	}
	return s.verdict()
}

// check builds the first event without sending it, so that an invalid
// routing key is reported before anything starts.
func (s *testSend) check() error {
	kind, build := kindChange, s.changeEvent
	if !s.f.change {
		kind, build = event.Trigger, s.alertEvent(event.Trigger)
	}
	if _, _, err := build(); err != nil {
		return fmt.Errorf("cannot send the %s: %w", testWhat(kind), s.buildErr(err))
	}
	return nil
}

// verdict returns an error when an event sent was not accepted.
func (s *testSend) verdict() error {
	if s.accepted == s.sent {
		return nil
	}
	if s.sent == 1 {
		return fmt.Errorf("the test event was not accepted; PagerDuty's answer is above")
	}
	return fmt.Errorf("%d of %d test events were not accepted; PagerDuty's answers are above", s.sent-s.accepted, s.sent)
}

// alertEvent returns the test trigger, or its resolve with the same
// payload, as a build step for send.
func (s *testSend) alertEvent(action string) func() (any, event.Notice, error) {
	return func() (any, event.Notice, error) {
		host := hostname()
		return event.Build(event.Input{
			RoutingKey:    s.key.value,
			EventAction:   action,
			DedupKey:      s.f.dedupKey,
			Client:        sendClient,
			Summary:       s.summary("fluxpd test event: please ignore"),
			Source:        host,
			Severity:      s.f.severity,
			Timestamp:     event.TimestampAt(time.Now()),
			CustomDetails: s.details(host),
		})
	}
}

// changeEvent returns the test change event.
func (s *testSend) changeEvent() (any, event.Notice, error) {
	host := hostname()
	return event.BuildChange(event.ChangeInput{
		RoutingKey:    s.key.value,
		Summary:       s.summary("fluxpd test change event: please ignore"),
		Source:        host,
		Timestamp:     event.TimestampAt(time.Now()),
		CustomDetails: s.details(host),
	})
}

// summary returns --summary, or the default: what the event is, then who
// sent it when.
func (s *testSend) summary(what string) string {
	if s.f.summary != "" {
		return s.f.summary
	}
	return fmt.Sprintf("%s (sent by fluxpd send at %s)", what, s.now.UTC().Format(time.RFC3339))
}

// details are the custom details of every test event: they say it is a test.
func (s *testSend) details(host string) event.Details {
	return event.Details{
		{Key: "test", Value: true},
		{Key: "note", Value: "a test event sent with fluxpd send to check this integration; nothing is wrong and no action is needed"},
		{Key: "sent_by", Value: "fluxpd send " + version.Version},
		{Key: "sent_from", Value: host},
		{Key: "sent_at", Value: s.now},
	}
}

// hostname is the source of the test events: this machine.
func hostname() string {
	if h, err := os.Hostname(); err == nil && h != "" {
		return h
	}
	return "localhost"
}

// newTestDedupKey returns a fresh dedup key that says where it came from
// and when, such as fluxpd-send-20261204T193000Z-3fa1b2c4.
func newTestDedupKey(now time.Time) string {
	b := make([]byte, 4)
	_, _ = rand.Read(b) // crypto/rand.Read never fails on supported platforms
	return "fluxpd-send-" + now.UTC().Format("20060102T150405Z") + "-" + hex.EncodeToString(b)
}

// sleepCtx waits d, or until ctx is done.
func sleepCtx(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
