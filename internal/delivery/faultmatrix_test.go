package delivery_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/fluxpd/fluxpd/internal/delivery"
	"github.com/fluxpd/fluxpd/internal/emulator"
	"github.com/fluxpd/fluxpd/internal/emulator/emulatortest"
	"github.com/fluxpd/fluxpd/internal/event"
	"github.com/fluxpd/fluxpd/internal/testwait"
)

// faultRow is one row of the fault matrix: what the emulator is made to do,
// and what Send, the fake clock and the emulator's alert state show after.
type faultRow struct {
	name   string
	faults []emulator.Fault // queued in the emulator before Send
	// url, if set, gives the URL sent to instead of the emulator's.
	url            func(t testing.TB, emu *emulator.Server) string
	invalid        bool          // send an event without payload.source
	attemptTimeout time.Duration // 0: the default
	cancelInSleep  bool          // cancel the context when Send starts waiting
	maxAlloc       uint64        // if set, the most Send may allocate, in bytes
	check          func(t *testing.T, resp *delivery.Response)

	wantStatus   int           // the returned Response's status; 0: no Response
	wantKind     delivery.Kind // 0: success
	wantFlags    []string      // the *Error's predicates that hold (Temporary)
	wantErr      []string      // quoted in the error text
	wantIs       error         // wrapped by the error
	wantAttempts int
	wantWaits    []time.Duration    // the fake clock's sleeps
	wantVerdicts []emulator.Verdict // what the emulator made of each request
	wantCount    int                // Count of the one alert; 0: no alert
	note         string             // more of the result, for the table
}

// faultMatrix is the fault matrix of the README. Jitter is fixed at half the
// ceiling (half), so the backoff waits are 0.5 s, 1 s, 2 s.
var faultMatrix = func() []faultRow {
	const s = time.Second
	var (
		fault, accepted, rejected = emulator.VerdictFault, emulator.VerdictAccepted, emulator.VerdictRejected
		e500                      = emulator.Fault{Status: 500}
		e503                      = emulator.Fault{Status: 503}
		backoff3                  = []time.Duration{s / 2, s, 2 * s}
	)
	return []faultRow{
		{name: "500, then 202", faults: []emulator.Fault{e500},
			wantStatus: 202, wantAttempts: 2, wantWaits: []time.Duration{s / 2}, wantVerdicts: []emulator.Verdict{fault, accepted}, wantCount: 1},
		{name: "503 four times", faults: []emulator.Fault{e503, e503, e503, e503},
			wantStatus: 503, wantKind: delivery.KindHTTP, wantFlags: []string{"Temporary"}, wantErr: []string{"(503 Service Unavailable) after 4 attempts"},
			wantAttempts: 4, wantWaits: backoff3, wantVerdicts: []emulator.Verdict{fault, fault, fault, fault}},
		{name: "429 with Retry-After: 2, then 202", faults: []emulator.Fault{{Status: 429, Header: map[string]string{"Retry-After": "2"}}},
			wantStatus: 202, wantAttempts: 2, wantWaits: []time.Duration{2 * s}, wantVerdicts: []emulator.Verdict{fault, accepted}, wantCount: 1},
		{name: "429 without Retry-After, then 202", faults: []emulator.Fault{{Status: 429}},
			wantStatus: 202, wantAttempts: 2, wantWaits: []time.Duration{s / 2}, wantVerdicts: []emulator.Verdict{fault, accepted}, wantCount: 1},
		{name: "400: the emulator rejects an event without payload.source", invalid: true,
			wantStatus: 400, wantKind: delivery.KindHTTP,
			wantErr:      []string{"(400 Bad Request): Event object is invalid: 'payload.source' is missing or blank"},
			wantAttempts: 1, wantVerdicts: []emulator.Verdict{rejected}},
		{name: "connection refused (closed 127.0.0.1 listener)", url: func(t testing.TB, _ *emulator.Server) string { u, _ := closedURL(t); return u },
			wantKind: delivery.KindTransport, wantFlags: []string{"Temporary"}, wantErr: []string{"after 4 attempts: dial tcp", "connect: connection refused"},
			wantIs: syscall.ECONNREFUSED, wantAttempts: 4, wantWaits: backoff3},
		{name: "connection dropped before any answer, then 202", faults: []emulator.Fault{{Drop: true}},
			wantStatus: 202, wantAttempts: 2, wantWaits: []time.Duration{s / 2}, wantVerdicts: []emulator.Verdict{fault, accepted}, wantCount: 1},
		{name: "connection dropped in the middle of a 500, then 202", faults: []emulator.Fault{{DropMidResponse: true}},
			wantStatus: 202, wantAttempts: 2, wantWaits: []time.Duration{s / 2}, wantVerdicts: []emulator.Verdict{fault, accepted}, wantCount: 1},
		{name: "answer held for 10 min, attempt timeout 50 ms, then 202", faults: []emulator.Fault{{Delay: 10 * time.Minute}}, attemptTimeout: 50 * time.Millisecond,
			wantStatus: 202, wantAttempts: 2, wantWaits: []time.Duration{s / 2}, wantVerdicts: []emulator.Verdict{emulator.VerdictCanceled, accepted}, wantCount: 1,
			note: "the first attempt gave up after 50ms of real time"},
		{name: "202 with the body `not json`", faults: []emulator.Fault{{Status: 202, Body: "not json"}}, check: checkUnparsed,
			wantStatus: 202, wantAttempts: 1, wantVerdicts: []emulator.Verdict{fault},
			note: "Body kept, parsed fields empty; no alert because an injected fault never changes alerts, even a 202"},
		{name: "202 with a 50 MB body (streamed by a wrapper around the emulator)", url: hugeAnswer(50 << 20), check: checkCapped, maxAlloc: 4 << 20,
			wantStatus: 202, wantAttempts: 1, wantVerdicts: []emulator.Verdict{accepted}, wantCount: 1,
			note: "Body cut to MaxBodySize (64 KiB), dedup_key still read"},
		{name: "query canceled during the backoff after a 503", faults: []emulator.Fault{e503}, cancelInSleep: true,
			wantStatus: 503, wantKind: delivery.KindCanceled, wantErr: []string{"after 1 attempt: context canceled (last answer: 503 Service Unavailable)"},
			wantIs: context.Canceled, wantAttempts: 1, wantVerdicts: []emulator.Verdict{fault},
			note: "wraps context.Canceled; the 500ms wait is abandoned, no second attempt"},
		redirectRow(301, "Moved Permanently"),
		redirectRow(302, "Found"),
		redirectRow(307, "Temporary Redirect"),
		redirectRow(308, "Permanent Redirect"),
		{name: "event applied but its 202 lost (connection dropped), then 202", url: lostAnswer,
			wantStatus: 202, wantAttempts: 2, wantWaits: []time.Duration{s / 2}, wantVerdicts: []emulator.Verdict{accepted, accepted}, wantCount: 2,
			note: "at-least-once: the retry is deduplicated into the same alert"},
	}
}()

