package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/fluxpd/fluxpd/internal/emulator"
	"github.com/fluxpd/fluxpd/internal/emulator/emulatortest"
	"github.com/fluxpd/fluxpd/internal/host"
	"github.com/fluxpd/fluxpd/internal/outbox"
	"github.com/fluxpd/fluxpd/internal/testwait"
)

const outboxTestKey = "0123456789abcdef0123456789abcdef"

func outboxTestBody(action, dedupKey string, seq int) []byte {
	b, _ := json.Marshal(map[string]any{
		"routing_key": outboxTestKey, "event_action": action, "dedup_key": dedupKey,
		"payload": map[string]any{"summary": fmt.Sprintf("%s #%d", dedupKey, seq), "source": "test", "severity": "critical"},
	})
	return b
}

// newTestOutbox queues events for url: a trigger for "db01/cpu" and one
// for "db02/disk", each after four failed attempts and due again in an
// hour, however long the test takes, and a resolve for "db01/cpu" queued
// behind its trigger without being sent (due now by its own time, but
// waiting for the trigger).
func newTestOutbox(t *testing.T, url string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "outbox.db")
	ob, err := outbox.Open(path, outbox.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer ob.Close()
	for i, e := range []struct{ action, dk string }{{"trigger", "db01/cpu"}, {"resolve", "db01/cpu"}, {"trigger", "db02/disk"}} {
		entry := outbox.Entry{URL: url, RoutingKey: outboxTestKey, DedupKey: e.dk, Body: outboxTestBody(e.action, e.dk, i),
			LastStatus: 503, LastReason: "PagerDuty answered 503", Attempts: 4, NextAttempt: time.Now().Add(time.Hour)}
		if e.action == "resolve" {
			entry.LastStatus, entry.Attempts, entry.NextAttempt = 0, 0, time.Time{}
			entry.LastReason = "queued behind earlier events for this dedup key"
		}
		if _, err := ob.Enqueue(entry); err != nil {
			t.Fatal(err)
		}
	}
	return path
}

func runOutbox(t *testing.T, args ...string) (string, string, error) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	err := outboxCommand(t.Context(), args, &stdout, &stderr)
	out := stdout.String() + stderr.String()
	if strings.Contains(out, outboxTestKey) {
		t.Errorf("fluxpd outbox %v shows the routing key unmasked:\n%s", args, out)
	}
	return stdout.String(), stderr.String(), err
}

func TestOutboxCommand_ListStatsDrop(t *testing.T) {
	path := newTestOutbox(t, "http://127.0.0.1:1/v2/enqueue")
	out, _, err := runOutbox(t, "list", "--outbox", path)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"3 pending events", "ACTION", "SUMMARY", "NEXT ATTEMPT", "LAST REASON", `"db01/cpu"`, `"db02/disk"`,
		"0123**************************ef", "trigger", "resolve", `"db01/cpu #0"`, "PagerDuty answered 503", "in ", "after #1", "0 dead letters"} {
		if !strings.Contains(out, want) {
			t.Errorf("list output lacks %q:\n%s", want, out)
		}
	}
	t.Setenv(host.OutboxEnv, path) // from here on the path comes from the environment
	out, _, err = runOutbox(t, "stats")
	if err != nil || !strings.Contains(out, "pending: 3") || !strings.Contains(out, "dead letters: 0") {
		t.Errorf("stats = %q, %v", out, err)
	}
	// Every head is due in an hour; the resolve behind its trigger is not
	// due "now".
	if !strings.Contains(out, "next attempt: in 59m") && !strings.Contains(out, "next attempt: in 1h0m0s") {
		t.Errorf("stats says %q; want the next attempt in an hour, the heads' time", out)
	}
	if out, _, err = runOutbox(t, "drop", "3"); err != nil || !strings.Contains(out, "dropped 3") {
		t.Errorf("drop 3 = %q, %v", out, err)
	}
	if _, _, err = runOutbox(t, "drop", "3"); err == nil || !strings.Contains(err.Error(), "no event with id 3") {
		t.Errorf("drop of a missing id: %v", err)
	}
	if out, _, err = runOutbox(t, "drop", "--dedup-key", "db01/cpu"); err != nil || !strings.Contains(out, "dropped 2 events") {
		t.Errorf("drop --dedup-key = %q, %v", out, err)
	}
	if out, _, _ = runOutbox(t, "stats"); !strings.Contains(out, "pending: 0") {
		t.Errorf("stats after drops = %q", out)
	}
}

