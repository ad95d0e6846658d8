package emulator_test

import (
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/fluxpd/fluxpd/internal/emulator"
	"github.com/fluxpd/fluxpd/internal/emulator/emulatortest"
	"github.com/fluxpd/fluxpd/internal/testwait"
)

// short is the timeout the tests below give the server, so that they need
// not wait out a default. Nothing checks that it is kept to: a test only
// waits, up to testwait.Limit, for the server to act on it.
const short = 100 * time.Millisecond

// awaitClose reads conn until the server closes it and returns what was
// read. It fails the test if the connection is still open after
// testwait.Limit.
func awaitClose(t *testing.T, what string, conn net.Conn) string {
	t.Helper()
	if err := conn.SetReadDeadline(time.Now().Add(testwait.Limit())); err != nil {
		t.Fatal(err)
	}
	out, err := io.ReadAll(conn)
	if errors.Is(err, os.ErrDeadlineExceeded) {
		t.Fatalf("awaited the server closing the connection of %s; it was still open after %s, having sent %q", what, testwait.Limit(), out)
	}
	return string(out) // a reset (err != nil) is a close too
}

func dial(t *testing.T, addr string) net.Conn {
	t.Helper()
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatalf("dial %s: %v", addr, err)
	}
	t.Cleanup(func() { conn.Close() })
	return conn
}

func write(t *testing.T, conn net.Conn, s string) {
	t.Helper()
	if _, err := io.WriteString(conn, s); err != nil {
		t.Fatalf("writing %q: %v", s, err)
	}
}

func TestServer_ReadTimeout_StalledBody(t *testing.T) {
	var log syncBuffer
	s := emulatortest.New(t, emulator.Options{ReadTimeout: short, Log: &log})
	conn := dial(t, s.Addr())
	write(t, conn, "POST /v2/enqueue HTTP/1.1\r\nHost: emulator\r\nContent-Type: application/json\r\n"+
		"Content-Length: 200\r\n\r\n{\"routing_key\":\""+key+"\"")

	answer := awaitClose(t, "a client that stalls its body", conn)
	if !strings.HasPrefix(answer, "HTTP/1.1 408 ") {
		t.Errorf("answer = %q, want a 408 before the close", answer)
	}
	want := fmt.Sprintf("the request body did not arrive within %s (the emulator's read timeout)", short)
	reqs := s.Requests()
	if len(reqs) != 1 || reqs[0].Status != 408 || reqs[0].Verdict != emulator.VerdictRejected || len(reqs[0].Errors) != 1 || reqs[0].Errors[0] != want {
		t.Fatalf("requests = %+v, want one rejected with 408 and %q", reqs, want)
	}
	if !strings.Contains(log.String(), "POST /v2/enqueue 408 ") || !strings.Contains(log.String(), want) {
		t.Errorf("the log lacks the timeout:\n%s", log.String())
	}
	if code, body := post(t, s.EventsURL(), trigger()); code != 202 {
		t.Errorf("after the stalled client: status %d, body %s; want 202", code, body)
	}
}

func TestServer_ReadHeaderTimeout_StalledHeaders(t *testing.T) {
	s := emulatortest.New(t, emulator.Options{ReadHeaderTimeout: short})
	conn := dial(t, s.Addr())
	write(t, conn, "POST /v2/enqueue HTTP/1.1\r\nHost: emul")
	awaitClose(t, "a client that stalls its headers", conn)
	if n := len(s.Requests()); n != 0 {
		t.Errorf("%d requests recorded, want none: the headers never ended", n)
	}
}

func TestServer_IdleTimeout(t *testing.T) {
	s := emulatortest.New(t, emulator.Options{IdleTimeout: short})
	conn := dial(t, s.Addr())
	write(t, conn, "GET /_emulator/latency HTTP/1.1\r\nHost: emulator\r\n\r\n")
	answer := awaitClose(t, "a kept-alive connection left idle", conn)
	if !strings.HasPrefix(answer, "HTTP/1.1 200 ") || !strings.Contains(answer, `"latency"`) {
		t.Errorf("answer before the close = %q, want the 200 of /_emulator/latency", answer)
	}
}

// TestServer_DelayOutlastsTimeouts checks that the latency and fault delays
// are not cut short by the read and write timeouts: the read timeout's
// work ends with the body, and the write timeout counts from the delay's
// end. Both timeouts are long enough for a busy machine to read and write
// a small request in; the delay is longer still.
func TestServer_DelayOutlastsTimeouts(t *testing.T) {
	const readTimeout, writeTimeout = time.Second, 2 * time.Second
	s := emulatortest.New(t, emulator.Options{ReadTimeout: readTimeout, WriteTimeout: writeTimeout})
	s.Inject(emulator.Fault{Status: 503, Delay: writeTimeout + time.Second})
	if code, body := post(t, s.EventsURL(), trigger()); code != 503 {
		t.Errorf("status %d, body %s; want the fault's 503 after its delay", code, body)
	}
	if r := s.Requests(); len(r) != 1 || r[0].Verdict != emulator.VerdictFault {
		t.Errorf("requests = %+v, want one answered by the fault", r)
	}
}

// TestServer_MaxConns holds the only connection allowed and checks that a
// second client is not served until it closes, and that the server serves
// others afterwards.
func TestServer_MaxConns(t *testing.T) {
	s := emulatortest.New(t, emulator.Options{MaxConns: 1})
	held := dial(t, s.Addr())
	write(t, held, "GET /_emulator/latency HTTP/1.1\r\nHost: emulator\r\n\r\n")
	testwait.Until(t, "the first connection to be served", func() (bool, string) {
		n := s.Connections()
		return n == 1, fmt.Sprintf("%d connections accepted", n)
	})

	tr := &http.Transport{}
	t.Cleanup(tr.CloseIdleConnections)
	client := &http.Client{Transport: tr}
	done := make(chan int, 1)
	go func() {
		res, err := client.Post(s.EventsURL(), "application/json", strings.NewReader(trigger()))
		if err != nil {
			t.Errorf("the second client: %v", err)
			done <- 0
			return
		}
		res.Body.Close()
		done <- res.StatusCode
	}()
	// While the slot is held the second client cannot be served, however
	// long it waits; this only looks for a while.
	select {
	case code := <-done:
		t.Fatalf("the second client was answered %d while the only connection allowed was held", code)
	case <-time.After(3 * short):
	}
	if n := s.Connections(); n != 1 {
		t.Errorf("%d connections accepted while the only one allowed was held, want 1", n)
	}

	held.Close()
	if code := testwait.Recv(t, "the second client's answer once the first connection closed", done); code != 202 {
		t.Errorf("the second client: status %d, want 202", code)
	}
	tr.CloseIdleConnections()
	if code, body := post(t, s.EventsURL(), trigger()); code != 202 {
		t.Errorf("a third client: status %d, body %s; want 202", code, body)
	}
}
