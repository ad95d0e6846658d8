package outbox_test

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/fluxpd/fluxpd/internal/outbox"
)

// soundOutbox writes an outbox file at a path of its own holding events,
// the last one dead for its age, closes it and returns its path and what
// it holds.
func soundOutbox(t *testing.T, now time.Time, events ...event) (string, []outbox.Entry, []outbox.Entry) {
	t.Helper()
	src, path, _ := open(t, outbox.Options{Now: func() time.Time { return now }, MaxAge: time.Hour, Sender: refuseToSend(t)})
	for i, ev := range events {
		e := ev.entry(unreachable)
		e.Created, e.Attempts, e.LastStatus, e.LastReason = now.Add(-time.Duration(i+1)*time.Minute), i, 503, fmt.Sprintf("failure %d", i)
		if i == len(events)-1 {
			e.Created = now.Add(-2 * time.Hour)
		}
		if _, err := src.Enqueue(e); err != nil {
			t.Fatal(err)
		}
	}
	if rep, err := src.Flush(t.Context(), outbox.FlushOptions{RoutingKeys: []string{"none"}}); err != nil || rep.Expired != 1 {
		t.Fatalf("making a dead letter: %s, %v", rep, err)
	}
	pending, _ := src.List()
	dead, _ := src.DeadLetters()
	if err := src.Close(); err != nil {
		t.Fatal(err)
	}
	return path, pending, dead
}

// A sound file is salvaged whole: every event keeps its past under a new
// ID, pending events in order, dead letters dead.
func TestSalvage_SoundFile(t *testing.T) {
	now := time.Date(2026, 12, 4, 22, 0, 0, 0, time.UTC)
	path, pending, dead := soundOutbox(t, now,
		event{routingKey(1), "a", "trigger", 1}, event{routingKey(1), "a", "resolve", 2}, event{routingKey(2), "", "trigger", 3}, event{routingKey(1), "z", "trigger", 4})
	into, _, _ := open(t, outbox.Options{Now: func() time.Time { return now }})
	if _, err := into.Enqueue(event{routingKey(3), "other", "trigger", 9}.entry(unreachable)); err != nil {
		t.Fatal(err)
	}
	rep, err := outbox.Salvage(path, into)
	if err != nil || rep.Pending != 3 || rep.Dead != 1 || !rep.Complete() || len(rep.Warnings) != 0 {
		t.Fatalf("Salvage = %+v, %v; want 3 pending and 1 dead, complete, no warning", rep, err)
	}
	got, _ := into.List()
	gotDead, _ := into.DeadLetters()
	ignoreIDs := cmpopts.IgnoreFields(outbox.Entry{}, "ID", "Behind")
	if diff := cmp.Diff(pending, got[1:], ignoreIDs); diff != "" {
		t.Errorf("the salvaged pending events (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(dead, gotDead, ignoreIDs); diff != "" {
		t.Errorf("the salvaged dead letters (-want +got):\n%s", diff)
	}
	if got[2].Behind != got[1].ID {
		t.Errorf("the salvaged resolve waits behind #%d, want its trigger #%d", got[2].Behind, got[1].ID)
	}
	if b, err := os.ReadFile(path); err != nil || len(b) == 0 {
		t.Errorf("the salvaged file changed: %d bytes, %v", len(b), err)
	}
}

// Salvaged events whose alert already waits in the outbox are queued
// behind it, and the report says how many.
func TestSalvage_BehindWaitingAlerts(t *testing.T) {
	tests := []struct {
		name    string
		waiting []event
		want    string
	}{
		{"one", []event{{routingKey(1), "a", "trigger", 7}}, "2 salvaged events are queued behind events for the same alerts"},
		{"another routing key's alert of the same dedup key does not count", []event{{routingKey(2), "a", "trigger", 7}}, ""},
		{"an alert of its own", []event{{routingKey(1), "b", "trigger", 7}}, "1 salvaged event is queued behind events for the same alerts"},
	}
	now := time.Date(2026, 12, 4, 22, 0, 0, 0, time.UTC)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path, _, _ := soundOutbox(t, now,
				event{routingKey(1), "a", "trigger", 1}, event{routingKey(1), "a", "resolve", 2}, event{routingKey(1), "b", "trigger", 3}, event{routingKey(1), "z", "trigger", 4})
			into, _, _ := open(t, outbox.Options{})
			for _, ev := range tt.waiting {
				if _, err := into.Enqueue(ev.entry(unreachable)); err != nil {
					t.Fatal(err)
				}
			}
			rep, err := outbox.Salvage(path, into)
			if err != nil {
				t.Fatal(err)
			}
			var said []string
			for _, w := range rep.Warnings {
				if strings.Contains(w, "salvaged") {
					said = append(said, w)
				}
			}
			switch {
			case tt.want == "" && len(said) != 0:
				t.Errorf("warnings %q; want none about waiting alerts", said)
			case tt.want != "" && (len(said) != 1 || !strings.HasPrefix(said[0], tt.want) || !strings.Contains(said[0], into.Path())):
				t.Errorf("warnings %q; want one saying %q… and naming %s", rep.Warnings, tt.want, into.Path())
			}
		})
	}
}

