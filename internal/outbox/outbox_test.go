package outbox_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/fluxpd/fluxpd/internal/delivery"
	"github.com/fluxpd/fluxpd/internal/emulator"
	"github.com/fluxpd/fluxpd/internal/emulator/emulatortest"
	"github.com/fluxpd/fluxpd/internal/outbox"
)

func TestOpen_CreatesPrivateFile(t *testing.T) {
	_, path, _ := open(t, outbox.Options{})
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if perm := fi.Mode().Perm(); perm != 0o600 {
		t.Errorf("new outbox file has mode %#o, want 0600", perm)
	}
}

func TestOpen_WarnsAboutReadableFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "outbox.db")
	ob, err := outbox.Open(path, outbox.Options{})
	if err != nil {
		t.Fatal(err)
	}
	ob.Close()
	if err := os.Chmod(path, 0o644); err != nil {
		t.Fatal(err)
	}
	var warnings []string
	ob, err = outbox.Open(path, outbox.Options{Warn: func(s string) { warnings = append(warnings, s) }})
	if err != nil {
		t.Fatal(err)
	}
	defer ob.Close()
	if len(warnings) != 1 || !strings.Contains(warnings[0], path) || !strings.Contains(warnings[0], "chmod 600") {
		t.Errorf("warnings = %q, want one naming the path and chmod 600", warnings)
	}
}

// TestOpen_LockTimeoutNamesThePath checks that Open waits LockTimeout for
// a held file, then fails naming the file and the wait. How soon after
// LockTimeout it gives up is measured by BenchmarkOpen_Locked.
func TestOpen_LockTimeoutNamesThePath(t *testing.T) {
	_, path, _ := open(t, outbox.Options{KeepOpen: true})
	const timeout = 200 * time.Millisecond
	start := time.Now()
	_, err := outbox.Open(path, outbox.Options{LockTimeout: timeout})
	waited := time.Since(start)
	if !errors.Is(err, outbox.ErrLocked) || !strings.Contains(err.Error(), path) || !strings.Contains(err.Error(), "(waited 200ms for it)") {
		t.Fatalf("Open of a held file: %v, want ErrLocked naming %s and the 200ms waited", err, path)
	}
	// bbolt tries for the lock every 50ms and gives up once more than
	// the timeout less those 50ms has passed (flock in bolt_unix.go).
	if least := timeout - 50*time.Millisecond; waited <= least {
		t.Errorf("gave up after %s, want more than %s for a LockTimeout of %s", waited, least, timeout)
	}
}

func TestEnqueue_PendingListDropStats(t *testing.T) {
	now := time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC)
	ob, _, sink := open(t, outbox.Options{Now: func() time.Time { return now }})
	const url = "http://127.0.0.1:1/v2/enqueue"
	a := event{routingKey(1), "db01/cpu", "trigger", 1}
	b := event{routingKey(1), "db01/cpu", "resolve", 2}
	c := event{routingKey(2), "", "trigger", 3}
	var ids []uint64
	for _, ev := range []event{a, b, c} {
		e := ev.entry(url)
		e.Created = now.Add(-time.Hour)
		id, err := ob.Enqueue(e)
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, id)
	}
	if !(ids[0] < ids[1] && ids[1] < ids[2]) {
		t.Errorf("ids %v do not increase", ids)
	}
	if !ob.Pending(a.rk, a.dk) || ob.Pending(routingKey(2), a.dk) || ob.Pending(c.rk, "") {
		t.Error("Pending is wrong: want true for the queued pair only, false for another routing key and for an empty dedup key")
	}
	list, err := ob.List()
	if err != nil || len(list) != 3 || string(list[1].Body) != string(b.body()) || list[0].DedupKey != a.dk {
		t.Fatalf("List = %+v, %v", list, err)
	}
	st, err := ob.Stats()
	if err != nil || st.Pending != 3 || st.Dead != 0 || st.Oldest != time.Hour {
		t.Errorf("Stats = %+v, %v; want 3 pending, oldest 1h", st, err)
	}
	if ok, err := ob.Drop(ids[2]); !ok || err != nil {
		t.Errorf("Drop(%d) = %v, %v", ids[2], ok, err)
	}
	if ok, _ := ob.Drop(999); ok {
		t.Error("Drop of an unknown id reported true")
	}
	if n, err := ob.DropDedupKey(a.dk); n != 2 || err != nil {
		t.Errorf("DropDedupKey = %d, %v; want 2", n, err)
	}
	if ob.Pending(a.rk, a.dk) {
		t.Error("Pending after DropDedupKey")
	}
	if strings.Contains(sink.String(), routingKey(1)) {
		t.Errorf("the log shows a routing key unmasked:\n%s", sink)
	}
}

func TestContext(t *testing.T) {
	ob, _, _ := open(t, outbox.Options{})
	if outbox.FromContext(context.Background()) != nil {
		t.Error("FromContext of a bare context is not nil")
	}
	if got := outbox.FromContext(outbox.NewContext(context.Background(), ob)); got != ob {
		t.Errorf("FromContext = %p, want %p", got, ob)
	}
}

