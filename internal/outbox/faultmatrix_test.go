package outbox_test

// The outbox's rows of the fault matrix, against the emulator. Each row
// ends by checking the emulator's alert state: nothing lost, nothing
// reordered per (routing key, dedup key), no extra alert.

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/fluxpd/fluxpd/internal/delivery"
	"github.com/fluxpd/fluxpd/internal/emulator"
	"github.com/fluxpd/fluxpd/internal/emulator/emulatortest"
	"github.com/fluxpd/fluxpd/internal/outbox"
)

// An outage longer than a send's deadline: the trigger is queued, the
// resolve is queued behind it without being sent, and both are delivered
// in order once PagerDuty is back.
func TestFaultMatrix_OutageLongerThanDeadline(t *testing.T) {
	for _, drop := range []bool{false, true} {
		t.Run(map[bool]string{false: "503", true: "connection dropped"}[drop], func(t *testing.T) {
			s := emulatortest.New(t)
			ob, _, _ := open(t, outbox.Options{})
			if err := s.StartOutage(emulator.Outage{For: 500 * time.Millisecond, Drop: drop}); err != nil {
				t.Fatal(err)
			}
			sender := &delivery.Sender{Policy: delivery.Policy{Deadline: 150 * time.Millisecond, BaseDelay: 10 * time.Millisecond, MaxDelay: 20 * time.Millisecond, AttemptTimeout: 100 * time.Millisecond}}
			evs := []event{{routingKey(1), "db01/cpu", "trigger", 1}, {routingKey(1), "db01/cpu", "resolve", 2}}
			d, err := ob.Deliver(t.Context(), sender, evs[0].entry(s.EventsURL()))
			if err != nil || !d.Queued || d.Err == nil || !strings.Contains(d.Reason, "queued for redelivery") {
				t.Fatalf("trigger during the outage: %+v, %v; want it queued", d, err)
			}
			if !drop && d.Status() != 503 {
				t.Errorf("status = %d, want the last status 503", d.Status())
			}
			d, err = ob.Deliver(t.Context(), sender, evs[1].entry(s.EventsURL()))
			if err != nil || !d.Queued || d.Response != nil || d.Err != nil {
				t.Fatalf("resolve behind a queued trigger: %+v, %v; want it queued unsent", d, err)
			}
			for _, r := range s.Requests() {
				if r.Action == "resolve" {
					t.Fatal("the resolve was sent while its trigger was queued")
				}
			}
			ctx, cancel := context.WithCancel(t.Context())
			done := make(chan error)
			go func() { done <- ob.Run(ctx, 20*time.Millisecond) }()
			waitEmpty(t, ob, 10*time.Second)
			cancel()
			<-done
			checkDelivered(t, s.Emulator, evs, false)
			checkAlerts(t, s.Emulator, evs)
		})
	}
}

func waitEmpty(t testing.TB, ob *outbox.Outbox, within time.Duration) {
	t.Helper()
	deadline := time.Now().Add(within)
	for {
		st, err := ob.Stats()
		if err != nil {
			t.Fatal(err)
		}
		if st.Pending == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d events still pending after %s", st.Pending, within)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// A storm of 1000 events over 50 keys (5 routing keys x 10 dedup keys)
// against a rate limit of 20 events per 100 ms per routing key: every
// event is delivered, per-key order holds, the 429s are absorbed.
func TestFaultMatrix_StormAgainstRateLimit(t *testing.T) {
	// 5 events per routing key per 200 ms: 25 a second, far below what ten
	// senders offer even on a slow, shared machine, so the storm always
	// meets the limit.
	s := emulatortest.New(t, emulator.Options{RateLimit: 5, RateWindow: 200 * time.Millisecond})
	ob, _, _ := open(t, outbox.Options{BaseDelay: 50 * time.Millisecond, MaxDelay: 200 * time.Millisecond})
	evs := pairs(5, 10, 10)
	if len(evs) != 1000 {
		t.Fatalf("%d events", len(evs))
	}
	// Ten senders at once, as endpoint() sends; each owns whole groups, so
	// each group's events are offered in order.
	sender := oneShot()
	var mu sync.Mutex
	queued := 0
	var wg sync.WaitGroup
	for w := 0; w < 10; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for _, ev := range evs {
				if int(ev.dk[len(ev.dk)-1]-'0') != w {
					continue
				}
				d, err := ob.Deliver(t.Context(), sender, ev.entry(s.EventsURL()))
				if err != nil {
					t.Error(err)
					return
				}
				if d.Queued {
					mu.Lock()
					queued++
					mu.Unlock()
				} else if d.Err != nil {
					t.Errorf("event %d neither delivered nor queued: %v", ev.seq, d.Err)
				}
			}
		}()
	}
	wg.Wait()
	throttled := 0
	for _, r := range s.Requests() {
		if r.Status == 429 {
			throttled++
		}
	}
	if throttled == 0 || queued == 0 {
		t.Fatalf("the storm met no rate limit (%d throttled, %d queued)", throttled, queued)
	}
	drain(t, ob, outbox.FlushOptions{}, 60*time.Second)
	checkDelivered(t, s.Emulator, evs, false)
	checkAlerts(t, s.Emulator, evs)
	total := 0
	for _, r := range s.Requests() {
		if r.Status == 429 {
			total++
		}
	}
	t.Logf("%d events, %d queued by the sender, %d answers 429 absorbed in all", len(evs), queued, total)
}

