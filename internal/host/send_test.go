package host_test

// The host's rows of the fault matrix: every outcome of Host.Send against
// the emulator, and what each tells Report, Sent, Metrics and Log.

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/fluxpd/fluxpd/internal/emulator"
	"github.com/fluxpd/fluxpd/internal/emulator/emulatortest"
	"github.com/fluxpd/fluxpd/internal/host"
	"github.com/fluxpd/fluxpd/internal/outbox"
)

// PagerDuty's answer to an invalid event.
const invalidBody = `{"status":"invalid event","message":"Event object is invalid","errors":["'payload.source' is missing or blank"]}`

// attempts is how many requests sender() sends at most: the first and
// its two retries.
const attempts = 3

// sendRow is one row of the host's fault matrix.
type sendRow struct {
	name   string
	faults []emulator.Fault // queued in the emulator before the send
	// outbox gives the host an outbox; closed closes it first (it can
	// store nothing); waiting queues an event of the same alert first.
	outbox, closed, waiting bool
	emptyBody               bool // send a message without a body

	want         host.Outcome
	wantStatus   int
	wantAttempts int
	wantRequests int      // requests the emulator received
	wantQueued   bool     // Result.Queued is set
	wantLost     bool     // Result.Lost
	wantReason   []string // in the Failure's Reason (Sent's too)
	wantErr      []string // in Result.Err
	wantPending  int      // events in the outbox after
	wantLog      []string // in the one error line; none when empty
}

func times(n int, f emulator.Fault) []emulator.Fault {
	out := make([]emulator.Fault, n)
	for i := range out {
		out[i] = f
	}
	return out
}