// Concurrent writers in one process lose nothing, and each writer's
// events keep its order.
func TestEnqueue_ConcurrentWriters(t *testing.T) {
	ob, _, _ := open(t, outbox.Options{})
	const writers, each = 8, 25
	var wg sync.WaitGroup
	ids := make([][]uint64, writers)
	for w := 0; w < writers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < each; i++ {
				ev := event{routingKey(w), "k", "trigger", w*1000 + i}
				id, err := ob.Enqueue(ev.entry("http://127.0.0.1:1/v2/enqueue"))
				if err != nil {
					t.Error(err)
					return
				}
				ob.Pending(ev.rk, ev.dk)
				ids[w] = append(ids[w], id)
			}
		}()
	}
	wg.Wait()
	list, err := ob.List()
	if err != nil || len(list) != writers*each {
		t.Fatalf("List: %d entries, %v; want %d", len(list), err, writers*each)
	}
	for w := range ids {
		for i := 1; i < len(ids[w]); i++ {
			if ids[w][i] <= ids[w][i-1] {
				t.Errorf("writer %d: ids %v not increasing", w, ids[w])
			}
		}
	}
}

func TestQueueable(t *testing.T) {
	s := emulatortest.New(t)
	sender := oneShot()
	body := event{routingKey(1), "q", "trigger", 1}.body()
	try := func(f emulator.Fault) bool {
		s.Inject(f)
		resp, err := sender.Send(t.Context(), s.EventsURL(), body)
		return outbox.Queueable(resp, err)
	}
	for _, st := range []int{429, 500, 502, 503, 504} {
		if !try(emulator.Fault{Status: st}) {
			t.Errorf("%d is not queueable", st)
		}
	}
	for _, st := range []int{400, 403, 404, 413, 501} {
		if try(emulator.Fault{Status: st}) {
			t.Errorf("%d is queueable", st)
		}
	}
	if !try(emulator.Fault{Drop: true}) {
		t.Error("a dropped connection is not queueable")
	}
	resp, err := sender.Send(t.Context(), s.EventsURL(), body)
	if outbox.Queueable(resp, err) {
		t.Error("a 202 is queueable")
	}
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if resp, err := sender.Send(ctx, s.EventsURL(), body); outbox.Queueable(resp, err) {
		t.Error("a canceled send is queueable")
	}
	ctx, cancel = context.WithTimeout(t.Context(), time.Millisecond)
	defer cancel()
	s.SetLatency(200 * time.Millisecond)
	if resp, err := (&delivery.Sender{}).Send(ctx, s.EventsURL(), body); !outbox.Queueable(resp, err) {
		t.Errorf("a spent deadline is not queueable: %v", err)
	}
	if _, err := (&delivery.Sender{}).Send(t.Context(), "ftp://x/", body); outbox.Queueable(nil, err) {
		t.Error("an invalid URL is queueable")
	}
}

func TestFlush_RoutingKeyFilter(t *testing.T) {
	s := emulatortest.New(t)
	ob, _, _ := open(t, outbox.Options{})
	a := event{routingKey(1), "a", "trigger", 1}
	b := event{routingKey(2), "b", "trigger", 2}
	for _, ev := range []event{a, b} {
		if _, err := ob.Enqueue(ev.entry(s.EventsURL())); err != nil {
			t.Fatal(err)
		}
	}
	rep, err := ob.Flush(t.Context(), outbox.FlushOptions{RoutingKeys: []string{a.rk}})
	if err != nil || rep.Delivered != 1 || rep.Pending != 1 {
		t.Fatalf("Flush = %s, %v; want 1 delivered, 1 pending", rep, err)
	}
	if ob.Pending(a.rk, a.dk) || !ob.Pending(b.rk, b.dk) {
		t.Error("the filter flushed the wrong key")
	}
}

// TestFlush_HonoursRetryAfter runs the outbox on a clock that stands
// still, so that the next attempt is due exactly at the Retry-After and
// not before, however long the flushes take.
func TestFlush_HonoursRetryAfter(t *testing.T) {
	s := emulatortest.New(t)
	now := time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC)
	ob, _, _ := open(t, outbox.Options{Now: func() time.Time { return now }})
	if _, err := ob.Enqueue(event{routingKey(1), "ra", "trigger", 1}.entry(s.EventsURL())); err != nil {
		t.Fatal(err)
	}
	s.Inject(emulator.Fault{Status: 429, Header: map[string]string{"Retry-After": "5"}})
	rep, err := ob.Flush(t.Context(), outbox.FlushOptions{})
	if err != nil || rep.Rescheduled != 1 {
		t.Fatalf("Flush = %s, %v", rep, err)
	}
	st, _ := ob.Stats()
	if want := now.Add(5 * time.Second); !st.NextAttempt.Equal(want) {
		t.Errorf("next attempt at %s, want %s: the 5s of Retry-After", st.NextAttempt, want)
	}
	// Not due: a plain flush sends nothing; Force sends it now.
	if rep, _ := ob.Flush(t.Context(), outbox.FlushOptions{}); rep.Sent != 0 {
		t.Errorf("a flush sent an event before its time: %s", rep)
	}
	if rep, _ := ob.Flush(t.Context(), outbox.FlushOptions{Force: true}); rep.Delivered != 1 {
		t.Errorf("a forced flush did not deliver: %s", rep)
	}
}

// TestDefaultSender checks the sender Flush uses when none is given (the
// other tests give theirs, which waits for an answer as long as a test
// waits for anything): one attempt, bounded by DefaultAttemptTimeout.
func TestDefaultSender(t *testing.T) {
	want := delivery.Policy{AttemptTimeout: delivery.DefaultAttemptTimeout}
	if got := outbox.DefaultSender().Policy; got != want {
		t.Errorf("DefaultSender().Policy = %+v, want %+v", got, want)
	}
}
