package host_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/fluxpd/fluxpd/internal/emulator"
	"github.com/fluxpd/fluxpd/internal/emulator/emulatortest"
	"github.com/fluxpd/fluxpd/internal/host"
	"github.com/fluxpd/fluxpd/internal/outbox"
	"github.com/fluxpd/fluxpd/internal/testwait"
)

// hint ends every refusal of OpenServerOutbox.
const hint = " (set $FLUXPD_OUTBOX to another file, or FLUXPD_OUTBOX=off to run without one)"

// The outbox's directories are created private; the file too.
func TestOpenServerOutbox_CreatesThePrivateDirectory(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "var", "lib", "fluxpd")
	path := filepath.Join(dir, "outbox.db")
	m, reg := registry(t, nil)
	var logged []string
	ob, err := host.OpenServerOutbox(path, host.Retry{}, outbox.Options{}, m, func(l string) { logged = append(logged, l) })
	if err != nil {
		t.Fatal(err)
	}
	defer ob.Close()
	for _, d := range []string{dir, filepath.Dir(dir)} {
		if fi, err := os.Stat(d); err != nil || !fi.IsDir() || fi.Mode().Perm() != 0o700 {
			t.Errorf("%s: %v, %v; want a directory of mode 0700", d, fi.Mode(), err)
		}
	}
	if fi, err := os.Stat(path); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("%s: %v; want a file of mode 0600", path, err)
	}
	if ob.Path() != path || len(logged) != 0 || gather(t, reg).value(host.MetricDamaged) != 0 {
		t.Errorf("a fresh outbox at %s: logged %q, counted %v damaged", ob.Path(), logged, gather(t, reg).value(host.MetricDamaged))
	}
}

// A damaged file is moved aside, said at error level and counted; a fresh
// outbox takes its place. A host without metrics is told all the same.
func TestOpenServerOutbox_QuarantinesADamagedFile(t *testing.T) {
	for _, withMetrics := range []bool{true, false} {
		t.Run(map[bool]string{true: "metrics", false: "no metrics"}[withMetrics], func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "outbox.db")
			if err := os.WriteFile(path, []byte("not an outbox any more\n"), 0o600); err != nil {
				t.Fatal(err)
			}
			m, reg := registry(t, nil)
			told := m
			if !withMetrics {
				told = nil
			}
			var logged []string
			ob, err := host.OpenServerOutbox(path, host.Retry{}, outbox.Options{}, told, func(l string) { logged = append(logged, l) })
			if err != nil {
				t.Fatalf("a damaged outbox refused the start: %v", err)
			}
			defer ob.Close()
			if len(logged) != 1 || !strings.HasPrefix(logged[0], "pagerduty outbox "+path+" is damaged (") ||
				!strings.Contains(logged[0], "fluxpd outbox salvage "+path+".damaged-") {
				t.Errorf("error lines %q; want one saying %s is damaged, where it went and how to salvage it", logged, path)
			}
			moved, _ := filepath.Glob(path + ".damaged-*")
			if len(moved) != 1 {
				t.Errorf("files moved aside: %q, want one", moved)
			}
			if withMetrics {
				if got := gather(t, reg).value(host.MetricDamaged); got != 1 {
					t.Errorf("%s = %v, want 1", host.MetricDamaged, got)
				}
			}
			if _, err := ob.Enqueue(outbox.Entry{URL: "http://127.0.0.1:1/v2/enqueue", RoutingKey: rk, Body: alertBody("x", 1)}); err != nil {
				t.Errorf("the fresh outbox does not queue: %v", err)
			}
		})
	}
}

