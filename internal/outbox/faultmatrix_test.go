package outbox_test

// The outbox's rows of the fault matrix, against the emulator. Each row
// ends by checking the emulator's alert state: nothing lost, nothing
// reordered per (routing key, dedup key), no extra alert.

import (
	"bufio"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/fluxpd/fluxpd/internal/delivery"
	"github.com/fluxpd/fluxpd/internal/emulator"
	"github.com/fluxpd/fluxpd/internal/emulator/emulatortest"
	"github.com/fluxpd/fluxpd/internal/outbox"
	"github.com/fluxpd/fluxpd/internal/testwait"
)

// An outage longer than a send's deadline: the trigger is queued, the
// resolve is queued behind it without being sent, and both are delivered
// in order once PagerDuty is back. The outage lasts until the test ends
// it, and the send's clock stands still, so that what spends its deadline
// is the wait it would start (half of a ceiling of four times the
// deadline), never how long the machine takes to answer.
func TestFaultMatrix_OutageLongerThanDeadline(t *testing.T) {
	for _, drop := range []bool{false, true} {
		t.Run(map[bool]string{false: "503", true: "connection dropped"}[drop], func(t *testing.T) {
			s := emulatortest.New(t)
			ob, _, _ := open(t, outbox.Options{})
			if err := s.StartOutage(emulator.Outage{For: testwait.Limit(), Drop: drop}); err != nil {
				t.Fatal(err)
			}
			deadline := testwait.Limit()
			sender := &delivery.Sender{Clock: &stoppedClock{now: time.Now()}, Rand: func() float64 { return 0.5 },
				Policy: delivery.Policy{MaxRetries: 3, Deadline: deadline, BaseDelay: 4 * deadline, MaxDelay: 4 * deadline}}
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
			if n := len(s.Requests()); n != 1 {
				t.Fatalf("%d requests sent, want only the trigger's one", n)
			}
			s.EndOutage()
			ctx, cancel := context.WithCancel(t.Context())
			done := make(chan error)
			go func() { done <- ob.Run(ctx, 20*time.Millisecond) }()
			waitEmpty(t, ob, s.Emulator)
			cancel()
			testwait.Recv(t, "the flusher to stop", done)
			checkDelivered(t, s.Emulator, evs, false)
			checkAlerts(t, s.Emulator, evs)
		})
	}
}

// stoppedClock is a delivery.Clock whose time moves only by the waits
// slept on it.
type stoppedClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *stoppedClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *stoppedClock) Sleep(ctx context.Context, d time.Duration) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
	return ctx.Err()
}