func TestOutboxCommand_FlushDeliversAndReportsDeadLetters(t *testing.T) {
	s := emulatortest.New(t)
	path := newTestOutbox(t, s.EventsURL())
	// The first request to arrive (either group's head: groups are sent
	// concurrently) is refused.
	s.Inject(emulator.Fault{Status: 400, Body: `{"status":"invalid event","message":"Event object is invalid","errors":["'payload.source' is missing or blank"]}`})
	out, stderr, err := runOutbox(t, "flush", "--outbox", path)
	if !errors.As(err, new(errNotAccepted)) || !strings.Contains(err.Error(), "dead-lettered 1 event (1 refused by PagerDuty, 0 expired)") ||
		!strings.Contains(err.Error(), "fluxpd outbox list --dead --outbox "+path) {
		t.Fatalf("flush that dead-letters: %v\n%s%s; want an error matching errNotAccepted (exit 3) saying how many and where to see them", err, out, stderr)
	}
	if !strings.Contains(out, "1 dead-lettered") || !strings.Contains(out, "0 pending") {
		t.Errorf("flush output = %q", out)
	}
	if !strings.Contains(stderr, "dead-lettered") || !strings.Contains(stderr, "delivered") {
		t.Errorf("flush log lacks outcomes:\n%s", stderr)
	}
	out, _, _ = runOutbox(t, "list", "--dead", "--outbox", path)
	if !strings.Contains(out, "1 dead letter:") || !strings.Contains(out, "Event object is invalid") || !strings.Contains(out, "'payload.source' is missing or blank") {
		t.Errorf("list --dead does not show the dead letter with its reason:\n%s", out)
	}
	if strings.Contains(out, "pending event") {
		t.Errorf("list --dead shows the pending events:\n%s", out)
	}
	if code := run(t.Context(), []string{"outbox", "stats", "--outbox", path}, nil, &bytes.Buffer{}, &bytes.Buffer{}); code != 0 {
		t.Errorf("stats exit code %d", code)
	}
	if n := len(s.Requests()); n != 3 {
		t.Errorf("%d requests, want 3", n)
	}
}

func TestOutboxCommand_FlushFailsWhileEventsRemain(t *testing.T) {
	s := emulatortest.New(t)
	path := newTestOutbox(t, s.EventsURL())
	if err := s.StartOutage(emulator.Outage{For: time.Hour}); err != nil {
		t.Fatal(err)
	}
	out, _, err := runOutbox(t, "flush", "--outbox", path)
	if err == nil || !strings.Contains(err.Error(), "3 events still in the outbox") {
		t.Fatalf("flush during an outage: %v\n%s", err, out)
	}
	// Force: the first group's head was tried now, whatever its schedule,
	// as the routing key's probe; its 503 left the other group waiting,
	// and the resolve waits behind its trigger.
	if n := len(s.Requests()); n != 1 {
		t.Errorf("%d requests, want 1 (the routing key's probe)", n)
	}
	s.EndOutage()
	if _, _, err := runOutbox(t, "flush", "--outbox", path); err != nil {
		t.Fatalf("flush after the outage: %v", err)
	}
	status := map[string]string{}
	for _, a := range s.Alerts() {
		status[a.DedupKey] += a.Status
	}
	if len(status) != 2 || status["db01/cpu"] != emulator.StatusResolved || status["db02/disk"] != emulator.StatusTriggered {
		t.Errorf("alerts = %v, want db01/cpu resolved and db02/disk triggered, one alert each", status)
	}
}