var sendMatrix = func() []sendRow {
	var (
		e400 = emulator.Fault{Status: 400, Body: invalidBody}
		e404 = emulator.Fault{Status: 404, Body: `{"message":"Not Found"}`}
		e429 = emulator.Fault{Status: 429, Body: `{"status":"throttle event","message":"Requests for this service are arriving too quickly."}`}
		e500 = emulator.Fault{Status: 500}
		e503 = emulator.Fault{Status: 503}
		drop = emulator.Fault{Drop: true}
	)
	const (
		invalid     = "Event object is invalid: 'payload.source' is missing or blank"
		rejected400 = "PagerDuty rejected the event (400 Bad Request): " + invalid
		quickly     = "Requests for this service are arriving too quickly."
		injected503 = "Injected fault: 503 Service Unavailable"
		after3      = " after 3 attempts"
		noAnswer    = "failed to post event to PagerDuty at http://127.0.0.1:"
		queuedFor   = "queued for redelivery: "
		behind      = "queued behind earlier events for this dedup key still waiting for redelivery"
		lost        = " either, so it is lost: "
		closed      = "outbox: cannot queue the event: outbox is closed"
		lostLine    = "pagerduty: an event was lost: pagerduty.sendEvent: "
	)
	return []sendRow{
		{name: "202 accepted", want: host.Accepted, wantStatus: 202, wantAttempts: 1, wantRequests: 1},
		{name: "500 then 202 accepted", faults: []emulator.Fault{e500}, want: host.Accepted, wantStatus: 202, wantAttempts: 2, wantRequests: 2},
		{name: "400 rejected at once", faults: []emulator.Fault{e400}, want: host.Rejected, wantStatus: 400, wantAttempts: 1, wantRequests: 1,
			wantReason: []string{invalid}, wantErr: []string{rejected400}},
		{name: "404 rejected at once", faults: []emulator.Fault{e404}, want: host.Rejected, wantStatus: 404, wantAttempts: 1, wantRequests: 1,
			wantReason: []string{"Not Found"}, wantErr: []string{"PagerDuty rejected the event (404 Not Found): Not Found"}},
		{name: "503 failed after retries", faults: times(attempts, e503), want: host.Failed, wantStatus: 503, wantAttempts: attempts, wantRequests: attempts,
			wantReason: []string{injected503}, wantErr: []string{"(503 Service Unavailable)" + after3 + ": " + injected503}},
		{name: "429 failed after retries", faults: times(attempts, e429), want: host.Failed, wantStatus: 429, wantAttempts: attempts, wantRequests: attempts,
			wantReason: []string{quickly}, wantErr: []string{"(429 Too Many Requests)" + after3 + ": " + quickly}},
		{name: "no answer failed after retries", faults: times(attempts, drop), want: host.Failed, wantAttempts: attempts, wantRequests: attempts,
			wantReason: []string{noAnswer, after3}, wantErr: []string{noAnswer, after3}},

		{name: "outbox: 202 accepted", outbox: true, want: host.Accepted, wantStatus: 202, wantAttempts: 1, wantRequests: 1},
		{name: "outbox: 400 rejected, not queued", outbox: true, faults: []emulator.Fault{e400}, want: host.Rejected, wantStatus: 400, wantAttempts: 1, wantRequests: 1,
			wantReason: []string{invalid}, wantErr: []string{rejected400}},
		{name: "outbox: 429 queued", outbox: true, faults: times(attempts, e429), want: host.Queued, wantStatus: 429, wantAttempts: attempts, wantRequests: attempts,
			wantQueued: true, wantReason: []string{queuedFor + "PagerDuty answered 429 Too Many Requests: " + quickly}, wantErr: []string{"(429 Too Many Requests)" + after3},
			wantPending: 1},
		{name: "outbox: 503 queued", outbox: true, faults: times(attempts, e503), want: host.Queued, wantStatus: 503, wantAttempts: attempts, wantRequests: attempts,
			wantQueued: true, wantReason: []string{queuedFor + "PagerDuty answered 503 Service Unavailable: " + injected503}, wantErr: []string{"(503 Service Unavailable)" + after3},
			wantPending: 1},
		{name: "outbox: no answer queued", outbox: true, faults: times(attempts, drop), want: host.Queued, wantAttempts: attempts, wantRequests: attempts,
			wantQueued: true, wantReason: []string{queuedFor + noAnswer, after3}, wantErr: []string{noAnswer}, wantPending: 1},
		{name: "outbox: queued behind a waiting alert, not sent", outbox: true, waiting: true, want: host.Queued,
			wantQueued: true, wantReason: []string{behind}, wantErr: []string{behind}, wantPending: 2},

		{name: "closed outbox: 202 accepted, nothing lost", outbox: true, closed: true, want: host.Accepted, wantStatus: 202, wantAttempts: 1, wantRequests: 1},
		{name: "closed outbox: 400 rejected, nothing lost", outbox: true, closed: true, faults: []emulator.Fault{e400}, want: host.Rejected, wantStatus: 400, wantAttempts: 1, wantRequests: 1,
			wantReason: []string{invalid}, wantErr: []string{rejected400}},
		{name: "closed outbox: 503 lost", outbox: true, closed: true, faults: times(attempts, e503), want: host.Failed, wantStatus: 503, wantAttempts: attempts, wantRequests: attempts,
			wantLost: true, wantReason: []string{"(503 Service Unavailable)" + after3 + ": " + injected503 + "; the event was not stored in the outbox ", lost + closed},
			wantErr: []string{injected503, lost + closed},
			wantLog: []string{lostLine + "503 Service Unavailable from http://127.0.0.1:", after3, lost + closed}},
		{name: "closed outbox: no answer lost", outbox: true, closed: true, faults: times(attempts, drop), want: host.Failed, wantAttempts: attempts, wantRequests: attempts,
			wantLost: true, wantReason: []string{noAnswer, lost + closed}, wantErr: []string{noAnswer, lost + closed},
			wantLog: []string{lostLine + "no answer from http://127.0.0.1:", after3, lost + closed}},
		{name: "behind a waiting alert, the outbox refuses the event: lost unsent", outbox: true, waiting: true, emptyBody: true, want: host.Failed,
			wantLost: true, wantReason: []string{"not sent, since earlier events for its dedup key wait in the outbox; the event was not stored in the outbox ",
				lost + "outbox: an entry needs a URL, a routing key and a body"},
			wantErr: []string{"not sent, since earlier events"}, wantPending: 1, wantLog: []string{lostLine + "not sent to http://127.0.0.1:", lost}},
	}
}()

func TestHost_Send_FaultMatrix(t *testing.T) {
	for _, tt := range sendMatrix {
		t.Run(tt.name, func(t *testing.T) {
			s := emulatortest.New(t)
			var rec recorder
			h := &host.Host{}
			rec.wire(h)
			var ob *outbox.Outbox
			if tt.outbox {
				ob = openOutbox(t, outbox.Options{})
				h.Outbox = ob
			}
			m, reg := registry(t, nil)
			h.Metrics = m
			msg := alert(s.EventsURL(), "db01/cpu", 2)
			if tt.waiting {
				waiting := alert(s.EventsURL(), "db01/cpu", 1)
				if _, err := ob.Enqueue(outbox.Entry{URL: waiting.URL, RoutingKey: rk, DedupKey: waiting.DedupKey, Body: waiting.Body}); err != nil {
					t.Fatal(err)
				}
			}
			if tt.closed {
				ob.Close()
			}
			if tt.emptyBody {
				msg.Body = nil
			}
			s.Inject(tt.faults...)

			r := h.Send(t.Context(), sender(), msg)

			checkResult(t, tt, r)
			checkTold(t, tt, &rec, msg)
			checkCounted(t, tt, gather(t, reg))
			if n := len(s.Requests()); n != tt.wantRequests {
				t.Errorf("the emulator received %d requests, want %d", n, tt.wantRequests)
			}
			if tt.outbox && !tt.closed {
				if st, err := ob.Stats(); err != nil || st.Pending != tt.wantPending {
					t.Errorf("outbox: %+v, %v; want %d pending", st, err, tt.wantPending)
				}
			}
		})
	}
}