// matrixRun is one row of faultMatrix made ready to send: the emulator
// with the row's faults, the URL, the event and a sender whose fake clock
// records the waits.
type matrixRun struct {
	emu    *emulator.Server
	url    string
	body   []byte
	ctx    context.Context
	clock  *fakeClock
	sender *delivery.Sender
}

func newMatrixRun(t testing.TB, tt faultRow) matrixRun {
	t.Helper()
	emu := emulatortest.New(t)
	emu.Inject(tt.faults...)
	url := emu.EventsURL()
	if tt.url != nil {
		url = tt.url(t, emu)
	}
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	clock := newFakeClock()
	sender := newSender(t, clock)
	if tt.cancelInSleep {
		sender.Clock = cancelingClock{clock, cancel}
	}
	if tt.attemptTimeout > 0 {
		sender.Policy.AttemptTimeout = tt.attemptTimeout
	}
	return matrixRun{emu: emu, url: url, body: matrixEvent(t, tt.invalid), ctx: ctx, clock: clock, sender: sender}
}

// TestSender_Send_FaultMatrix runs every row of faultMatrix against the
// emulator, with a fake clock that records the waits. How long each row
// takes in real time (only attempt timeouts are real) is measured by
// BenchmarkSender_Send_FaultMatrix.
func TestSender_Send_FaultMatrix(t *testing.T) {
	for _, tt := range faultMatrix {
		t.Run(tt.name, func(t *testing.T) {
			m := newMatrixRun(t, tt)
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			resp, err := m.sender.Send(m.ctx, m.url, m.body, routingKey)
			runtime.ReadMemStats(&after)

			checkOutcome(t, tt, resp, err)
			if diff := cmp.Diff(tt.wantWaits, m.clock.slept()); diff != "" {
				t.Errorf("waits mismatch (-want +got):\n%s", diff)
			}
			if alloc := after.TotalAlloc - before.TotalAlloc; tt.maxAlloc > 0 && alloc > tt.maxAlloc {
				t.Errorf("Send() allocated %d bytes, want at most %d", alloc, tt.maxAlloc)
			}
			if tt.check != nil && resp != nil {
				tt.check(t, resp)
			}
			checkEmulator(t, tt, m.emu, m.body)
		})
	}
}