// An outbox that cannot be opened refuses the start, naming the file and
// what to do; nothing is moved or counted.
func TestOpenServerOutbox_Refusals(t *testing.T) {
	tests := []struct {
		name string
		path func(t *testing.T) string
		want string // in the error, before the hint
	}{
		{name: "its directory is a file", path: func(t *testing.T) string {
			file := filepath.Join(t.TempDir(), "data")
			if err := os.WriteFile(file, nil, 0o600); err != nil {
				t.Fatal(err)
			}
			return filepath.Join(file, "outbox.db")
		}, want: "not a directory"},
		{name: "it is a directory", path: func(t *testing.T) string {
			return t.TempDir()
		}, want: "is a directory, not a file"},
		{name: "another program's bbolt file", path: func(t *testing.T) string {
			path := filepath.Join(t.TempDir(), "other.db")
			db, err := bolt.Open(path, 0o600, nil)
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			if err := db.Update(func(tx *bolt.Tx) error { _, err := tx.CreateBucket([]byte("metrics")); return err }); err != nil {
				t.Fatal(err)
			}
			return path
		}, want: outbox.ErrNotOutbox.Error()},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := tt.path(t)
			m, reg := registry(t, nil)
			var logged []string
			ob, err := host.OpenServerOutbox(path, host.Retry{}, outbox.Options{LockTimeout: testwait.Limit()}, m, func(l string) { logged = append(logged, l) })
			if err == nil {
				ob.Close()
				t.Fatalf("OpenServerOutbox(%s) opened it; want a refusal", path)
			}
			msg := err.Error()
			if !strings.HasPrefix(msg, "cannot open the pagerduty outbox "+path+": ") || !strings.Contains(msg, tt.want) || !strings.HasSuffix(msg, hint) {
				t.Errorf("the refusal:\n%s\nwant it to name %s, say %q and end with%s", msg, path, tt.want, hint)
			}
			if len(logged) != 0 || gather(t, reg).value(host.MetricDamaged) != 0 {
				t.Errorf("a refusal logged %q and counted %v damaged; want neither", logged, gather(t, reg).value(host.MetricDamaged))
			}
			if moved, _ := filepath.Glob(path + ".damaged-*"); len(moved) != 0 {
				t.Errorf("a refused file was moved aside: %q", moved)
			}
		})
	}
}

// The retry the environment sets is the outbox's backoff: an event queued
// by a 503 is due after the base, not the outbox's default; other options
// are kept.
func TestOpenServerOutbox_AppliesTheRetry(t *testing.T) {
	now := time.Date(2026, 12, 4, 22, 0, 0, 0, time.UTC)
	tests := []struct {
		name  string
		retry host.Retry
		want  time.Duration // from now to the queued event's next attempt
	}{
		{"the environment's base", host.Retry{Base: 2 * time.Second, Max: 5 * time.Second}, 2 * time.Second},
		{"unset: the outbox's default", host.Retry{}, outbox.DefaultBaseDelay},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := emulatortest.New(t)
			s.Inject(emulator.Fault{Status: 503})
			path := filepath.Join(t.TempDir(), "outbox.db")
			var logged []string
			opts := outbox.Options{Now: func() time.Time { return now }, Rand: func() float64 { return 0 }, Log: func(l string) { logged = append(logged, l) }}
			ob, err := host.OpenServerOutbox(path, tt.retry, opts, nil, func(string) {})
			if err != nil {
				t.Fatal(err)
			}
			defer ob.Close()
			m := alert(s.EventsURL(), "db01/cpu", 1)
			snd := sender()
			snd.Policy.MaxRetries = 0
			d, err := ob.Deliver(t.Context(), snd, outbox.Entry{URL: m.URL, RoutingKey: rk, DedupKey: m.DedupKey, Body: m.Body})
			if err != nil || !d.Queued {
				t.Fatalf("Deliver = %+v, %v; want the 503 queued", d, err)
			}
			list, err := ob.List()
			if err != nil || len(list) != 1 {
				t.Fatalf("List = %v, %v", list, err)
			}
			if got := list[0].NextAttempt.Sub(now); got != tt.want {
				t.Errorf("the queued event is due in %s, want %s", got, tt.want)
			}
			if len(logged) == 0 {
				t.Errorf("the options' Log was not kept: nothing logged")
			}
		})
	}
}
