package outbox_test

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/fluxpd/fluxpd/internal/delivery"
	"github.com/fluxpd/fluxpd/internal/emulator"
	"github.com/fluxpd/fluxpd/internal/emulator/emulatortest"
	"github.com/fluxpd/fluxpd/internal/outbox"
	"github.com/fluxpd/fluxpd/internal/testwait"
)

// bodyDedupKey is the dedup_key of an event body.
func bodyDedupKey(body []byte) string {
	var e struct {
		DedupKey string `json:"dedup_key"`
	}
	_ = json.Unmarshal(body, &e)
	return e.DedupKey
}

// A flush that loses the file's lock to another process says so, and how
// many events waited when it last read the file, never "0 pending".
func TestFlush_LockLostIsReported(t *testing.T) {
	s := emulatortest.New(t)
	ob, path, _ := open(t, outbox.Options{LockTimeout: 200 * time.Millisecond})
	for i := range 4 {
		if _, err := ob.Enqueue(event{routingKey(i), "k", "trigger", i}.entry(s.EventsURL())); err != nil {
			t.Fatal(err)
		}
	}
	// The first send takes the file's lock for another Outbox, as another
	// process would, before the flush records its answer.
	var holder *outbox.Outbox
	grab := senderFunc(func(ctx context.Context, url string, body []byte, secrets ...string) (*delivery.Response, error) {
		resp, err := oneShot().Send(ctx, url, body, secrets...)
		if holder == nil {
			var oerr error
			if holder, oerr = outbox.Open(path, outbox.Options{KeepOpen: true, LockTimeout: testwait.Limit()}); oerr != nil {
				t.Errorf("opening the outbox to hold its lock: %v", oerr)
			}
		}
		return resp, err
	})
	rep, err := ob.Flush(t.Context(), outbox.FlushOptions{Sender: grab, Concurrency: 1})
	if holder == nil {
		t.Fatalf("the flush sent nothing: %s, %v", rep, err)
	}
	defer holder.Close()
	if !errors.Is(err, outbox.ErrLocked) || !rep.Locked || rep.PendingCount != outbox.LastRead || rep.Pending != 4 {
		t.Fatalf("Flush = %+v, %v; want ErrLocked, and 4 pending when last read", rep, err)
	}
	if got := rep.String(); !strings.HasSuffix(got, "; could not take the outbox file's lock, held by another process: 4 pending when last read") {
		t.Errorf("report = %q, want it to say the lock was lost and 4 waited when last read", got)
	}
	rep, err = ob.Flush(t.Context(), outbox.FlushOptions{Sender: grab})
	if !errors.Is(err, outbox.ErrLocked) || rep.PendingCount != outbox.Unknown || strings.Contains(rep.String(), "0 pending") ||
		!strings.Contains(rep.String(), "could not take the outbox file's lock, held by another process: how many events wait is unknown") {
		t.Errorf("a flush that never got the lock: %q, %v; want it to say so and that the count is unknown", rep, err)
	}
}

// Deliver schedules a queued event after the first backoff, or after the
// answer's Retry-After when that is longer: Retry-After is a floor.
func TestDeliver_RetryAfterIsAFloor(t *testing.T) {
	now := time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC)
	for _, tt := range []struct {
		retryAfter string
		want       time.Duration
	}{
		{retryAfter: "", want: time.Second},
		{retryAfter: "0", want: time.Second},
		{retryAfter: "5", want: 5 * time.Second},
	} {
		s := emulatortest.New(t)
		ob, _, _ := open(t, outbox.Options{Now: func() time.Time { return now }, BaseDelay: time.Second, MaxDelay: time.Minute, Rand: func() float64 { return 0 }})
		f := emulator.Fault{Status: 429}
		if tt.retryAfter != "" {
			f.Header = map[string]string{"Retry-After": tt.retryAfter}
		}
		s.Inject(f)
		d, err := ob.Deliver(t.Context(), oneShot(), event{routingKey(1), "ra", "trigger", 1}.entry(s.EventsURL()))
		if err != nil || !d.Queued {
			t.Fatalf("Deliver = %+v, %v; want it queued", d, err)
		}
		list, _ := ob.List()
		if len(list) != 1 || !list[0].NextAttempt.Equal(now.Add(tt.want)) || list[0].Attempts != 1 || list[0].LastStatus != 429 {
			t.Errorf("Retry-After %q: queued %+v; want 1 attempt, status 429, next attempt in %s", tt.retryAfter, list, tt.want)
		}
	}
}

// A forced flush of an event not yet due that fails again leaves its
// backoff alone; a failure of a due event grows it, with Retry-After as
// its floor.
func TestFlush_ForcedTryKeepsTheBackoff(t *testing.T) {
	clock := newVirtualClock()
	s := emulatortest.New(t)
	ob, _, _ := open(t, outbox.Options{Now: clock.Now, BaseDelay: time.Second, MaxDelay: time.Hour, Rand: func() float64 { return 0 }})
	if _, err := ob.Enqueue(event{routingKey(1), "f", "trigger", 1}.entry(s.EventsURL())); err != nil {
		t.Fatal(err)
	}
	s.Inject(emulator.Fault{Status: 503}, emulator.Fault{Status: 503, Header: map[string]string{"Retry-After": "30"}}, emulator.Fault{Status: 503})
	steps := []struct {
		fo          outbox.FlushOptions
		redelivered int
		next        time.Duration // from the virtual clock's start
	}{
		{fo: outbox.FlushOptions{}, redelivered: 1, next: time.Second},                 // due: the first backoff
		{fo: outbox.FlushOptions{Force: true}, redelivered: 1, next: 30 * time.Second}, // forced: only Retry-After moves it
		{fo: outbox.FlushOptions{Force: true}, redelivered: 1, next: 30 * time.Second}, // forced again: unchanged
	}
	start := clock.Now()
	for i, st := range steps {
		if rep, err := ob.Flush(t.Context(), st.fo); err != nil || rep.Rescheduled != 1 {
			t.Fatalf("flush %d: %s, %v; want the event rescheduled", i+1, rep, err)
		}
		list, _ := ob.List()
		if e := list[0]; e.Redeliveries != st.redelivered || !e.NextAttempt.Equal(start.Add(st.next)) || e.Attempts != i+1 {
			t.Errorf("after flush %d: redeliveries %d, next attempt +%s, attempts %d; want %d, +%s, %d",
				i+1, e.Redeliveries, e.NextAttempt.Sub(start), e.Attempts, st.redelivered, st.next, i+1)
		}
	}
}

func TestReport_String(t *testing.T) {
	counts := "1 sent, 0 delivered, 1 rescheduled, 0 dead-lettered, 0 expired, 2 deferred, 0 held by another flusher"
	for _, tt := range []struct {
		r    outbox.Report
		want string
	}{
		{r: outbox.Report{Sent: 1, Rescheduled: 1, Deferred: 2, Pending: 3}, want: counts + "; 3 pending"},
		{r: outbox.Report{Sent: 1, Rescheduled: 1, Deferred: 2, Pending: 3, PendingCount: outbox.LastRead},
			want: counts + "; the outbox file could not be read: 3 pending when last read"},
		{r: outbox.Report{Sent: 1, Rescheduled: 1, Deferred: 2, PendingCount: outbox.Unknown, Locked: true},
			want: counts + "; could not take the outbox file's lock, held by another process: how many events wait is unknown"},
	} {
		if got := tt.r.String(); got != tt.want {
			t.Errorf("Report.String() = %q, want %q", got, tt.want)
		}
	}
}
