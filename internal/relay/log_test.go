package relay_test

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/fluxpd/fluxpd/internal/emulator"
	"github.com/fluxpd/fluxpd/internal/event"
	"github.com/fluxpd/fluxpd/internal/relay"
	"github.com/fluxpd/fluxpd/internal/testwait"
)

// TestRelay_Log_LongDelayOnce: an event that waits longer than LongDelay
// gets one log line, with its last failure, however many flushes follow.
func TestRelay_Log_LongDelayOnce(t *testing.T) {
	emu := startEmu(t)
	if err := emu.StartOutage(emulator.Outage{For: testwaitLimit()}); err != nil {
		t.Fatal(err)
	}
	clk := &clock{now: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)}
	r := start(t, relay.Options{Now: clk.Now, LongDelay: time.Minute}, emu)
	post(t, r.URL(), event.AlertPath, trigger(keyA, "slow-a", 1))
	clk.Add(2 * time.Minute)
	waitLog(t, r, `dedup_key=slow-a`)
	post(t, r.URL(), event.AlertPath, trigger(keyB, "slow-b", 1))
	clk.Add(2 * time.Minute)
	waitLog(t, r, `dedup_key=slow-b`)
	log := r.log.String()
	if n := strings.Count(log, "dedup_key=slow-a"); n != 1 {
		t.Errorf("%d lines for the first delayed event, want 1:\n%s", n, log)
	}
	for _, l := range strings.Split(log, "\n") {
		if strings.Contains(l, "dedup_key=slow-a") && !strings.Contains(l, "last_failure=\"PagerDuty answered 503") {
			t.Errorf("the delay line lacks the last failure: %s", l)
		}
	}
}

func waitLog(t *testing.T, r *testRelay, want string) {
	t.Helper()
	testwait.Until(t, "a log line with "+want, func() (bool, string) {
		return strings.Contains(r.log.String(), want), r.log.String()
	})
}

// TestRelay_DamagedOutbox_MovedAside: a damaged outbox file is moved
// aside at start, said at error level, counted, and a fresh file used.
func TestRelay_DamagedOutbox_MovedAside(t *testing.T) {
	path := filepath.Join(t.TempDir(), "relay.db")
	if err := os.WriteFile(path, bytes.Repeat([]byte("damaged!"), 4096), 0o600); err != nil {
		t.Fatal(err)
	}
	r := start(t, relay.Options{OutboxPath: path})
	moved, err := filepath.Glob(path + ".damaged-*")
	if err != nil || len(moved) != 1 {
		t.Fatalf("files moved aside: %v, %v; want one", moved, err)
	}
	if log := r.log.String(); !strings.Contains(log, "level=ERROR") || !strings.Contains(log, "is damaged") || !strings.Contains(log, "fluxpd outbox salvage") {
		t.Errorf("log: want an error line saying the file is damaged and how to salvage it:\n%s", log)
	}
	_, _, metrics := get(t, r.URL()+"/metrics")
	if !strings.Contains(metrics, relay.MetricDamaged+" 1\n") {
		t.Errorf("metrics: want %s 1:\n%s", relay.MetricDamaged, grepLines(metrics, "fluxpd_relay_"))
	}
	if a := post(t, r.URL(), event.AlertPath, trigger(keyA, "fresh", 1)); a.Code != 202 {
		t.Errorf("on the fresh file: %+v, want 202", a)
	}
}
