package emulator_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/fluxpd/fluxpd/internal/emulator"
	"github.com/fluxpd/fluxpd/internal/emulator/emulatortest"
	"github.com/fluxpd/fluxpd/internal/testwait"
)

func TestEmulator_Faults_Queue(t *testing.T) {
	s := emulatortest.New(t)
	s.Inject(
		emulator.Fault{Status: 503, Header: map[string]string{"Retry-After": "7"}},
		emulator.Fault{Status: 429, Body: `{"status":"throttle event"}`},
		emulator.Fault{Drop: true},
		emulator.Fault{Status: 200, Body: `{"status":"success","message":"Event processed"}`, DropMidResponse: true},
	)

	res := postRaw(t, s.EventsURL(), trigger())
	b, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != 503 || res.Header.Get("Retry-After") != "7" || !strings.Contains(string(b), "Injected fault: 503 Service Unavailable") {
		t.Errorf("fault 1: status %d, Retry-After %q, body %s", res.StatusCode, res.Header.Get("Retry-After"), b)
	}
	if code, body := post(t, s.EventsURL(), trigger()); code != 429 || body != `{"status":"throttle event"}` {
		t.Errorf("fault 2: status %d, body %s", code, body)
	}
	if res, err := http.Post(s.EventsURL(), "application/json", strings.NewReader(trigger())); err == nil {
		res.Body.Close()
		t.Errorf("fault 3 (drop): got status %d, want a transport error", res.StatusCode)
	}
	res = postRaw(t, s.EventsURL(), trigger())
	_, err := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != 200 || !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Errorf("fault 4 (drop mid-response): status %d, read error %v; want 200, unexpected EOF", res.StatusCode, err)
	}
	if code, _ := post(t, s.EventsURL(), trigger()); code != 202 {
		t.Errorf("after the faults: status %d, want 202", code)
	}

	want := []emulator.Verdict{"fault", "fault", "fault", "fault", "accepted"}
	if diff := cmp.Diff(want, verdicts(s.Emulator)); diff != "" {
		t.Errorf("verdicts mismatch (-want +got):\n%s", diff)
	}
	var reasons []string
	for _, r := range s.Requests() {
		reasons = append(reasons, r.Reason)
	}
	wantReasons := []string{
		"injected fault: 503",
		"injected fault: 429",
		"injected fault: connection dropped without a response",
		"injected fault: connection dropped in the middle of a 200 response",
		"opened a new alert",
	}
	if diff := cmp.Diff(wantReasons, reasons); diff != "" {
		t.Errorf("reasons mismatch (-want +got):\n%s", diff)
	}
	if a := s.Alerts(); len(a) != 1 || a[0].Count != 1 {
		t.Errorf("faults changed alert state: %+v", a)
	}
}

func postRaw(t *testing.T, url, body string) *http.Response {
	t.Helper()
	res, err := http.Post(url, "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatalf("POST %s: %v", url, err)
	}
	return res
}

func TestEmulator_Faults_OverHTTP(t *testing.T) {
	s := emulatortest.New(t)
	code, body := post(t, s.URL()+"/_emulator/faults", `[{"status":500,"body":"oops"},{"status":429,"header":{"Retry-After":"1"},"delay":"1ms"}]`)
	if code != 200 {
		t.Fatalf("POST /_emulator/faults: status %d, body %s", code, body)
	}
	var queued struct{ Queued []emulator.Fault }
	if err := json.Unmarshal([]byte(get(t, s.URL()+"/_emulator/faults")), &queued); err != nil {
		t.Fatal(err)
	}
	want := []emulator.Fault{{Status: 500, Body: "oops"}, {Status: 429, Header: map[string]string{"Retry-After": "1"}, Delay: time.Millisecond}}
	if diff := cmp.Diff(want, queued.Queued); diff != "" {
		t.Errorf("queued faults mismatch (-want +got):\n%s", diff)
	}
	if code, body := post(t, s.EventsURL(), trigger()); code != 500 || body != "oops" {
		t.Errorf("first: %d %s", code, body)
	}
	if code, _ := post(t, s.ChangeURL(), change()); code != 429 {
		t.Errorf("second: %d, want 429", code)
	}
	if code, _ := post(t, s.EventsURL(), trigger()); code != 202 {
		t.Errorf("third: %d, want 202", code)
	}

	// A single object is accepted too, and DELETE empties the queue.
	post(t, s.URL()+"/_emulator/faults", `{"drop":true}`)
	if n := len(s.Faults()); n != 1 {
		t.Errorf("after posting one fault: %d queued, want 1", n)
	}
	req, _ := http.NewRequest(http.MethodDelete, s.URL()+"/_emulator/faults", nil)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if n := len(s.Faults()); n != 0 {
		t.Errorf("after DELETE: %d queued, want 0", n)
	}
}

func TestEmulator_Faults_InvalidScript(t *testing.T) {
	s := emulatortest.New(t)
	for _, body := range []string{
		`[{"status":500,"retry_after":"1"}]`,
		`[{"delay":"soon"}]`,
		`[{"delay":"-1s"}]`,
		`[{"status":42}]`,
		`[{"drop":true,"drop_mid_response":true}]`,
		`[{"drop":true,"drop_after":3}]`,
		`[{"drop_mid_response":true,"drop_after":3}]`,
		`[{"drop_after":-1}]`,
		`not json`,
	} {
		if code, resp := post(t, s.URL()+"/_emulator/faults", body); code != 400 {
			t.Errorf("POST /_emulator/faults %s: status %d, want 400 (%s)", body, code, resp)
		}
	}
	if n := len(s.Faults()); n != 0 {
		t.Errorf("invalid scripts queued %d faults", n)
	}
}