// BenchmarkSender_Send_FaultMatrix measures the real time of one Send for
// each row of faultMatrix: every wait is on the fake clock, so a row takes
// milliseconds, or a little over its attempt timeout; seconds would mean a
// real wait.
func BenchmarkSender_Send_FaultMatrix(b *testing.B) {
	for _, tt := range faultMatrix {
		b.Run(tt.name, func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				b.StopTimer()
				it := &iteration{TB: b}
				m := newMatrixRun(it, tt)
				b.StartTimer()
				_, _ = m.sender.Send(m.ctx, m.url, m.body, routingKey)
				b.StopTimer()
				it.end()
				b.StartTimer()
			}
		})
	}
}

// iteration is one iteration of a benchmark loop: it runs the cleanups
// registered with it when it ends, not when the benchmark does, so that
// emulators and connections do not pile up over b.N iterations.
type iteration struct {
	testing.TB
	cleanups []func()
}

func (it *iteration) Cleanup(f func()) { it.cleanups = append(it.cleanups, f) }

func (it *iteration) end() {
	for i := len(it.cleanups) - 1; i >= 0; i-- {
		it.cleanups[i]()
	}
}

// checkOutcome checks what Send returned.
func checkOutcome(t *testing.T, tt faultRow, resp *delivery.Response, err error) {
	t.Helper()
	switch {
	case tt.wantStatus == 0 && resp != nil:
		t.Errorf("Send() response = %+v, want none", resp)
	case tt.wantStatus != 0 && (resp == nil || resp.StatusCode != tt.wantStatus || resp.Attempts != tt.wantAttempts):
		t.Errorf("Send() response = %+v, want status %d after %d attempts", resp, tt.wantStatus, tt.wantAttempts)
	}
	if tt.wantKind == 0 {
		if err != nil {
			t.Errorf("Send() error = %v, want nil", err)
		}
		return
	}
	e := asError(t, err)
	if e.Kind != tt.wantKind || e.Attempts != tt.wantAttempts || e.StatusCode != tt.wantStatus {
		t.Errorf("Send() error = %#v, want kind %v after %d attempts, status %d", e, tt.wantKind, tt.wantAttempts, tt.wantStatus)
	}
	if diff := cmp.Diff(tt.wantFlags, flags(e)); diff != "" {
		t.Errorf("error predicates mismatch (-want +got):\n%s", diff)
	}
	for _, s := range tt.wantErr {
		if !strings.Contains(err.Error(), s) {
			t.Errorf("Send() error = %q, want it to contain %q", err, s)
		}
	}
	if tt.wantIs != nil && !errors.Is(err, tt.wantIs) {
		t.Errorf("Send() error = %v, want it to wrap %v", err, tt.wantIs)
	}
	if strings.Contains(err.Error(), routingKey) {
		t.Errorf("Send() error = %q leaks the routing key", err)
	}
}

// flags lists the predicates of e that hold.
func flags(e *delivery.Error) []string {
	var out []string
	for _, p := range []struct {
		name string
		ok   bool
	}{{"Temporary", e.Temporary()}} {
		if p.ok {
			out = append(out, p.name)
		}
	}
	return out
}

// alertView is what the matrix checks of an emulator alert.
type alertView struct {
	DedupKey, Status string
	Count, History   int
}

// checkEmulator checks what the emulator received, that every request
// carried the identical body, and that the alert state counts the event
// exactly as often as the emulator applied it.
func checkEmulator(t *testing.T, tt faultRow, emu *emulator.Server, body []byte) {
	t.Helper()
	var verdicts []emulator.Verdict
	for _, r := range settledRequests(t, emu) {
		verdicts = append(verdicts, r.Verdict)
		if string(r.Body) != string(body) {
			t.Errorf("request #%d carried a different body than the event sent", r.ID)
		}
	}
	if diff := cmp.Diff(tt.wantVerdicts, verdicts); diff != "" {
		t.Errorf("emulator verdicts mismatch (-want +got):\n%s", diff)
	}
	var want, got []alertView
	if tt.wantCount > 0 {
		want = []alertView{{matrixDedupKey, emulator.StatusTriggered, tt.wantCount, tt.wantCount}}
	}
	for _, a := range emu.Alerts() {
		got = append(got, alertView{a.DedupKey, a.Status, a.Count, len(a.History)})
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("emulator alerts mismatch (-want +got):\n%s", diff)
	}
}

