package relay_test

import (
	"errors"
	"io"
	"net"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/fluxpd/fluxpd/internal/event"
	"github.com/fluxpd/fluxpd/internal/relay"
	"github.com/fluxpd/fluxpd/internal/testwait"
)

// short is the timeout the tests below give the relay, so that they need
// not wait out a default. Nothing checks that it is kept to: a test only
// waits, up to testwait.Limit, for the relay to act on it.
const short = 100 * time.Millisecond

// awaitClose reads conn until the relay closes it and returns what was
// read.
func awaitClose(t *testing.T, what string, conn net.Conn) string {
	t.Helper()
	if err := conn.SetReadDeadline(time.Now().Add(testwait.Limit())); err != nil {
		t.Fatal(err)
	}
	out, err := io.ReadAll(conn)
	if errors.Is(err, os.ErrDeadlineExceeded) {
		t.Fatalf("awaited the relay closing the connection of %s; it was still open after %s, having sent %q", what, testwait.Limit(), out)
	}
	return string(out) // a reset (err != nil) is a close too
}

func dialRelay(t *testing.T, url string) net.Conn {
	t.Helper()
	conn, err := net.Dial("tcp", strings.TrimPrefix(url, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	return conn
}

// TestRelay_Limits_StalledClients: a client that stalls its headers is
// disconnected, one that stalls its body is answered 408 and
// disconnected; nothing is stored, and the relay serves others.
func TestRelay_Limits_StalledClients(t *testing.T) {
	r := start(t, relay.Options{ReadHeaderTimeout: short, ReadTimeout: 2 * short})
	headers := dialRelay(t, r.URL())
	if _, err := io.WriteString(headers, "POST /v2/enqueue HTTP/1.1\r\nHost: relay\r\n"); err != nil {
		t.Fatal(err)
	}
	body := dialRelay(t, r.URL())
	if _, err := io.WriteString(body, "POST /v2/enqueue HTTP/1.1\r\nHost: relay\r\nContent-Type: application/json\r\nContent-Length: 200\r\n\r\n{\"routing_key\":\""+keyA+"\""); err != nil {
		t.Fatal(err)
	}
	awaitClose(t, "a client that stalls its headers", headers)
	if answer := awaitClose(t, "a client that stalls its body", body); !strings.HasPrefix(answer, "HTTP/1.1 408 ") {
		t.Errorf("answer to a stalled body: %q, want 408", answer)
	}
	assertNothingStored(t, r)
	if a := post(t, r.URL(), event.AlertPath, trigger(keyA, "after", 1)); a.Code != 202 {
		t.Errorf("after the stalled clients: %+v, want 202", a)
	}
	if log := r.log.String(); !strings.Contains(log, "did not arrive within 200ms") || strings.Contains(log, keyA) {
		t.Errorf("log: want the timeout, no routing key:\n%s", log)
	}
}
