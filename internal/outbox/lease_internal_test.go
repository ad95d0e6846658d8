package outbox

// Leases: which claims a flush honours (another flusher may be sending the
// event) and which it takes over (its holder is gone, or its time is up).

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/fluxpd/fluxpd/internal/delivery"
	"github.com/fluxpd/fluxpd/internal/testwait"
)

const leaseKey = "K0key0123456789abcdefghijklmnopq"

// senderFunc is a Sender made of a func.
type senderFunc func(ctx context.Context, url string, body []byte, secrets ...string) (*delivery.Response, error)

func (f senderFunc) Send(ctx context.Context, url string, body []byte, secrets ...string) (*delivery.Response, error) {
	return f(ctx, url, body, secrets...)
}

// accepting answers every send 202 and counts them.
func accepting(n *atomic.Int32) Sender {
	return senderFunc(func(context.Context, string, []byte, ...string) (*delivery.Response, error) {
		n.Add(1)
		return &delivery.Response{StatusCode: 202, Attempts: 1}, nil
	})
}

// goneProcess returns the pid of a process of this host that has ended.
func goneProcess(t *testing.T) int {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	if err := cmd.Run(); err != nil {
		t.Fatalf("running a process to see it end: %v", err)
	}
	pid := cmd.Process.Pid
	if processExists(pid) {
		t.Skipf("pid %d was taken again at once", pid)
	}
	return pid
}

// openInternal opens a fresh outbox for an internal test.
func openInternal(t *testing.T, opts Options) *Outbox {
	t.Helper()
	if opts.LockTimeout == 0 {
		opts.LockTimeout = testwait.Limit()
	}
	ob, err := Open(filepath.Join(t.TempDir(), "outbox.db"), opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = ob.Close() })
	return ob
}

// setLease gives the pending event id the lease owner holds until until.
func setLease(t *testing.T, ob *Outbox, id uint64, owner string, until time.Time) {
	t.Helper()
	err := ob.update(func(tx *bolt.Tx) error {
		r, err := getRecord(tx.Bucket(bucketPending), id)
		if err != nil || r == nil {
			return fmt.Errorf("event #%d: %v", id, err)
		}
		r.LeaseOwner, r.LeaseUntil = owner, until
		return putRecord(tx, r)
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestLease_HonouredOrTakenOver(t *testing.T) {
	now := time.Date(2026, 12, 4, 22, 0, 0, 0, time.UTC)
	future, past := now.Add(time.Minute), now.Add(-time.Second)
	gone := goneProcess(t)
	tests := []struct {
		name     string
		owner    string
		until    time.Time
		wantSent bool // taken over: the flush sends the event
	}{
		{"another host's flusher, in time: honoured", "other-host/1/abc/def", future, false},
		{"another flusher of this process, in time: honoured", fmt.Sprintf("%s/%d/abc/def", hostname, os.Getpid()), future, false},
		{"an owner that does not parse, in time: honoured", "garbage", future, false},
		{"a pid that does not parse, in time: honoured", hostname + "/x/abc", future, false},
		{"a pid of 0, in time: honoured", hostname + "/0/abc", future, false},
		{"a process of this host that ended: taken over at once", fmt.Sprintf("%s/%d/abc/def", hostname, gone), future, true},
		{"another host's flusher whose time is up: taken over", "other-host/1/abc/def", past, true},
		{"a lease ending now: taken over", "other-host/1/abc/def", now, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var sent atomic.Int32
			ob := openInternal(t, Options{Now: func() time.Time { return now }, Sender: accepting(&sent)})
			id, err := ob.Enqueue(Entry{URL: fixtureURL, RoutingKey: leaseKey, DedupKey: "a", Body: []byte(`{}`)})
			if err != nil {
				t.Fatal(err)
			}
			setLease(t, ob, id, tt.owner, tt.until)
			st, err := ob.Stats()
			if wantSending := map[bool]int{true: 1}[now.Before(tt.until)]; err != nil || st.Sending != wantSending {
				t.Errorf("Stats before the flush: %+v, %v; want %d sending", st, err, wantSending)
			}
			rep, err := ob.Flush(t.Context(), FlushOptions{})
			if err != nil {
				t.Fatal(err)
			}
			if got := sent.Load() == 1; got != tt.wantSent || rep.Delivered != int(sent.Load()) || rep.Busy != 1-int(sent.Load()) {
				t.Errorf("Flush: %s, %d sent; want sent: %v, else counted busy", rep, sent.Load(), tt.wantSent)
			}
		})
	}
}

// A flush whose claim passed to another flusher, or whose event was
// dropped, while it was sending records nothing: the other flusher, or
// the drop, decides.
func TestComplete_ClaimLostWhileSending(t *testing.T) {
	tests := []struct {
		name        string
		meanwhile   func(t *testing.T, ob *Outbox, id uint64)
		wantPending int
	}{
		{"dropped", func(t *testing.T, ob *Outbox, id uint64) {
			if ok, err := ob.Drop(id); !ok || err != nil {
				t.Errorf("Drop = %v, %v", ok, err)
			}
		}, 0},
		{"taken over", func(t *testing.T, ob *Outbox, id uint64) {
			setLease(t, ob, id, "other-host/1/abc/def", time.Now().Add(time.Hour))
		}, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var ob *Outbox
			var id uint64
			send := senderFunc(func(context.Context, string, []byte, ...string) (*delivery.Response, error) {
				tt.meanwhile(t, ob, id)
				return &delivery.Response{StatusCode: 202, Attempts: 1}, nil
			})
			ob = openInternal(t, Options{Sender: send})
			var err error
			if id, err = ob.Enqueue(Entry{URL: fixtureURL, RoutingKey: leaseKey, DedupKey: "a", Body: []byte(`{}`)}); err != nil {
				t.Fatal(err)
			}
			rep, err := ob.Flush(t.Context(), FlushOptions{})
			if err != nil || rep.Sent != 1 || rep.Delivered != 0 || rep.Pending != tt.wantPending {
				t.Errorf("Flush = %s, %v; want 1 sent, none recorded delivered, %d pending", rep, err, tt.wantPending)
			}
		})
	}
}

func TestLeaseAlive(t *testing.T) {
	self := newOwner()
	gone := goneProcess(t)
	tests := []struct {
		owner string
		want  bool
	}{
		{self, true},
		{self + "/flushtoken", true},
		{fmt.Sprintf("%s/%d/t", hostname, gone), false},
		{fmt.Sprintf("%s/%d/t/u", hostname, gone), false},
		{fmt.Sprintf("elsewhere/%d/t", gone), true},
		{fmt.Sprintf("%s/%d", hostname, gone), true}, // not host/pid/token: cannot tell
		{hostname + "/-5/t", true},
		{"", true},
	}
	for _, tt := range tests {
		if got := leaseAlive(tt.owner, self); got != tt.want {
			t.Errorf("leaseAlive(%q) = %v, want %v", tt.owner, got, tt.want)
		}
	}
}