// settledRequests returns the emulator's requests once none is pending: the
// emulator marks a request canceled when it notices that the client went
// away, which can be just after Send has moved on.
func settledRequests(t *testing.T, emu *emulator.Server) []emulator.Request {
	t.Helper()
	pending := func(r emulator.Request) bool { return r.Verdict == emulator.VerdictPending }
	var reqs []emulator.Request
	testwait.Until(t, "the emulator to settle every request", func() (bool, string) {
		reqs = emu.Requests()
		n := 0
		for _, r := range reqs {
			if pending(r) {
				n++
			}
		}
		return n == 0, fmt.Sprintf("%d of %d requests pending", n, len(reqs))
	})
	return reqs
}

// matrixDedupKey is the dedup key of the matrix's event.
const matrixDedupKey = "srv01/HTTP"

// matrixEvent builds and encodes the trigger sent in every row. An invalid
// one has its source blanked after Build, so that only the emulator's own
// validation stands between it and an alert.
func matrixEvent(t testing.TB, invalid bool) []byte {
	t.Helper()
	ev, _, err := event.Build(event.Input{
		RoutingKey: routingKey, EventAction: event.Trigger, DedupKey: matrixDedupKey,
		Summary: "DISK at 99% on srv01", Source: "srv01.example.com", Severity: event.Critical,
	})
	if err != nil {
		t.Fatalf("event.Build() error = %v", err)
	}
	if invalid {
		ev.Payload.Source = ""
	}
	body, err := event.Encode(ev)
	if err != nil {
		t.Fatalf("event.Encode() error = %v", err)
	}
	return body
}

// cancelingClock is a fake clock whose Sleep cancels the call's context
// first: the query is canceled while Send waits between attempts.
type cancelingClock struct {
	*fakeClock
	cancel context.CancelFunc
}

func (c cancelingClock) Sleep(ctx context.Context, d time.Duration) error {
	c.cancel()
	return c.fakeClock.Sleep(ctx, d)
}

// hugeAnswer serves the emulator behind a wrapper that pads its answer with
// spaces to size bytes, streamed from one small buffer. An emulator Fault
// cannot do this: it answers instead of the emulator, so the event would
// not reach the alert state, and its answer would not be the emulator's.
func hugeAnswer(size int) func(testing.TB, *emulator.Server) string {
	return func(t testing.TB, emu *emulator.Server) string {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			rec := httptest.NewRecorder()
			emu.ServeHTTP(rec, r)
			w.Header().Set("Content-Type", rec.Header().Get("Content-Type"))
			w.Header().Set("Content-Length", strconv.Itoa(size))
			w.WriteHeader(rec.Code)
			n, _ := w.Write(rec.Body.Bytes())
			pad := []byte(strings.Repeat(" ", 32<<10))
			for n < size {
				m, err := w.Write(pad[:min(len(pad), size-n)])
				if n += m; err != nil {
					return // the client closed the connection, as it should
				}
			}
		}))
		t.Cleanup(srv.Close)
		return srv.URL + emulator.EventsPath
	}
}

// redirectRow is the row of a server that answers status with a Location
// naming the emulator, which must receive nothing: following a 301 or 302
// would turn the POST into a body-less GET, and a 307 or 308 would re-post
// the routing key to wherever Location points.
func redirectRow(status int, text string) faultRow {
	return faultRow{
		name: fmt.Sprintf("%d redirect to the emulator's URL", status),
		url: func(t testing.TB, emu *emulator.Server) string {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				http.Redirect(w, r, emu.EventsURL(), status)
			}))
			t.Cleanup(srv.Close)
			return srv.URL + emulator.EventsPath
		},
		wantStatus: status, wantKind: delivery.KindRedirect,
		wantErr:      []string{fmt.Sprintf(`answered %d %s redirecting to "http://127.0.0.1:`, status, text), "the redirect was not followed"},
		wantAttempts: 1,
		note:         "not followed, not retried: the emulator (the Location) received nothing",
	}
}