func checkResult(t *testing.T, tt sendRow, r host.Result) {
	t.Helper()
	if r.Status != tt.wantStatus || (r.Queued != "") != tt.wantQueued || r.Lost != tt.wantLost || r.Accepted() != (tt.want == host.Accepted) {
		t.Errorf("Result: status %d, queued %q, lost %v, accepted %v; want status %d, queued %v, lost %v, accepted %v",
			r.Status, r.Queued, r.Lost, r.Accepted(), tt.wantStatus, tt.wantQueued, tt.wantLost, tt.want == host.Accepted)
	}
	if (r.Err == nil) != (tt.want == host.Accepted) {
		t.Errorf("Result.Err = %v; want an error unless accepted", r.Err)
	}
	if r.Lost && r.Response != nil {
		t.Errorf("a lost event's Result has a Response (%d); its answer belongs in Err", r.Response.StatusCode)
	}
	if r.Err != nil {
		for _, want := range tt.wantErr {
			if !strings.Contains(r.Err.Error(), want) {
				t.Errorf("Result.Err lacks %q:\n%v", want, r.Err)
			}
		}
		checkNoKey(t, r.Err.Error())
	}
}

// checkTold checks the Failure, Sent and log line the host was told.
func checkTold(t *testing.T, tt sendRow, rec *recorder, msg host.Message) {
	t.Helper()
	failures, sents, _, logs := rec.get()
	sent := host.Sent{Function: "sendEvent", URL: msg.URL, DedupKey: msg.DedupKey, Action: "trigger", Summary: msg.Summary,
		Outcome: tt.want, Status: tt.wantStatus, Attempts: tt.wantAttempts}
	if diff := cmp.Diff([]host.Sent{sent}, sents, cmpopts.IgnoreFields(host.Sent{}, "Reason")); diff != "" {
		t.Errorf("Sent (-want +got):\n%s", diff)
	}
	var wantFailures []host.Failure
	if tt.want != host.Accepted {
		wantFailures = []host.Failure{{Function: "sendEvent", URL: msg.URL, DedupKey: msg.DedupKey, Status: tt.wantStatus, Attempts: tt.wantAttempts, Queued: tt.wantQueued}}
	}
	if diff := cmp.Diff(wantFailures, failures, cmpopts.IgnoreFields(host.Failure{}, "Reason")); diff != "" {
		t.Errorf("Failures (-want +got):\n%s", diff)
	}
	for _, f := range failures {
		if len(sents) == 1 && sents[0].Reason != f.Reason {
			t.Errorf("Sent.Reason %q differs from the Failure's %q", sents[0].Reason, f.Reason)
		}
		for _, want := range tt.wantReason {
			if !strings.Contains(f.Reason, want) {
				t.Errorf("the Failure's Reason lacks %q:\n%s", want, f.Reason)
			}
		}
		if strings.Contains(f.Reason, "\n") {
			t.Errorf("the Failure's Reason spans lines: %q", f.Reason)
		}
	}
	switch {
	case len(tt.wantLog) == 0 && len(logs) > 0:
		t.Errorf("error lines %q; want none", logs)
	case len(tt.wantLog) > 0 && len(logs) != 1:
		t.Errorf("error lines %q; want one", logs)
	case len(tt.wantLog) > 0:
		for _, want := range tt.wantLog {
			if !strings.Contains(logs[0], want) {
				t.Errorf("the error line lacks %q:\n%s", want, logs[0])
			}
		}
	}
	checkNoKey(t, rec.texts()...)
}

// checkCounted checks the row's metrics: its outcome once, the attempts,
// one duration when a request was sent, and a lost event.
func checkCounted(t *testing.T, tt sendRow, g gathered) {
	t.Helper()
	for _, o := range []host.Outcome{host.Accepted, host.Rejected, host.Queued, host.Failed, host.Invalid} {
		want := 0.0
		if o == tt.want {
			want = 1
		}
		if got := g.events("sendEvent", o); got != want {
			t.Errorf("%s{outcome=%q} = %v, want %v", host.MetricEvents, o, got, want)
		}
	}
	if got := g.value(host.MetricAttempts); got != float64(tt.wantAttempts) {
		t.Errorf("%s = %v, want %d", host.MetricAttempts, got, tt.wantAttempts)
	}
	wantObserved := uint64(0)
	if tt.wantAttempts > 0 {
		wantObserved = 1
	}
	if h := g.histogram(); h.GetSampleCount() != wantObserved {
		t.Errorf("%s has %d samples, want %d", host.MetricDuration, h.GetSampleCount(), wantObserved)
	}
	wantLost := 0.0
	if tt.wantLost {
		wantLost = 1
	}
	if got := g.value(host.MetricStoreErrors); got != wantLost {
		t.Errorf("%s = %v, want %v", host.MetricStoreErrors, got, wantLost)
	}
}
