package host_test

import (
	"fmt"
	"net/http"
	"sync/atomic"
	"testing"
	"time"

	"github.com/fluxpd/fluxpd/internal/delivery"
	"github.com/fluxpd/fluxpd/internal/emulator"
	"github.com/fluxpd/fluxpd/internal/emulator/emulatortest"
	"github.com/fluxpd/fluxpd/internal/host"
	"github.com/fluxpd/fluxpd/internal/outbox"
	"github.com/fluxpd/fluxpd/internal/testwait"
)

// flushEvery is the test flusher's interval: short, so that redelivery
// follows the outage's end without the test waiting long for it.
const flushEvery = 10 * time.Millisecond

// fastRetry is a redelivery backoff on a test's scale.
var fastRetry = outbox.Options{BaseDelay: 20 * time.Millisecond, MaxDelay: 100 * time.Millisecond}

// The flusher redelivers what an outage queued once it ends, counting each
// event PagerDuty took in fluxpd_outbox_redelivered_total and nothing it
// refused; stop ends it.
func TestStartFlusher_RedeliversAfterAnOutage(t *testing.T) {
	tests := []struct {
		name          string
		nilSender     bool
		afterOutage   []emulator.Fault // answers once the outage ends
		wantDelivered float64
		wantDead      int
	}{
		{name: "every event delivered", wantDelivered: 3},
		{name: "the outbox's default sender", nilSender: true, wantDelivered: 3},
		{name: "one refused with a 400: dead, not counted", afterOutage: []emulator.Fault{{Status: 400, Body: invalidBody}}, wantDelivered: 2, wantDead: 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := emulatortest.New(t)
			ob := openOutbox(t, fastRetry)
			m, reg := registry(t, ob)
			h := &host.Host{Outbox: ob, Metrics: m}
			if err := s.StartOutage(emulator.Outage{For: testwait.Limit()}); err != nil {
				t.Fatal(err)
			}
			snd := sender()
			snd.Policy.MaxRetries = 0
			for i, dk := range []string{"A", "A", "B"} {
				if r := h.Send(t.Context(), snd, alert(s.EventsURL(), dk, i)); r.Queued == "" {
					t.Fatalf("event %d during the outage: %+v; want it queued", i, r)
				}
			}
			queuedRequests := len(s.Requests())
			var flushWith *delivery.Sender
			if !tt.nilSender {
				flushWith = sender()
			}
			var warned []string
			stop := host.StartFlusher(ob, flushWith, flushEvery, m, func(w string) { warned = append(warned, w) })
			stopped := false
			defer func() {
				if !stopped {
					stop()
				}
			}()
			testwait.Until(t, "the flusher to try during the outage", func() (bool, string) {
				n := len(s.Requests())
				return n > queuedRequests, fmt.Sprintf("%d requests", n)
			})
			if got := gather(t, reg).value(host.MetricRedelivered); got != 0 {
				t.Errorf("%s = %v during the outage, want 0", host.MetricRedelivered, got)
			}
			s.Inject(tt.afterOutage...)
			s.EndOutage()
			testwait.Until(t, "the outbox to empty", func() (bool, string) {
				st, err := ob.Stats()
				return err == nil && st.Pending == 0, fmt.Sprintf("%+v, %v", st, err)
			})
			stop()
			stopped = true
			g := gather(t, reg)
			if got := g.value(host.MetricRedelivered); got != tt.wantDelivered {
				t.Errorf("%s = %v, want %v", host.MetricRedelivered, got, tt.wantDelivered)
			}
			if got := g.value(host.MetricDead); got != float64(tt.wantDead) {
				t.Errorf("%s = %v, want %d", host.MetricDead, got, tt.wantDead)
			}
			if len(warned) != 0 {
				t.Errorf("the flusher warned %q", warned)
			}
			if accepted := acceptedBy(s); !tt.nilSender && accepted != 3-tt.wantDead {
				// The sender waits for every answer: nothing is sent twice.
				t.Errorf("the emulator accepted %d events, want %d", accepted, 3-tt.wantDead)
			}
		})
	}
}

// acceptedBy counts the events the emulator accepted.
func acceptedBy(s *emulator.Server) int {
	n := 0
	for _, r := range s.Requests() {
		if r.Verdict == emulator.VerdictAccepted {
			n++
		}
	}
	return n
}

// stop waits for the flusher to end: a redelivery in flight is cut short
// and its claim given back before stop returns.
func TestStartFlusher_StopWaits(t *testing.T) {
	ob := openOutbox(t, outbox.Options{})
	m := alert("http://127.0.0.1:1/v2/enqueue", "db01/cpu", 1)
	if _, err := ob.Enqueue(outbox.Entry{URL: m.URL, RoutingKey: rk, DedupKey: m.DedupKey, Body: m.Body}); err != nil {
		t.Fatal(err)
	}
	d := &blockingDoer{entered: make(chan struct{}, 1)}
	stop := host.StartFlusher(ob, &delivery.Sender{Client: d}, flushEvery, nil, func(string) {})
	testwait.Recv(t, "the redelivery to start", d.entered)
	stop()
	if !d.done.Load() {
		t.Errorf("stop returned while the redelivery was still being sent")
	}
	st, err := ob.Stats()
	if err != nil || st.Pending != 1 || st.Sending != 0 {
		t.Errorf("after stop: %+v, %v; want the event pending, held by no flusher", st, err)
	}
}

// blockingDoer holds every request until its context ends.
type blockingDoer struct {
	entered chan struct{}
	done    atomic.Bool // a request returned
}

func (b *blockingDoer) Do(req *http.Request) (*http.Response, error) {
	select {
	case b.entered <- struct{}{}:
	default:
	}
	<-req.Context().Done()
	b.done.Store(true)
	return nil, req.Context().Err()
}