// lostAnswer serves the emulator behind a wrapper that lets it apply the
// first request and then drops the connection instead of answering: the
// event reached PagerDuty, the 202 did not reach the sender.
func lostAnswer(t testing.TB, emu *emulator.Server) string {
	var dropped atomic.Bool
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if dropped.Swap(true) {
			emu.ServeHTTP(w, r)
			return
		}
		emu.ServeHTTP(httptest.NewRecorder(), r)
		conn, _, err := http.NewResponseController(w).Hijack()
		if err != nil {
			t.Errorf("hijack: %v", err)
			return
		}
		_ = conn.Close()
	}))
	t.Cleanup(srv.Close)
	return srv.URL + emulator.EventsPath
}

// checkUnparsed checks that a 202 that is not JSON is kept as is.
func checkUnparsed(t *testing.T, resp *delivery.Response) {
	want := &delivery.Response{StatusCode: 202, Body: "not json", Attempts: 1}
	if diff := cmp.Diff(want, resp); diff != "" {
		t.Errorf("Send() response mismatch (-want +got):\n%s", diff)
	}
}

// checkCapped checks that only MaxBodySize bytes of a huge answer were kept,
// enough to read the emulator's JSON at its start.
func checkCapped(t *testing.T, resp *delivery.Response) {
	if len(resp.Body) != delivery.MaxBodySize || resp.DedupKey != matrixDedupKey {
		t.Errorf("Send() body length = %d, dedup key = %q; want %d, %q",
			len(resp.Body), resp.DedupKey, delivery.MaxBodySize, matrixDedupKey)
	}
}

// TestSender_Send_FaultMatrixDoc checks that docs/fault-matrix.md holds the
// table rendered from faultMatrix, so that the README's numbers are the
// ones asserted above.
func TestSender_Send_FaultMatrixDoc(t *testing.T) {
	doc, err := os.ReadFile("../../docs/fault-matrix.md")
	if err != nil {
		t.Fatal(err)
	}
	if table := matrixTable(); !strings.Contains(string(doc), table) {
		t.Errorf("docs/fault-matrix.md does not contain the fault matrix; want this table in it:\n%s", table)
	}
}

// matrixTable renders faultMatrix as a markdown table.
func matrixTable() string {
	var b strings.Builder
	b.WriteString("| fault | result | attempts | waited | alert state |\n|---|---|---|---|---|\n")
	for _, tt := range faultMatrix {
		fmt.Fprintf(&b, "| %s | %s | %s | %s | %s |\n", tt.name, resultText(tt), attemptsText(tt), waitedText(tt.wantWaits), alertText(tt.wantCount))
	}
	return b.String()
}

func resultText(tt faultRow) string {
	res := "no Response"
	if tt.wantStatus != 0 {
		res = strconv.Itoa(tt.wantStatus)
	}
	if tt.wantKind == 0 {
		res += ", no error"
	} else {
		res += ", `*Error` " + tt.wantKind.String()
		if len(tt.wantFlags) > 0 {
			res += " (" + strings.Join(tt.wantFlags, ", ") + ")"
		}
	}
	parts := []string{res}
	if len(tt.wantErr) > 0 {
		parts = append(parts, "error says `"+strings.Join(tt.wantErr, "` … `")+"`")
	}
	if tt.maxAlloc > 0 {
		parts = append(parts, fmt.Sprintf("Send allocated under %d MiB", tt.maxAlloc>>20))
	}
	if tt.note != "" {
		parts = append(parts, tt.note)
	}
	return strings.Join(parts, "; ")
}

func attemptsText(tt faultRow) string {
	if len(tt.wantVerdicts) == 0 {
		return fmt.Sprintf("%d (Error.Attempts; none reached the emulator)", tt.wantAttempts)
	}
	v := make([]string, len(tt.wantVerdicts))
	for i, s := range tt.wantVerdicts {
		v[i] = string(s)
	}
	return fmt.Sprintf("%d (%s)", tt.wantAttempts, strings.Join(v, ", "))
}

func waitedText(waits []time.Duration) string {
	var total time.Duration
	parts := make([]string, len(waits))
	for i, w := range waits {
		total += w
		parts[i] = w.String()
	}
	switch len(waits) {
	case 0:
		return "0"
	case 1:
		return total.String()
	}
	return fmt.Sprintf("%v (%s)", total, strings.Join(parts, " + "))
}

func alertText(count int) string {
	if count == 0 {
		return "no alert"
	}
	return fmt.Sprintf("one alert `%s`, Count %d", matrixDedupKey, count)
}