// A 400 on redelivery goes to the dead letters once, with PagerDuty's
// reason, and the events behind it carry on.
func TestFaultMatrix_BadRequestDeadLetteredOnce(t *testing.T) {
	s := emulatortest.New(t)
	ob, _, sink := open(t, outbox.Options{})
	trig := event{routingKey(1), "bad", "trigger", 1}
	res := event{routingKey(1), "bad", "resolve", 2}
	for _, ev := range []event{trig, res} {
		if _, err := ob.Enqueue(ev.entry(s.EventsURL())); err != nil {
			t.Fatal(err)
		}
	}
	s.Inject(emulator.Fault{Status: 400, Body: `{"status":"invalid event","message":"Event object is invalid","errors":["'payload.source' is missing or blank"]}`})
	rep, err := ob.Flush(t.Context(), outbox.FlushOptions{})
	if err != nil || rep.DeadLettered != 1 || rep.Delivered != 1 || rep.Pending != 0 {
		t.Fatalf("Flush = %s, %v; want 1 dead-lettered, 1 delivered", rep, err)
	}
	for i := 0; i < 2; i++ {
		if rep, _ := ob.Flush(t.Context(), outbox.FlushOptions{Force: true}); rep.Sent != 0 {
			t.Errorf("a dead letter was sent again: %s", rep)
		}
	}
	dead, err := ob.DeadLetters()
	if err != nil || len(dead) != 1 {
		t.Fatalf("DeadLetters = %+v, %v", dead, err)
	}
	if r := dead[0].LastReason; !strings.Contains(r, "400") || !strings.Contains(r, "Event object is invalid") || !strings.Contains(r, "'payload.source' is missing or blank") {
		t.Errorf("dead letter reason = %q, want PagerDuty's", r)
	}
	if n := len(s.Requests()); n != 2 {
		t.Errorf("the emulator received %d requests, want 2", n)
	}
	if len(s.Alerts()) != 0 {
		t.Errorf("alerts = %+v, want none (the trigger was refused, the resolve dropped)", s.Alerts())
	}
	if !strings.Contains(sink.String(), "dead-lettered") {
		t.Errorf("no dead-letter line in the log:\n%s", sink)
	}
}

// A routing key that PagerDuty quotes back reaches neither the stored
// reasons nor the log: the outbox keeps what delivery returns, which
// delivery has masked.
func TestFaultMatrix_EchoedKeyMasked(t *testing.T) {
	s := emulatortest.New(t)
	ob, _, sink := open(t, outbox.Options{})
	rk := routingKey(1)
	for _, ev := range []event{{rk, "echo-503", "trigger", 1}, {rk, "echo-400", "trigger", 2}} {
		if _, err := ob.Enqueue(ev.entry(s.EventsURL())); err != nil {
			t.Fatal(err)
		}
	}
	echo := `{"status":"invalid event","message":"bad key ` + rk + `","errors":["routing_key ` + rk + ` refused"]}`
	s.Inject(emulator.Fault{Status: 503, Body: echo}, emulator.Fault{Status: 400, Body: echo})
	if rep, err := ob.Flush(t.Context(), outbox.FlushOptions{}); err != nil || rep.DeadLettered != 1 || rep.Pending != 1 {
		t.Fatalf("Flush = %s, %v; want 1 dead-lettered, 1 pending", rep, err)
	}
	pending, _ := ob.List()
	dead, _ := ob.DeadLetters()
	if len(pending) != 1 || len(dead) != 1 {
		t.Fatalf("pending %+v, dead %+v; want one each", pending, dead)
	}
	for _, text := range []string{pending[0].LastReason, dead[0].LastReason, sink.String()} {
		if strings.Contains(text, rk) {
			t.Errorf("the routing key shows unmasked in %q", text)
		}
		if !strings.Contains(text, "bad key") {
			t.Errorf("%q lost PagerDuty's message", text)
		}
	}
}

