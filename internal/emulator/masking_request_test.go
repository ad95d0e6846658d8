package emulator_test

import (
	"io"
	"net"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/fluxpd/fluxpd/internal/emulator"
	"github.com/fluxpd/fluxpd/internal/emulator/emulatortest"
	"github.com/fluxpd/fluxpd/internal/testwait"
)

// rawExchange sends one HTTP/1.1 request, written by hand so that any
// request target and method can be sent, on a new connection to addr, and
// returns everything the server answered until it closed the connection.
func rawExchange(t *testing.T, addr, method, target, reqBody string) string {
	t.Helper()
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatalf("dial %s: %v", addr, err)
	}
	defer conn.Close()
	req := method + " " + target + " HTTP/1.1\r\nHost: " + addr + "\r\nConnection: close\r\n" +
		"Content-Type: application/json\r\nContent-Length: " + strconv.Itoa(len(reqBody)) + "\r\n\r\n" + reqBody
	if _, err := io.WriteString(conn, req); err != nil {
		t.Fatalf("writing the request: %v", err)
	}
	if err := conn.SetReadDeadline(time.Now().Add(testwait.Limit())); err != nil {
		t.Fatal(err)
	}
	out, err := io.ReadAll(conn)
	if err != nil {
		t.Fatalf("awaited the answer and the close of the connection; got %q, then %v", out, err)
	}
	return string(out)
}

// surfaces returns everything the emulator prints or serves: its log, its
// summary, the JSON views and the inbox page.
func surfaces(t *testing.T, s *emulator.Server, log *syncBuffer) map[string]string {
	t.Helper()
	var summary strings.Builder
	if err := s.WriteSummary(&summary); err != nil {
		t.Fatal(err)
	}
	return map[string]string{
		"log":                 log.String(),
		"WriteSummary":        summary.String(),
		"/_emulator/requests": get(t, s.URL()+"/_emulator/requests"),
		"/_emulator/alerts":   get(t, s.URL()+"/_emulator/alerts"),
		"/_emulator/summary":  get(t, s.URL()+"/_emulator/summary"),
		"inbox page":          get(t, s.URL()+"/"),
	}
}

// TestEmulator_MasksKeysInRequestTargets sends routing keys where senders
// of other APIs put them, in the path and the query, and checks that the
// log (which records the path of an unknown endpoint) shows them masked.
func TestEmulator_MasksKeysInRequestTargets(t *testing.T) {
	tests := []struct{ target, wantLog string }{
		{"/x/" + key + ".json", "POST /x/" + keyMask + ".json 404"},
		{"/x;" + key, "POST /x;" + keyMask + " 404"},
		{"/v2/enqueue/" + key, "POST /v2/enqueue/" + keyMask + " 404"},
		{"/integration/" + key + "/enqueue?x=1", "POST /integration/" + keyMask + "/enqueue 404"},
		{"/x/key=" + key + "&y", "POST /x/key=" + keyMask + "&y 404"},
		{"/v2/enqueue?routing_key=" + key, "POST /v2/enqueue 202"},
		{"/x?" + key, "POST /x 404"},
		{"/_emulator/" + key, ""}, // answered 404 without logging
	}
	for _, tt := range tests {
		t.Run(tt.target, func(t *testing.T) {
			var log syncBuffer
			s := emulatortest.New(t, emulator.Options{Log: &log})
			answer := rawExchange(t, s.Addr(), "POST", tt.target, trigger())
			for name, out := range surfaces(t, s, &log) {
				if strings.Contains(out, key) {
					t.Errorf("%s leaks the routing key of the request target:\n%s", name, out)
				}
			}
			if strings.Contains(answer, key) {
				t.Errorf("the answer leaks the routing key:\n%s", answer)
			}
			if got := log.String(); !strings.Contains(got, tt.wantLog) {
				t.Errorf("log = %q, want it to contain %q", got, tt.wantLog)
			}
		})
	}
}

// TestEmulator_MasksKeysSentAsMethod sends a routing key, and other odd
// strings, as the HTTP method to every kind of endpoint, and checks that
// nothing the emulator prints, serves or answers shows it.
func TestEmulator_MasksKeysSentAsMethod(t *testing.T) {
	const dotted = "k3yA.0123.4567.89ab.cdef.ghij.kl" // no run long enough to look like a key
	methods := []string{key, dotted, strings.Repeat("X", 5000)}
	targets := []string{"/v2/enqueue", "/v2/change/enqueue", "/_emulator/requests", "/", "/nowhere"}
	var log syncBuffer
	s := emulatortest.New(t, emulator.Options{Log: &log})
	var answers strings.Builder
	for _, m := range methods {
		for _, target := range targets {
			answers.WriteString(rawExchange(t, s.Addr(), m, target, trigger()))
		}
	}
	all := surfaces(t, s, &log)
	all["answers"] = answers.String()
	for name, out := range all {
		for _, secret := range methods {
			if strings.Contains(out, secret) || strings.Contains(out, secret[:20]) {
				t.Errorf("%s shows the method %.20q… unmasked:\n%.3000s", name, secret, out)
			}
		}
	}
	// The rejected events say what was wrong, with the method masked.
	reqs := s.Requests()
	if len(reqs) != 2*len(methods) {
		t.Fatalf("%d requests recorded, want %d (one per method on each events endpoint)", len(reqs), 2*len(methods))
	}
	want := "method k3yA***********… is not allowed (use POST)"
	if r := reqs[0]; r.Status != 405 || len(r.Errors) != 1 || r.Errors[0] != want {
		t.Errorf("request #1: status %d, errors %q; want 405 and %q", r.Status, r.Errors, want)
	}
	if !strings.Contains(all["log"], "k3yA***********… /v2/enqueue 405") {
		t.Errorf("the log lacks the masked method of request #1:\n%s", all["log"])
	}
}

// TestEmulator_KeepsKnownMethods checks that masking the method leaves the
// methods a person expects to read alone.
func TestEmulator_KeepsKnownMethods(t *testing.T) {
	var log syncBuffer
	s := emulatortest.New(t, emulator.Options{Log: &log})
	for _, m := range []string{"PUT", "PROPFIND"} {
		rawExchange(t, s.Addr(), m, "/v2/enqueue", trigger())
	}
	for _, want := range []string{"method PUT is not allowed (use POST)", "method PROPFIND is not allowed (use POST)"} {
		if !strings.Contains(log.String(), want) {
			t.Errorf("log lacks %q:\n%s", want, log.String())
		}
	}
}
