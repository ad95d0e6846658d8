package outbox_test

// The outbox's store operations, each row from the same state: what List,
// DeadLetters, Stats, Count, Oldest and Pending say after Drop and
// DropDedupKey.

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/fluxpd/fluxpd/internal/delivery"
	"github.com/fluxpd/fluxpd/internal/outbox"
)

// unreachable is a URL no test event is sent to.
const unreachable = "http://127.0.0.1:1/v2/enqueue"

// storeNow is the clock of the store tests.
var storeNow = time.Date(2026, 12, 4, 22, 0, 0, 0, time.UTC)

// The state every store row starts from, named as storeNames says:
// pending a#1 and a#2 (routing key 1, dedup key "a", a#2 behind a#1),
// b#3 (routing key 2, dedup key "a" too: another alert), c#4 (no dedup
// key); dead d#5 (routing key 1, dedup key "a"), expired.
var storeEvents = []struct {
	ev  event
	age time.Duration
}{
	{event{routingKey(1), "a", "trigger", 1}, 3 * time.Hour},
	{event{routingKey(1), "a", "resolve", 2}, 2 * time.Hour},
	{event{routingKey(2), "a", "trigger", 3}, time.Hour},
	{event{routingKey(1), "", "trigger", 4}, 30 * time.Minute},
	{event{routingKey(1), "a", "trigger", 5}, 48 * time.Hour},
}

// storeState opens an outbox holding storeEvents, d#5 dead for its age.
func storeState(t *testing.T) (*outbox.Outbox, []uint64, *logSink) {
	t.Helper()
	ob, _, sink := open(t, outbox.Options{Now: func() time.Time { return storeNow }, Sender: refuseToSend(t)})
	var ids []uint64
	for _, se := range storeEvents {
		e := se.ev.entry(unreachable)
		e.Created = storeNow.Add(-se.age)
		id, err := ob.Enqueue(e)
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, id)
	}
	// d#5 is older than MaxAge and queued last: the scan buries it, and the
	// others are due but go nowhere (see refuseToSend) until it does.
	rep, err := ob.Flush(t.Context(), outbox.FlushOptions{RoutingKeys: []string{"no such key"}})
	if err != nil || rep.Expired != 1 {
		t.Fatalf("flushing the expired event: %s, %v; want it dead-lettered", rep, err)
	}
	return ob, ids, sink
}

// refuseToSend is a Sender that fails the test: nothing may be sent.
func refuseToSend(t *testing.T) outbox.Sender {
	return senderFunc(func(_ context.Context, url string, body []byte, _ ...string) (*delivery.Response, error) {
		t.Errorf("an event was sent to %s: %s", url, body)
		return nil, errors.New("the test sends nothing")
	})
}

// storeNames names storeEvents, in order.
var storeNames = []string{"a#1", "a#2", "b#3", "c#4", "d#5"}

// names lists entries by name, with the head each waits behind:
// "a#2<a#1".
func names(t *testing.T, entries []outbox.Entry, ids []uint64) []string {
	t.Helper()
	byID := map[uint64]string{}
	for i, id := range ids {
		byID[id] = storeNames[i]
	}
	var out []string
	for _, e := range entries {
		n, ok := byID[e.ID]
		if !ok {
			t.Errorf("an entry this test did not queue: %+v", e)
		}
		if e.Behind != 0 {
			n += "<" + byID[e.Behind]
		}
		out = append(out, n)
	}
	return out
}