// An event older than MaxAge is dead-lettered as expired, without a request.
func TestFaultMatrix_Expired(t *testing.T) {
	s := emulatortest.New(t)
	ob, _, _ := open(t, outbox.Options{MaxAge: time.Hour})
	e := event{routingKey(1), "old", "trigger", 1}.entry(s.EventsURL())
	e.Created = time.Now().Add(-2 * time.Hour)
	e.LastReason = "PagerDuty answered 503"
	if _, err := ob.Enqueue(e); err != nil {
		t.Fatal(err)
	}
	rep, err := ob.Flush(t.Context(), outbox.FlushOptions{Force: true})
	if err != nil || rep.Expired != 1 || rep.Sent != 0 || rep.Pending != 0 {
		t.Fatalf("Flush = %s, %v; want 1 expired, none sent", rep, err)
	}
	dead, _ := ob.DeadLetters()
	if len(dead) != 1 || !strings.HasPrefix(dead[0].LastReason, outbox.ReasonExpired) || !strings.Contains(dead[0].LastReason, "503") {
		t.Errorf("dead letters = %+v, want one expired, keeping the last failure", dead)
	}
	if n := len(s.Requests()); n != 0 {
		t.Errorf("%d requests sent for an expired event", n)
	}
}

// The child processes of the subprocess rows. They run only when the
// parent test re-executes the test binary with OUTBOX_CHILD set.
func TestChildProcess(t *testing.T) {
	mode := os.Getenv("OUTBOX_CHILD")
	if mode == "" {
		t.Skip("runs only as a child of another test")
	}
	path, url := os.Getenv("OUTBOX_PATH"), os.Getenv("OUTBOX_URL")
	ob, err := outbox.Open(path, outbox.Options{BaseDelay: 20 * time.Millisecond, MaxDelay: 100 * time.Millisecond})
	if err != nil {
		fmt.Println("error", err)
		os.Exit(1)
	}
	switch mode {
	case "kill":
		// Queue events one at a time, saying so after each is stored,
		// then flush slowly until killed.
		for _, ev := range killEvents() {
			id, err := ob.Enqueue(ev.entry(url))
			if err != nil {
				fmt.Println("error", err)
				os.Exit(1)
			}
			fmt.Println("queued", id, ev.seq)
		}
		fmt.Println("flushing")
		_, err := ob.Flush(context.Background(), outbox.FlushOptions{Force: true, Concurrency: 4})
		fmt.Println("flushed", err)
	case "share":
		for _, ev := range shareEvents("child") {
			if _, err := ob.Enqueue(ev.entry(url)); err != nil {
				fmt.Println("error", err)
				os.Exit(1)
			}
		}
		fmt.Println("queued")
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		go func() { _, _ = bufio.NewReader(os.Stdin).ReadString('\n'); cancel() }()
		_ = ob.Run(ctx, 20*time.Millisecond)
	}
	ob.Close()
	os.Exit(0)
}

func killEvents() []event { return pairs(2, 10, 5) } // 200 events in 20 groups

func shareEvents(who string) []event {
	evs := pairs(2, 5, 5)
	for i := range evs {
		evs[i].dk = who + "-" + evs[i].dk
	}
	return evs
}

func child(t *testing.T, mode, path, url string) *exec.Cmd {
	cmd := exec.Command(os.Args[0], "-test.run=^TestChildProcess$", "-test.count=1")
	cmd.Env = append(os.Environ(), "OUTBOX_CHILD="+mode, "OUTBOX_PATH="+path, "OUTBOX_URL="+url)
	cmd.Stderr = os.Stderr
	return cmd
}