// A storm of 1000 events over 50 keys (5 routing keys x 10 dedup keys)
// against a rate limit of 5 events per 200 ms per routing key: every
// event is delivered, per-key order holds, the 429s are absorbed.
func TestFaultMatrix_StormAgainstRateLimit(t *testing.T) {
	// The emulator's clock stands still until every routing key has been
	// answered 429, so that the storm meets the limit however slowly this
	// machine offers the events: each routing key has its 5 events, then
	// 429s. Then it runs, for the rest of the storm and the drain.
	const keys = 5
	var storming atomic.Bool
	storming.Store(true)
	stormTime := time.Now()
	now := func() time.Time {
		if storming.Load() {
			return stormTime
		}
		return time.Now()
	}
	s := emulatortest.New(t, emulator.Options{RateLimit: 5, RateWindow: 200 * time.Millisecond, Now: now})
	ob, _, _ := open(t, outbox.Options{BaseDelay: 50 * time.Millisecond, MaxDelay: 200 * time.Millisecond})
	evs := pairs(keys, 10, 10)
	if len(evs) != 1000 {
		t.Fatalf("%d events", len(evs))
	}
	// Ten senders at once, as endpoint() sends; each owns whole groups, so
	// each group's events are offered in order.
	sender := oneShot()
	var mu sync.Mutex
	queued := 0
	throttledKeys := map[string]bool{}
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
					if d.Status() == http.StatusTooManyRequests {
						throttledKeys[ev.rk] = true
						if len(throttledKeys) == keys {
							storming.Store(false)
						}
					}
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
	storming.Store(false)
	drain(t, ob, outbox.FlushOptions{})
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
// delivery has masked. The first event is the routing key's probe: its
// 400 is an answer, so the second follows (a 503 first would hold it).
func TestFaultMatrix_EchoedKeyMasked(t *testing.T) {
	s := emulatortest.New(t)
	ob, _, sink := open(t, outbox.Options{})
	rk := routingKey(1)
	for _, ev := range []event{{rk, "echo-400", "trigger", 1}, {rk, "echo-503", "trigger", 2}} {
		if _, err := ob.Enqueue(ev.entry(s.EventsURL())); err != nil {
			t.Fatal(err)
		}
	}
	echo := `{"status":"invalid event","message":"bad key ` + rk + `","errors":["routing_key ` + rk + ` refused"]}`
	s.Inject(emulator.Fault{Status: 400, Body: echo}, emulator.Fault{Status: 503, Body: echo})
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
	// The child's own User-Agent tells the emulator which process sent.
	sender := patient(outbox.DefaultSender())
	sender.UserAgent = childAgent
	ob, err := outbox.Open(path, testOptions(outbox.Options{Sender: sender}))
	if err != nil {
		fmt.Println("error", err)
		os.Exit(1)
	}
	switch mode {
	case "kill":
		// Queue events one at a time, saying so after each is stored,
		// then flush until killed (the parent holds the requests it
		// does not want answered).
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
		// Flush until the parent says stop: a line, or the end of stdin
		// if the parent has gone.
		ctx, cancel := context.WithCancel(context.Background())
		go func() { _, _ = bufio.NewReader(os.Stdin).ReadString('\n'); cancel() }()
		flushLoop(ctx, ob, func(msg string) { fmt.Fprintln(os.Stderr, "child:", msg) })
	}
	ob.Close()
	os.Exit(0)
}

// childAgent is the User-Agent of the child's requests.
const childAgent = "outbox-test-child"

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

// gate serves the emulator and, once it has let through its first after
// requests, holds every later one unanswered (the emulator's latency
// becomes testwait.Limit) until release: a flush stopped in the middle,
// whatever the speed of the machine.
type gate struct {
	s     *emulator.Server
	after int
	url   string

	mu       sync.Mutex
	n, held  int
	released bool
}

func holdAfter(t *testing.T, s *emulator.Server, after int) *gate {
	g := &gate{s: s, after: after}
	srv := httptest.NewServer(http.HandlerFunc(g.serve))
	t.Cleanup(srv.Close)
	g.url = srv.URL + emulator.EventsPath
	return g
}

func (g *gate) serve(w http.ResponseWriter, r *http.Request) {
	g.mu.Lock()
	g.n++
	if !g.released && g.n > g.after {
		g.s.SetLatency(testwait.Limit())
		g.held++
	}
	g.mu.Unlock()
	g.s.ServeHTTP(w, r)
}

// holding returns how many requests the gate has held.
func (g *gate) holding() int {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.held
}

// release answers later requests after latency again; requests held
// until then stay held until their client goes away.
func (g *gate) release(latency time.Duration) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.released = true
	g.s.SetLatency(latency)
}

// kill -9 of a real process in the middle of flushing: after a restart,
// every event the child reported as queued is delivered, in order per key.
// The only duplicates are the events whose 202 the child received but had
// not recorded when it died: all have a dedup key, so PagerDuty folds a
// repeated trigger into the open alert (its count rises, no new alert) and
// drops a repeated resolve (the alert is already resolved).
func TestFaultMatrix_KillDuringFlush(t *testing.T) {
	const latency = 5 * time.Millisecond
	s := emulatortest.New(t, emulator.Options{Latency: latency})
	g := holdAfter(t, s, 60)
	probe, path, _ := open(t, outbox.Options{})
	cmd := child(t, "kill", path, g.url)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { _ = cmd.Process.Kill() }()
	reported := map[int]bool{}
	sc := bufio.NewScanner(out)
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) == 3 && f[0] == "queued" {
			seq, _ := strconv.Atoi(f[2])
			reported[seq] = true
		}
		if len(f) > 0 && f[0] == "flushing" {
			break
		}
		if len(f) > 0 && f[0] == "error" {
			t.Fatalf("child: %s", sc.Text())
		}
	}
	want := killEvents()
	if len(reported) != len(want) {
		t.Fatalf("the child reported %d events queued, want %d", len(reported), len(want))
	}
	// The child's flush stands in the middle: an event delivered and
	// recorded, a request held unanswered, the rest waiting behind. The
	// file is read at most every 100ms, since the child needs its lock to
	// record deliveries.
	var (
		st   outbox.Stats
		read time.Time
	)
	testwait.Until(t, "the child to record a delivery and to have a request held", func() (bool, string) {
		held := g.holding()
		if held > 0 && time.Since(read) >= 100*time.Millisecond {
			var err error
			if st, err = probe.Stats(); err != nil {
				t.Fatal(err)
			}
			read = time.Now()
		}
		return !read.IsZero() && st.Pending < len(want),
			fmt.Sprintf("%d of %d events pending when last read, %d requests held; the emulator: %s", st.Pending, len(want), held, requestCounts(s.Emulator))
	})
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	_ = cmd.Wait()
	g.release(latency)
	sentBefore := len(s.Requests())

	// Restart: the dead child's leases are void at once (its pid is gone).
	ob, _, _ := openAt(t, path, outbox.Options{})
	st, err = ob.Stats()
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

