package relay_test

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/fluxpd/fluxpd/internal/emulator"
	"github.com/fluxpd/fluxpd/internal/emulator/emulatortest"
	"github.com/fluxpd/fluxpd/internal/event"
	"github.com/fluxpd/fluxpd/internal/host"
	"github.com/fluxpd/fluxpd/internal/redact"
	"github.com/fluxpd/fluxpd/internal/testwait"
)

// child is a relay running in a child process.
type child struct {
	cmd    *exec.Cmd
	url    string
	stderr *logBuffer
}

// startChild starts a relay process on the outbox at path and waits for
// its listening line.
func startChild(t *testing.T, path, upstream string) *child {
	t.Helper()
	c := &child{stderr: &logBuffer{}}
	c.cmd = exec.Command(os.Args[0], "-test.run=^$")
	c.cmd.Env = append(os.Environ(), childOutboxEnv+"="+path, childUpstreamEnv+"="+upstream, host.OutboxRetryEnv+"=20ms", host.OutboxRetryMaxEnv+"=100ms")
	c.cmd.Stderr = c.stderr
	out, err := c.cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := c.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	lines := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
	}()
	line := testwait.Recv(t, "the relay process's listening line", lines)
	var rest string
	if _, err := fmt.Sscanf(line, "fluxpd relay listening on %s %s", &c.url, &rest); err != nil || !strings.HasPrefix(c.url, "http://127.0.0.1:") {
		t.Fatalf("the relay process printed %q; want fluxpd relay listening on http://127.0.0.1:PORT (...). Its log:\n%s", line, c.stderr)
	}
	return c
}

// kill9 kills the relay process with SIGKILL and reaps it.
func (c *child) kill9(t *testing.T) {
	t.Helper()
	if err := c.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	_ = c.cmd.Wait()
}

// alertSender posts one alert's triggers in sequence to whichever relay
// runs, re-posting an event that was not answered 202; it records the
// events answered 202.
type alertSender struct {
	key, dk  string
	next     int
	accepted []int
}

// TestRelay_Kill9_NothingAnsweredIsLost kills the relay process with
// SIGKILL while it accepts events from concurrent senders and delivers
// them (the upstream answers slowly, so requests are in flight), restarts
// it on the same file, three times; then lets it finish. Every event
// answered 202 reaches upstream, each alert's events in order; the
// repeats (events in flight at a kill, sent again) are counted.
func TestRelay_Kill9_NothingAnsweredIsLost(t *testing.T) {
	emu := emulatortest.New(t, emulator.Options{Latency: 5 * time.Millisecond})
	path := filepath.Join(t.TempDir(), "relay.db")
	const perAlert, kills, acceptsPerRound = 15, 3, 25
	var senders []*alertSender
	for _, key := range []string{keyA, keyB, keyC} {
		for a := range 4 {
			senders = append(senders, &alertSender{key: key, dk: fmt.Sprintf("crash-%d", a)})
		}
	}
	var logs []string
	for round := 0; round <= kills; round++ {
		c := startChild(t, path, emu.URL())
		before := len(received(emu))
		var accepts atomic.Int64
		stop := make(chan struct{})
		var wg sync.WaitGroup
		for _, s := range senders {
			wg.Add(1)
			go func() {
				defer wg.Done()
				s.send(c.url, stop, &accepts, perAlert)
			}()
		}
		if round < kills {
			testwait.Until(t, fmt.Sprintf("round %d: %d accepts and deliveries under way", round, acceptsPerRound), func() (bool, string) {
				n, got := accepts.Load(), len(received(emu))-before
				return n >= acceptsPerRound && got > 0, fmt.Sprintf("%d accepted, %d delivered this round", n, got)
			})
			c.kill9(t)
			close(stop)
			wg.Wait()
		} else {
			wg.Wait()
			want := 0
			for _, s := range senders {
				want += len(s.accepted)
			}
			waitAllArrived(t, emu, senders)
			if err := c.cmd.Process.Signal(syscall.SIGTERM); err != nil {
				t.Fatal(err)
			}
			if err := c.cmd.Wait(); err != nil {
				t.Errorf("the relay process after SIGTERM: %v; want exit 0. Its log:\n%s", err, c.stderr)
			}
			t.Logf("%d events answered 202 over %d kills", want, kills)
		}
		logs = append(logs, c.stderr.String())
	}
	checkArrivals(t, emu, senders, perAlert)
	for _, key := range []string{keyA, keyB, keyC} {
		if strings.Contains(strings.Join(logs, ""), key) {
			t.Errorf("a relay process logged routing key %s unmasked", redact.Key(key))
		}
	}
}

// send posts the alert's remaining events until all are accepted or stop
// is closed, counting accepts.
func (s *alertSender) send(url string, stop <-chan struct{}, accepts *atomic.Int64, n int) {
	for s.next < n {
		select {
		case <-stop:
			return
		default:
		}
		a, err := tryPost(url, event.AlertPath, trigger(s.key, s.dk, s.next))
		if err != nil || a.Code != 202 {
			select {
			case <-stop:
				return
			case <-time.After(10 * time.Millisecond): // the relay is being killed
			}
			continue
		}
		s.accepted = append(s.accepted, s.next)
		s.next++
		accepts.Add(1)
	}
}

// waitAllArrived waits until every event answered 202 reached upstream.
func waitAllArrived(t *testing.T, emu *emulator.Server, senders []*alertSender) {
	t.Helper()
	testwait.Until(t, "every event answered 202 to reach upstream", func() (bool, string) {
		got := arrivals(emu)
		missing := 0
		for _, s := range senders {
			seen := map[int]bool{}
			for _, seq := range got[s.key+"/"+s.dk] {
				seen[seq] = true
			}
			for _, seq := range s.accepted {
				if !seen[seq] {
					missing++
				}
			}
		}
		return missing == 0, fmt.Sprintf("%d missing", missing)
	})
}

// arrivals returns each alert's sequence numbers in the order upstream
// accepted them.
func arrivals(emu *emulator.Server) map[string][]int {
	out := map[string][]int{}
	for _, q := range received(emu) {
		out[q.RoutingKey+"/"+q.DedupKey] = append(out[q.RoutingKey+"/"+q.DedupKey], seqOf(q))
	}
	return out
}

// checkArrivals checks each alert's order and counts the repeats.
func checkArrivals(t *testing.T, emu *emulator.Server, senders []*alertSender, n int) {
	t.Helper()
	got := arrivals(emu)
	repeats := 0
	for _, s := range senders {
		seqs := got[s.key+"/"+s.dk]
		checkOrder(t, fmt.Sprintf("alert %s of key %s", s.dk, redact.Key(s.key)), seqs, n)
		repeats += len(seqs) - n
	}
	t.Logf("%d events arrived more than once (in flight at a kill, or re-posted by a sender whose 202 a kill cut off)", repeats)
}