func TestStore_DropAndList(t *testing.T) {
	tests := []struct {
		name     string
		op       func(ob *outbox.Outbox, ids []uint64) (int, error) // what it removed
		wantN    int
		wantErr  string
		wantList []string
		wantDead []string
		// wantPending: Pending for (routing key 1, "a") and (routing key 2, "a").
		wantPending [2]bool
		wantOldest  time.Duration
		wantLog     string
	}{
		{name: "nothing dropped",
			op:       func(*outbox.Outbox, []uint64) (int, error) { return 0, nil },
			wantList: []string{"a#1", "a#2<a#1", "b#3", "c#4"}, wantDead: []string{"d#5"}, wantPending: [2]bool{true, true}, wantOldest: 3 * time.Hour},
		{name: "Drop a group's head: the next becomes its head", op: dropID(0), wantN: 1,
			wantList: []string{"a#2", "b#3", "c#4"}, wantDead: []string{"d#5"}, wantPending: [2]bool{true, true}, wantOldest: 2 * time.Hour,
			wantLog: "outbox: dropped #1"},
		{name: "Drop the event behind a head", op: dropID(1), wantN: 1,
			wantList: []string{"a#1", "b#3", "c#4"}, wantDead: []string{"d#5"}, wantPending: [2]bool{true, true}, wantOldest: 3 * time.Hour},
		{name: "Drop the last of its group: the alert waits no more", op: dropID(2), wantN: 1,
			wantList: []string{"a#1", "a#2<a#1", "c#4"}, wantDead: []string{"d#5"}, wantPending: [2]bool{true, false}, wantOldest: 3 * time.Hour},
		{name: "Drop an event without a dedup key", op: dropID(3), wantN: 1,
			wantList: []string{"a#1", "a#2<a#1", "b#3"}, wantDead: []string{"d#5"}, wantPending: [2]bool{true, true}, wantOldest: 3 * time.Hour},
		{name: "Drop a dead letter", op: dropID(4), wantN: 1,
			wantList: []string{"a#1", "a#2<a#1", "b#3", "c#4"}, wantPending: [2]bool{true, true}, wantOldest: 3 * time.Hour,
			wantLog: "outbox: dropped #5"},
		{name: "Drop an unknown ID", op: func(ob *outbox.Outbox, _ []uint64) (int, error) { return dropped(ob.Drop(999)) },
			wantList: []string{"a#1", "a#2<a#1", "b#3", "c#4"}, wantDead: []string{"d#5"}, wantPending: [2]bool{true, true}, wantOldest: 3 * time.Hour},
		{name: "DropDedupKey: every routing key, pending and dead", op: dropKey("a"), wantN: 4,
			wantList: []string{"c#4"}, wantOldest: 30 * time.Minute, wantLog: `outbox: dropped 4 events with dedup key "a"`},
		{name: "DropDedupKey of a key no event has", op: dropKey("zz"),
			wantList: []string{"a#1", "a#2<a#1", "b#3", "c#4"}, wantDead: []string{"d#5"}, wantPending: [2]bool{true, true}, wantOldest: 3 * time.Hour},
		{name: "DropDedupKey of the empty key is refused", op: dropKey(""), wantErr: "outbox: the dedup key to drop is empty",
			wantList: []string{"a#1", "a#2<a#1", "b#3", "c#4"}, wantDead: []string{"d#5"}, wantPending: [2]bool{true, true}, wantOldest: 3 * time.Hour},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ob, ids, sink := storeState(t)
			n, err := tt.op(ob, ids)
			if n != tt.wantN || errText(err) != tt.wantErr {
				t.Errorf("removed %d, %v; want %d, %q", n, err, tt.wantN, tt.wantErr)
			}
			list, err := ob.List()
			if err != nil {
				t.Fatal(err)
			}
			dead, err := ob.DeadLetters()
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.wantList, names(t, list, ids)); diff != "" {
				t.Errorf("List (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.wantDead, names(t, dead, ids)); diff != "" {
				t.Errorf("DeadLetters (-want +got):\n%s", diff)
			}
			if got := [2]bool{ob.Pending(routingKey(1), "a"), ob.Pending(routingKey(2), "a")}; got != tt.wantPending {
				t.Errorf("Pending = %v, want %v", got, tt.wantPending)
			}
			checkStats(t, ob, len(tt.wantList), len(tt.wantDead), tt.wantOldest)
			if tt.wantLog != "" && !strings.Contains(sink.String(), tt.wantLog) {
				t.Errorf("the log lacks %q:\n%s", tt.wantLog, sink)
			}
		})
	}
}

func dropID(i int) func(*outbox.Outbox, []uint64) (int, error) {
	return func(ob *outbox.Outbox, ids []uint64) (int, error) { return dropped(ob.Drop(ids[i])) }
}

func dropKey(dk string) func(*outbox.Outbox, []uint64) (int, error) {
	return func(ob *outbox.Outbox, _ []uint64) (int, error) { return ob.DropDedupKey(dk) }
}

func dropped(ok bool, err error) (int, error) {
	if ok {
		return 1, err
	}
	return 0, err
}

func errText(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

// checkStats checks that Stats, Count and Oldest agree with what List and
// DeadLetters hold.
func checkStats(t *testing.T, ob *outbox.Outbox, pending, dead int, oldest time.Duration) {
	t.Helper()
	st, err := ob.Stats()
	if err != nil || st.Pending != pending || st.Dead != dead || st.Oldest != oldest || st.Sending != 0 {
		t.Errorf("Stats = %+v, %v; want %d pending, %d dead, the oldest %s, none sending", st, err, pending, dead, oldest)
	}
	if p, d, err := ob.Count(); p != pending || d != dead || err != nil {
		t.Errorf("Count = %d, %d, %v; want %d, %d", p, d, err, pending, dead)
	}
	created, ok, err := ob.Oldest()
	if err != nil || ok != (pending > 0) || (ok && created != storeNow.Add(-oldest)) {
		t.Errorf("Oldest = %s, %v, %v; want %s, %v", created, ok, err, storeNow.Add(-oldest), pending > 0)
	}
	if pending == 0 && !st.NextAttempt.IsZero() {
		t.Errorf("Stats.NextAttempt = %s with nothing pending, want zero", st.NextAttempt)
	}
}