func TestEmulator_Latency(t *testing.T) {
	s := emulatortest.New(t)
	req, _ := http.NewRequest(http.MethodPut, s.URL()+"/_emulator/latency", strings.NewReader(`{"latency":"30ms"}`))
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if got := s.Latency(); got != 30*time.Millisecond {
		t.Fatalf("latency = %s, want 30ms", got)
	}
	if got := get(t, s.URL()+"/_emulator/latency"); !strings.Contains(got, `"latency": "30ms"`) {
		t.Errorf("GET /_emulator/latency = %s", got)
	}
	start := time.Now()
	post(t, s.EventsURL(), trigger())
	if d := time.Since(start); d < 30*time.Millisecond {
		t.Errorf("answer took %s, want at least the 30ms latency", d)
	}
	if code, _ := post(t, s.URL()+"/_emulator/latency", `{"latency":"fast"}`); code != 400 {
		t.Errorf("invalid latency: status %d, want 400", code)
	}
}

// TestEmulator_Delay_ClientGone checks that a delay stops as soon as the
// client gives up, and that the request is recorded as canceled. The
// client gives up once the emulator holds its request.
func TestEmulator_Delay_ClientGone(t *testing.T) {
	for _, tt := range []struct {
		name  string
		setup func(*emulator.Server)
	}{
		{"fault delay", func(s *emulator.Server) { s.Inject(emulator.Fault{Status: 500, Delay: time.Hour}) }},
		{"latency", func(s *emulator.Server) { s.SetLatency(time.Hour) }},
	} {
		t.Run(tt.name, func(t *testing.T) {
			s := emulatortest.New(t)
			tt.setup(s)
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			go func() {
				defer cancel()
				for len(s.Requests()) == 0 && ctx.Err() == nil {
					time.Sleep(time.Millisecond)
				}
			}()
			req, _ := http.NewRequestWithContext(ctx, http.MethodPost, s.EventsURL(), strings.NewReader(trigger()))
			if res, err := http.DefaultClient.Do(req); err == nil {
				res.Body.Close()
				t.Fatalf("got status %d, want the request given up", res.StatusCode)
			}
			testwait.Until(t, "the emulator to notice that the client went away", func() (bool, string) {
				v := verdicts(s.Emulator)
				return len(v) > 0 && v[0] != emulator.VerdictPending, fmt.Sprintf("verdicts %v", v)
			})
			if got := s.Requests()[0]; got.Verdict != emulator.VerdictCanceled || got.Status != 0 {
				t.Errorf("request: verdict %q, status %d; want canceled, 0", got.Verdict, got.Status)
			}
			if len(s.Alerts()) != 0 {
				t.Errorf("a canceled request opened an alert")
			}
		})
	}
}

func TestFault_JSON(t *testing.T) {
	f := emulator.Fault{Status: 503, Body: "b", Header: map[string]string{"Retry-After": "2"}, Delay: 1500 * time.Millisecond, DropMidResponse: true}
	b, err := json.Marshal(f)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"status":503,"body":"b","header":{"Retry-After":"2"},"delay":"1.5s","drop_mid_response":true}`
	if string(b) != want {
		t.Errorf("Marshal = %s, want %s", b, want)
	}
	var got emulator.Fault
	if err := json.Unmarshal(b, &got); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(f, got); diff != "" {
		t.Errorf("round trip mismatch (-want +got):\n%s", diff)
	}
}

func TestFault_JSON_DropAfter(t *testing.T) {
	f := emulator.Fault{Status: 500, DropAfter: 11}
	b, err := json.Marshal(f)
	if err != nil {
		t.Fatal(err)
	}
	if want := `{"status":500,"drop_after":11}`; string(b) != want {
		t.Errorf("Marshal = %s, want %s", b, want)
	}
	var got emulator.Fault
	if err := json.Unmarshal(b, &got); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(f, got); diff != "" {
		t.Errorf("round trip mismatch (-want +got):\n%s", diff)
	}
}

// TestEmulator_Faults_DropAfter reads what a DropAfter fault sends before
// it closes the connection: exactly its first bytes.
func TestEmulator_Faults_DropAfter(t *testing.T) {
	for _, tt := range []struct {
		name  string
		fault emulator.Fault
		want  string
	}{
		{name: "inside the status line", fault: emulator.Fault{Status: 500, DropAfter: 11}, want: "HTTP/1.1 50"},
		{name: "longer than the response", fault: emulator.Fault{Status: 202, Body: "{}", DropAfter: 1000},
			want: "HTTP/1.1 202 Accepted\r\nContent-Length: 2\r\nContent-Type: application/json\r\n\r\n{}"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			s := emulatortest.New(t)
			s.Inject(tt.fault)
			conn, err := net.Dial("tcp", s.Addr())
			if err != nil {
				t.Fatal(err)
			}
			defer conn.Close()
			body := trigger()
			fmt.Fprintf(conn, "POST /v2/enqueue HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%s", len(body), body)
			_ = conn.SetReadDeadline(time.Now().Add(testwait.Limit()))
			got, err := io.ReadAll(conn)
			if err != nil {
				t.Fatalf("reading until the emulator closes: %v", err)
			}
			if string(got) != tt.want {
				t.Errorf("received %q, want %q", got, tt.want)
			}
		})
	}
}