func TestSalvage_Refusals(t *testing.T) {
	tests := []struct {
		name    string
		damaged func(t *testing.T) string
		closed  bool
		want    []string
		wantIs  error
	}{
		{name: "a file that does not exist", damaged: func(t *testing.T) string { return filepath.Join(t.TempDir(), "gone.db") },
			want: []string{"salvage: ", "gone.db"}, wantIs: os.ErrNotExist},
		{name: "an outbox that cannot store", closed: true, damaged: func(t *testing.T) string {
			path, _, _ := soundOutbox(t, time.Now(), event{routingKey(1), "a", "trigger", 1}, event{routingKey(1), "z", "trigger", 2})
			return path
		}, want: []string{"salvage: 2 events were read from ", ", but could not be queued: "}, wantIs: outbox.ErrClosed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := tt.damaged(t)
			into, _, _ := open(t, outbox.Options{})
			if tt.closed {
				into.Close()
			}
			_, err := outbox.Salvage(path, into)
			if !errors.Is(err, tt.wantIs) {
				t.Errorf("Salvage = %v, want %v", err, tt.wantIs)
			}
			for _, w := range tt.want {
				if err == nil || !strings.Contains(err.Error(), w) {
					t.Errorf("the error lacks %q: %v", w, err)
				}
			}
		})
	}
}

// An empty file (bbolt never wrote to it) holds nothing, and nothing is
// lost.
func TestSalvage_EmptyFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "empty.db")
	if err := os.WriteFile(path, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	into, _, _ := open(t, outbox.Options{})
	rep, err := outbox.Salvage(path, into)
	if err != nil || rep.Pending+rep.Dead != 0 || !rep.Complete() || len(rep.Warnings) != 0 {
		t.Errorf("Salvage of an empty file = %+v, %v; want nothing, complete", rep, err)
	}
}

// When every name a damaged file could be moved to is taken, it stays
// where it is and the error says so, with the damage.
func TestOpenOrQuarantine_EveryNameTaken(t *testing.T) {
	path := damagedOutbox(t)
	now := time.Date(2026, 12, 4, 22, 0, 0, 0, time.UTC)
	base := path + ".damaged-20261204T220000Z"
	names := []string{base}
	for i := 2; i <= 100; i++ {
		names = append(names, fmt.Sprintf("%s-%d", base, i))
	}
	for _, n := range names {
		if err := os.WriteFile(n, nil, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	ob, q, err := outbox.OpenOrQuarantine(path, outbox.Options{Now: func() time.Time { return now }})
	if ob != nil || q != nil || !errors.Is(err, outbox.ErrDamaged) ||
		!strings.Contains(err.Error(), "moving it aside failed: "+base+" and 99 more names like it are taken") {
		t.Errorf("OpenOrQuarantine = %v, %+v, %v; want the damage and why it was not moved", ob, q, err)
	}
	if b, _ := os.ReadFile(path); string(b) != "not an outbox any more\n" {
		t.Errorf("the damaged file changed: %q", b)
	}
}