// TestOutboxCommand_Watch: --watch follows the schedule. Each of its
// passes sends what is due, here one new event at a time, and leaves the
// three events due in an hour alone.
func TestOutboxCommand_Watch(t *testing.T) {
	const passes = 3
	s := emulatortest.New(t)
	path := newTestOutbox(t, s.EventsURL())
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	done := make(chan error, 1)
	var stdout, stderr lockedBuffer
	go func() {
		done <- outboxCommand(ctx, []string{"flush", "--watch", "--interval", "20ms", "--outbox", path}, &stdout, &stderr)
	}()
	var want []string
	for i := range passes {
		// An event never tried is due at once; the pass that sends it ends
		// by logging its report ("flush: 1 sent, ..."), having passed over
		// the events not due.
		dk := fmt.Sprintf("db%02d/new", i)
		enqueueDue(t, path, s.EventsURL(), dk, 10+i)
		want = append(want, dk)
		testwait.Until(t, fmt.Sprintf("--watch to send %s, due now, and report the pass", dk), func() (bool, string) {
			log := stderr.String()
			return strings.Count(log, "flush: ") > i, fmt.Sprintf("%d requests; stderr:\n%s", len(s.Requests()), log)
		})
	}
	cancel()
	if err := testwait.Recv(t, "flush --watch to return once cancelled", done); err != nil {
		t.Fatalf("flush --watch: %v", err)
	}
	var got []string
	for _, r := range s.Requests() {
		got = append(got, r.DedupKey)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("--watch sent events ahead of their schedule (-want +got dedup keys):\n%s", diff)
	}
	if !strings.Contains(stdout.String(), "pending: 3") {
		t.Errorf("--watch output = %q", stdout.String())
	}
}

// enqueueDue queues a trigger for dedupKey, never tried and so due at once,
// in the outbox at path, which another Outbox may be using.
func enqueueDue(t *testing.T, path, url, dedupKey string, seq int) {
	t.Helper()
	ob, err := outbox.Open(path, outbox.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer ob.Close()
	if _, err := ob.Enqueue(outbox.Entry{URL: url, RoutingKey: outboxTestKey, DedupKey: dedupKey, Body: outboxTestBody("trigger", dedupKey, seq)}); err != nil {
		t.Fatal(err)
	}
}

func TestOutboxCommand_Usage(t *testing.T) {
	t.Setenv(host.OutboxEnv, "")
	for _, args := range [][]string{{}, {"bogus"}, {"list"}, {"list", "extra", "--outbox", "x"}, {"drop", "--outbox", "x"}, {"drop", "abc", "--outbox", "x"}} {
		if len(args) > 1 && args[len(args)-1] == "x" {
			p := filepath.Join(t.TempDir(), "ob.db")
			ob, err := outbox.Open(p, outbox.Options{})
			if err != nil {
				t.Fatal(err)
			}
			ob.Close()
			args[len(args)-1] = p
		}
		if _, stderr, err := runOutbox(t, args...); !errors.Is(err, errUsage) || stderr == "" {
			t.Errorf("fluxpd outbox %q: %v, stderr %q; want a usage error", args, err, stderr)
		}
	}
	missing := filepath.Join(t.TempDir(), "none.db")
	if _, _, err := runOutbox(t, "list", "--outbox", missing); err == nil || !strings.Contains(err.Error(), missing) {
		t.Errorf("list of a missing file: %v", err)
	}
	if _, err := os.Stat(missing); err == nil {
		t.Error("list created the outbox file")
	}
	if code := run(t.Context(), []string{"outbox", "stats", "--outbox", missing}, nil, &bytes.Buffer{}, &bytes.Buffer{}); code != 1 {
		t.Errorf("exit code %d, want 1", code)
	}
}
