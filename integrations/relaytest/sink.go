package relaytest

import (
	"fmt"
	"io"
	"net"
	"net/http"
	"sync"
	"time"
)

// Sink is an upstream that answers every event 202 at once, as PagerDuty
// does, and keeps only counts: the instant upstream of the benchmarks,
// cheap enough not to weigh on the relay it shares the machine with. It
// checks, per alert, that the load's events arrive in order. Held, it
// answers 503 instead, as PagerDuty in an outage, and counts nothing.
//
// A relay delivers each event to the upstream URL it was stored with, so
// a queue built behind a held upstream is drained by holding, then
// releasing, one Sink.
type Sink struct {
	URL string // base URL, the relay's --upstream

	srv  *http.Server
	mu   sync.Mutex
	held bool
	st   SinkStats
	got  map[Mark]int
	hi   map[int]int // per alert, the highest seq received
}

// SinkStats is what a Sink received.
type SinkStats struct {
	Requests   int       // every request to /v2/enqueue
	Distinct   int       // distinct load events
	Unmarked   int       // bodies without a load Mark
	OutOfOrder int       // events older than one of their alert already received
	Last       time.Time // when the last request arrived
}

// sinkHeld is the answer of a held Sink.
const sinkHeld = `{"status":"error","message":"upstream held"}`

// sinkAnswer is PagerDuty's answer to an accepted event (without the
// dedup key, which a relay does not need back).
const sinkAnswer = `{"status":"success","message":"Event processed"}`

// StartSink serves a Sink on a free loopback port.
func StartSink() (*Sink, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	s := &Sink{URL: "http://" + ln.Addr().String(), got: map[Mark]int{}, hi: map[int]int{}}
	s.srv = &http.Server{Handler: s, ReadHeaderTimeout: time.Minute}
	go func() { _ = s.srv.Serve(ln) }()
	return s, nil
}

// Close stops the sink.
func (s *Sink) Close() error { return s.srv.Close() }

// Hold makes the sink answer 503 (true) or 202 (false).
func (s *Sink) Hold(held bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.held = held
}

// Stats returns what the sink received so far.
func (s *Sink) Stats() SinkStats {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.st
}

// Problems describes what the sink saw wrong: events without a Mark or
// out of order; empty when none.
func (st SinkStats) Problems() string {
	if st.Unmarked == 0 && st.OutOfOrder == 0 {
		return ""
	}
	return fmt.Sprintf("%d bodies without a load mark, %d events out of their alert's order", st.Unmarked, st.OutOfOrder)
}

// ServeHTTP answers an event 202 and counts it.
func (s *Sink) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(io.LimitReader(r.Body, maxTapBody))
	if err != nil {
		http.Error(w, "cannot read the request body", http.StatusBadRequest)
		return
	}
	m, ok := ReadMark(body)
	s.mu.Lock()
	if s.held {
		s.mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusServiceUnavailable)
		_, _ = io.WriteString(w, sinkHeld)
		return
	}
	s.st.Requests++
	s.st.Last = time.Now()
	switch {
	case !ok:
		s.st.Unmarked++
	case m.Seq < s.hi[m.Alert]:
		s.st.OutOfOrder++
	default:
		s.hi[m.Alert] = m.Seq
	}
	if ok {
		s.got[m]++
		s.st.Distinct = len(s.got)
	}
	s.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusAccepted)
	_, _ = io.WriteString(w, sinkAnswer)
}