// flushLoop flushes ob until ctx ends, leaving the file alone for 100ms
// after each flush, and passes on the flushes' failures. Run starts a
// flush at once when the last one outlasted its interval, as fsyncs on a
// loaded machine make flushes at a 20ms interval do: back to back, one
// process kept the file, and the lock bbolt tries for every 50ms, from the
// other for minutes.
func flushLoop(ctx context.Context, ob *outbox.Outbox, warn func(string)) {
	for {
		if _, err := ob.Flush(ctx, outbox.FlushOptions{}); err != nil && ctx.Err() == nil {
			warn(fmt.Sprintf("flush failed: %v", err))
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// delivered counts the distinct events the emulator accepted.
func delivered(e *emulator.Emulator) int {
	seen := map[string]bool{}
	for _, r := range e.Requests() {
		if r.Status/100 == 2 {
			seen[groupOf(r.RoutingKey, r.DedupKey)+"\x00"+string(r.Body)] = true
		}
	}
	return len(seen)
}

// Two processes share one outbox: each queues its own events and flushes
// the whole file over and over at the same time, through an outage that
// lasts until both have met it. Every event is delivered exactly once (the
// claims keep the two flushers off each other's events) and in order. The
// test watches the emulator and reads the file sparingly, so as to leave
// the lock to the two flushers.
func TestFaultMatrix_TwoProcessesShare(t *testing.T) {
	s := emulatortest.New(t, emulator.Options{Latency: time.Millisecond})
	ob, path, sink := open(t, outbox.Options{})
	if err := s.StartOutage(emulator.Outage{For: testwait.Limit()}); err != nil {
		t.Fatal(err)
	}
	cmd := child(t, "share", path, s.EventsURL())
	out, _ := cmd.StdoutPipe()
	stdin, _ := cmd.StdinPipe()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { stdin.Close(); _ = cmd.Process.Kill() }()
	mine := shareEvents("parent")
	for _, ev := range mine {
		if _, err := ob.Enqueue(ev.entry(s.EventsURL())); err != nil {
			t.Fatal(err)
		}
	}
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	done := make(chan struct{}, 1)
	go func() {
		flushLoop(ctx, ob, func(msg string) { sink.log("parent: " + msg) })
		done <- struct{}{}
	}()
	sc := bufio.NewScanner(out)
	for sc.Scan() && sc.Text() != "queued" {
		if strings.HasPrefix(sc.Text(), "error") {
			t.Fatalf("child: %s", sc.Text())
		}
	}
	testwait.Until(t, "both processes' flushers to meet the outage", func() (bool, string) {
		faulted := map[string]int{}
		for _, r := range s.Requests() {
			if r.Verdict == emulator.VerdictFault {
				faulted[r.Header.Get("User-Agent")]++
			}
		}
		return faulted[childAgent] > 0 && faulted[delivery.DefaultUserAgent] > 0, fmt.Sprintf("answered 503 by User-Agent: %v", faulted)
	})
	s.EndOutage()
	// The file is read once the emulator has every event, and then at most
	// every 100ms: the flushers need its lock to record the last ones.
	want := append(mine, shareEvents("child")...)
	var (
		st   outbox.Stats
		read time.Time
	)
	testwait.Until(t, "every event of both processes delivered and recorded", func() (bool, string) {
		n := delivered(s.Emulator)
		if n >= len(want) && time.Since(read) >= 100*time.Millisecond {
			var err error
			if st, err = ob.Stats(); err != nil {
				t.Fatal(err)
			}
			read = time.Now()
		}
		return !read.IsZero() && st.Pending == 0,
			fmt.Sprintf("%d of %d delivered, %+v when last read; the emulator: %s", n, len(want), st, requestCounts(s.Emulator))
	})
	cancel()
	testwait.Recv(t, "the parent's flusher to stop", done)
	stdin.Close()
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	if err := testwait.Recv(t, "the child to exit once told to stop", exited); err != nil {
		t.Fatalf("child: %v", err)
	}
	checkDelivered(t, s.Emulator, want, false)
	checkAlerts(t, s.Emulator, want)
}
