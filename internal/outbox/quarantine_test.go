package outbox_test

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/fluxpd/fluxpd/internal/outbox"
)

// damagedOutbox writes an outbox holding events, then cuts it short.
func damagedOutbox(t *testing.T, events ...event) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "fluxpd-outbox.db")
	ob, err := outbox.Open(path, outbox.Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, ev := range events {
		if _, err := ob.Enqueue(ev.entry("http://127.0.0.1:1/v2/enqueue")); err != nil {
			t.Fatal(err)
		}
	}
	ob.Close()
	if err := os.WriteFile(path, []byte("not an outbox any more\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestOpenOrQuarantine_MovesADamagedFileAside(t *testing.T) {
	path := damagedOutbox(t)
	now := time.Date(2026, 12, 4, 22, 0, 0, 0, time.FixedZone("CET", 3600))
	opts := outbox.Options{Now: func() time.Time { return now }}
	ob, q, err := outbox.OpenOrQuarantine(path, opts)
	if err != nil || q == nil {
		t.Fatalf("OpenOrQuarantine = %v, %v; want a fresh outbox and the quarantine", q, err)
	}
	defer ob.Close()
	moved := path + ".damaged-20261204T210000Z"
	if q.Path != path || q.MovedTo != moved {
		t.Errorf("quarantine %+v; want %s moved to %s", q, path, moved)
	}
	if b, err := os.ReadFile(moved); err != nil || string(b) != "not an outbox any more\n" {
		t.Errorf("the damaged file is not at %s as it was: %q, %v", moved, b, err)
	}
	msg := q.String()
	for _, want := range []string{path, moved, "is damaged (", "fluxpd outbox salvage " + moved + " --outbox " + path} {
		if !strings.Contains(msg, want) {
			t.Errorf("the quarantine's message lacks %q:\n%s", want, msg)
		}
	}
	if _, err := ob.Enqueue(event{routingKey(1), "after", "trigger", 1}.entry("http://127.0.0.1:1/v2/enqueue")); err != nil {
		t.Errorf("the fresh outbox does not queue: %v", err)
	}
	// A second damage in the same second gets a name of its own.
	ob.Close()
	if err := os.WriteFile(path, []byte("damaged again\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	ob2, q2, err := outbox.OpenOrQuarantine(path, opts)
	if err != nil || q2 == nil || q2.MovedTo != moved+"-2" {
		t.Fatalf("second OpenOrQuarantine = %+v, %v; want it moved to %s-2", q2, err, moved)
	}
	ob2.Close()
}

func TestOpenOrQuarantine_LeavesSoundAndForeignFiles(t *testing.T) {
	_, path, _ := open(t, outbox.Options{})
	ob, q, err := outbox.OpenOrQuarantine(path, outbox.Options{})
	if err != nil || q != nil {
		t.Fatalf("OpenOrQuarantine of a sound file = %+v, %v; want it opened", q, err)
	}
	ob.Close()

	// Another program's bbolt file is not ours to move.
	foreign := filepath.Join(t.TempDir(), "influxd.bolt")
	db, err := bolt.Open(foreign, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	err = db.Update(func(tx *bolt.Tx) error { _, err := tx.CreateBucket([]byte("authorizationsv1")); return err })
	db.Close()
	if err != nil {
		t.Fatal(err)
	}
	_, q, err = outbox.OpenOrQuarantine(foreign, outbox.Options{})
	if !errors.Is(err, outbox.ErrNotOutbox) || q != nil || !strings.Contains(err.Error(), `"authorizationsv1"`) {
		t.Errorf("OpenOrQuarantine of another program's file = %+v, %v; want ErrNotOutbox naming its bucket", q, err)
	}
	if matches, _ := filepath.Glob(foreign + ".damaged-*"); len(matches) > 0 {
		t.Errorf("another program's file was moved: %v", matches)
	}
}

// Salvage of a file bbolt cannot read at all (its header overwritten by
// text) recovers nothing and says it could not tell what was lost;
// Salvage refuses to salvage a file into itself.
func TestSalvage_NothingReadable(t *testing.T) {
	path := damagedOutbox(t, event{routingKey(1), "a", "trigger", 1})
	ob, _, _ := open(t, outbox.Options{})
	rep, err := outbox.Salvage(path, ob)
	if err != nil || rep.Pending != 0 || rep.Complete() || len(rep.Warnings) == 0 {
		t.Errorf("Salvage = %+v, %v; want nothing recovered, not complete, a warning", rep, err)
	}
	if _, err := outbox.Salvage(ob.Path(), ob); err == nil || !strings.Contains(err.Error(), "is the outbox to salvage into") {
		t.Errorf("Salvage into itself: %v", err)
	}
}
