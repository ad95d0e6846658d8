package relaytest

import (
	"bufio"
	"bytes"
	"io"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/fluxpd/fluxpd/internal/emulator"
)

// maxTapBody caps what the tap reads of a request body: PagerDuty's
// 512000-byte limit on an event, with room for the emulator to see and
// refuse a larger one.
const maxTapBody = 1 << 20

// Upstream is fluxpd's emulator on 127.0.0.1, standing in for PagerDuty
// behind a relay, with a tap that counts the load events it answered 202,
// as they are answered, for tests that act on progress (such as killing
// the relay at given points of a load). Faults, outages and what it
// received are the Emulator's.
type Upstream struct {
	*emulator.Emulator
	URL string // base URL, the relay's --upstream

	srv *http.Server
	mu  sync.Mutex
	got map[Mark]int // 202 answers per load event
}

// StartUpstream serves a new emulator configured by opts on a free
// loopback port.
func StartUpstream(opts emulator.Options) (*Upstream, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	u := &Upstream{Emulator: emulator.New(opts), URL: "http://" + ln.Addr().String(), got: map[Mark]int{}}
	// A bound on reading headers only: the emulator's own delays (latency,
	// faults) must not be cut by a write timeout.
	u.srv = &http.Server{Handler: http.HandlerFunc(u.serve), ReadHeaderTimeout: time.Minute}
	go func() { _ = u.srv.Serve(ln) }()
	return u, nil
}

// Close stops the server, closing every connection.
func (u *Upstream) Close() error { return u.srv.Close() }

// Delivered returns how many distinct load events were answered 202.
func (u *Upstream) Delivered() int {
	u.mu.Lock()
	defer u.mu.Unlock()
	return len(u.got)
}

func (u *Upstream) serve(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path != emulator.EventsPath {
		u.Emulator.ServeHTTP(w, r)
		return
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, maxTapBody))
	if err != nil {
		http.Error(w, "cannot read the request body", http.StatusBadRequest)
		return
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	sw := &statusWriter{ResponseWriter: w}
	u.Emulator.ServeHTTP(sw, r)
	if sw.status != http.StatusAccepted {
		return
	}
	if m, ok := ReadMark(body); ok {
		u.mu.Lock()
		u.got[m]++
		u.mu.Unlock()
	}
}

// statusWriter records the status answered. It passes Hijack through: the
// emulator's faults drop connections.
type statusWriter struct {
	http.ResponseWriter
	status int
}

func (s *statusWriter) WriteHeader(code int) {
	if s.status == 0 {
		s.status = code
	}
	s.ResponseWriter.WriteHeader(code)
}

func (s *statusWriter) Write(b []byte) (int, error) {
	if s.status == 0 {
		s.status = http.StatusOK
	}
	return s.ResponseWriter.Write(b)
}

func (s *statusWriter) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	return http.NewResponseController(s.ResponseWriter).Hijack()
}

func (s *statusWriter) Unwrap() http.ResponseWriter { return s.ResponseWriter }
