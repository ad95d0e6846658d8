package outbox_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/fluxpd/fluxpd/internal/delivery"
	"github.com/fluxpd/fluxpd/internal/emulator"
	"github.com/fluxpd/fluxpd/internal/emulator/emulatortest"
	"github.com/fluxpd/fluxpd/internal/outbox"
	"github.com/fluxpd/fluxpd/internal/testwait"
)

// lines is a log safe for a flusher's goroutine.
type lines struct {
	mu  sync.Mutex
	got []string
}

func (l *lines) add(s string) { l.mu.Lock(); l.got = append(l.got, s); l.mu.Unlock() }

func (l *lines) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return strings.Join(l.got, "\n")
}

func (l *lines) count(substr string) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	n := 0
	for _, s := range l.got {
		if strings.Contains(s, substr) {
			n++
		}
	}
	return n
}

// A flush loop whose outbox fails warns at each tick and goes on until its
// context ends; a loop that sends logs what each flush did.
func TestRunWith_WarnsAndGoesOn(t *testing.T) {
	var warned, logged lines
	ob, _, _ := open(t, outbox.Options{Warn: warned.add, Log: logged.add})
	ob.Close()
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() { done <- ob.RunWith(ctx, time.Millisecond, outbox.FlushOptions{Sender: refuseToSend(t)}) }()
	testwait.Until(t, "two warnings of a failed flush", func() (bool, string) {
		n := warned.count("outbox: warning: flush failed: outbox is closed")
		return n >= 2, warned.String()
	})
	cancel()
	if err := testwait.Recv(t, "the loop to end", done); !errors.Is(err, context.Canceled) {
		t.Errorf("RunWith = %v, want context.Canceled", err)
	}

	s := emulatortest.New(t)
	ob2, _, _ := open(t, outbox.Options{Log: logged.add})
	if _, err := ob2.Enqueue(event{routingKey(1), "a", "trigger", 1}.entry(s.EventsURL())); err != nil {
		t.Fatal(err)
	}
	ctx, cancel = context.WithCancel(t.Context())
	defer cancel()
	go func() { done <- ob2.Run(ctx, time.Millisecond) }()
	testwait.Until(t, "the loop to log its delivery", func() (bool, string) {
		return logged.count("outbox: flush: 1 sent, 1 delivered") == 1, requestCounts(s.Emulator)
	})
	cancel()
	testwait.Recv(t, "the loop to end", done)
}

// Run with no interval flushes at once, with the default interval after.
func TestRun_DefaultInterval(t *testing.T) {
	s := emulatortest.New(t)
	ob, _, _ := open(t, outbox.Options{})
	if _, err := ob.Enqueue(event{routingKey(1), "a", "trigger", 1}.entry(s.EventsURL())); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- ob.Run(ctx, 0) }()
	waitEmpty(t, ob, s.Emulator)
	cancel()
	if err := testwait.Recv(t, "the loop to end", done); !errors.Is(err, context.Canceled) {
		t.Errorf("Run = %v, want context.Canceled", err)
	}
}

// A flush cut short while sending gives the event back untried: no
// redelivery counted, no lease held, the flush's error is the context's.
func TestFlush_CutShortWhileSending(t *testing.T) {
	ob, _, _ := open(t, outbox.Options{})
	if _, err := ob.Enqueue(event{routingKey(1), "a", "trigger", 1}.entry(unreachable)); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	cutting := senderFunc(func(ctx context.Context, url string, _ []byte, _ ...string) (*delivery.Response, error) {
		cancel()
		return nil, &delivery.Error{Kind: delivery.KindCanceled, URL: url, Err: ctx.Err()}
	})
	rep, err := ob.Flush(ctx, outbox.FlushOptions{Sender: cutting})
	if !errors.Is(err, context.Canceled) || rep.Sent != 1 || rep.Rescheduled != 0 || rep.Pending != 1 {
		t.Errorf("Flush = %s, %v; want 1 sent, nothing recorded, context.Canceled", rep, err)
	}
	list, _ := ob.List()
	if len(list) != 1 || list[0].Redeliveries != 0 || list[0].Attempts != 0 || list[0].Sending {
		t.Errorf("the event after: %+v; want it untried and free", list)
	}
	if rep, err := ob.Flush(t.Context(), outbox.FlushOptions{Sender: &recordingSender{}}); err != nil || rep.Delivered != 1 {
		t.Errorf("the next flush: %s, %v; want the event delivered", rep, err)
	}
}

// The default sender follows no redirect: the 3xx dead-letters the event,
// its target receives nothing.
func TestDefaultSender_FollowsNoRedirect(t *testing.T) {
	s, elsewhere := emulatortest.New(t), emulatortest.New(t)
	s.Inject(emulator.Fault{Status: http.StatusFound, Header: map[string]string{"Location": elsewhere.EventsURL()}})
	ob, _, _ := open(t, outbox.Options{Sender: outbox.DefaultSender()})
	if _, err := ob.Enqueue(event{routingKey(1), "a", "trigger", 1}.entry(s.EventsURL())); err != nil {
		t.Fatal(err)
	}
	rep, err := ob.Flush(t.Context(), outbox.FlushOptions{})
	if err != nil || rep.DeadLettered != 1 {
		t.Errorf("Flush = %s, %v; want the redirected event dead-lettered", rep, err)
	}
	if n := len(elsewhere.Requests()); n != 0 {
		t.Errorf("the redirect was followed: %d requests", n)
	}
}

// Whatever the outbox logs and stores of an event names its dedup key
// with the routing key masked, as the host reports it, even when the
// dedup key quotes the routing key.
func TestLog_MasksTheRoutingKeyInDedupKeys(t *testing.T) {
	s := emulatortest.New(t)
	s.Inject(emulator.Fault{Status: 400})
	ob, _, sink := open(t, outbox.Options{})
	ev := event{routingKey(1), "alert-" + routingKey(1), "trigger", 1}
	if _, err := ob.Enqueue(ev.entry(s.EventsURL())); err != nil {
		t.Fatal(err)
	}
	if rep, err := ob.Flush(t.Context(), outbox.FlushOptions{}); err != nil || rep.DeadLettered != 1 {
		t.Fatalf("Flush = %s, %v", rep, err)
	}
	if strings.Contains(sink.String(), routingKey(1)) {
		t.Errorf("the log shows the routing key:\n%s", strings.ReplaceAll(sink.String(), routingKey(1), "<THE KEY>"))
	}
}