// kill -9 of a real process in the middle of flushing: after a restart,
// every event the child reported as queued is delivered, in order per key.
// The only duplicates are the events whose 202 the child received but had
// not recorded when it died: all have a dedup key, so PagerDuty folds a
// repeated trigger into the open alert (its count rises, no new alert) and
// drops a repeated resolve (the alert is already resolved).
func TestFaultMatrix_KillDuringFlush(t *testing.T) {
	s := emulatortest.New(t, emulator.Options{Latency: 5 * time.Millisecond})
	_, path, _ := open(t, outbox.Options{})
	cmd := child(t, "kill", path, s.EventsURL())
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	reported := map[int]bool{}
	sc := bufio.NewScanner(out)
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) == 3 && f[0] == "queued" {
			seq, _ := strconv.Atoi(f[2])
			reported[seq] = true
		}
		if f[0] == "flushing" {
			break
		}
		if f[0] == "error" {
			t.Fatalf("child: %s", sc.Text())
		}
	}
	deadline := time.Now().Add(20 * time.Second)
	for len(s.Requests()) < 60 {
		if time.Now().After(deadline) {
			t.Fatal("the child sent too few requests")
		}
		time.Sleep(time.Millisecond)
	}
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	_ = cmd.Wait()
	sentBefore := len(s.Requests())
	want := killEvents()
	if len(reported) != len(want) {
		t.Fatalf("the child reported %d events queued, want %d", len(reported), len(want))
	}

	// Restart: the dead child's leases are void at once (its pid is gone).
	ob, _, _ := openAt(t, path, outbox.Options{})
	st, err := ob.Stats()
	if err != nil {
		t.Fatal(err)
	}
	if st.Pending == 0 || st.Pending == len(want) {
		t.Fatalf("%d pending after the kill: the kill did not land in the middle of the flush", st.Pending)
	}
	rep, err := ob.Flush(t.Context(), outbox.FlushOptions{Force: true})
	if err != nil || rep.Pending != 0 || rep.Busy != 0 {
		t.Fatalf("Flush after restart = %s, %v", rep, err)
	}
	dups := checkDelivered(t, s.Emulator, want, true)
	checkAlerts(t, s.Emulator, want)
	t.Logf("killed after %d requests with %d events pending; %d redelivered after restart, %d of them duplicates", sentBefore, st.Pending, rep.Sent, dups)
	if dups > 4 {
		t.Errorf("%d duplicates, want at most one per group in flight (4)", dups)
	}
}

// Two processes share one outbox: each queues its own events and runs a
// flusher over the whole file at the same time, through an outage. Every
// event is delivered exactly once (the claims keep the two flushers off
// each other's events) and in order.
func TestFaultMatrix_TwoProcessesShare(t *testing.T) {
	s := emulatortest.New(t, emulator.Options{Latency: time.Millisecond})
	ob, path, _ := open(t, outbox.Options{})
	if err := s.StartOutage(emulator.Outage{For: 300 * time.Millisecond}); err != nil {
		t.Fatal(err)
	}
	cmd := child(t, "share", path, s.EventsURL())
	out, _ := cmd.StdoutPipe()
	stdin, _ := cmd.StdinPipe()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { stdin.Close(); _ = cmd.Wait() }()
	mine := shareEvents("parent")
	for _, ev := range mine {
		if _, err := ob.Enqueue(ev.entry(s.EventsURL())); err != nil {
			t.Fatal(err)
		}
	}
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error)
	go func() { done <- ob.Run(ctx, 20*time.Millisecond) }()
	sc := bufio.NewScanner(out)
	for sc.Scan() && sc.Text() != "queued" {
		if strings.HasPrefix(sc.Text(), "error") {
			t.Fatalf("child: %s", sc.Text())
		}
	}
	waitEmpty(t, ob, 20*time.Second)
	cancel()
	<-done
	stdin.Close()
	if err := cmd.Wait(); err != nil {
		t.Fatalf("child: %v", err)
	}
	want := append(mine, shareEvents("child")...)
	checkDelivered(t, s.Emulator, want, false)
	checkAlerts(t, s.Emulator, want)
}
