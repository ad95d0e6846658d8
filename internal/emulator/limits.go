package emulator

import (
	"errors"
	"fmt"
	"net"
	"net/http"
	"time"
)

// Defaults of the server limits in Options, for an emulator a user leaves
// running: no client can hold a connection for long without sending, and
// no crowd of clients can open connections without bound.
const (
	// DefaultReadHeaderTimeout bounds reading a request's headers.
	DefaultReadHeaderTimeout = 10 * time.Second
	// DefaultReadTimeout bounds reading a whole request: ample for the
	// largest event PagerDuty accepts (512000 bytes) on any link.
	DefaultReadTimeout = 30 * time.Second
	// DefaultWriteTimeout bounds writing an answer, after the latency and
	// any fault delay.
	DefaultWriteTimeout = 30 * time.Second
	// DefaultIdleTimeout bounds a kept-alive connection between requests.
	// It is longer than the 90 seconds after which Go's http.Transport
	// (DefaultTransport's IdleConnTimeout) closes an idle connection
	// itself, so that a Go client is not surprised by the close.
	DefaultIdleTimeout = 2 * time.Minute
	// DefaultMaxConns bounds the connections served at once: far more
	// than any sender keeps open to PagerDuty.
	DefaultMaxConns = 256
)

// limits are the server limits of Options, with the defaults filled in.
type limits struct {
	readHeader, read, write, idle time.Duration
	maxConns                      int
}

func (o Options) limits() limits {
	return limits{
		readHeader: positiveOr(o.ReadHeaderTimeout, DefaultReadHeaderTimeout),
		read:       positiveOr(o.ReadTimeout, DefaultReadTimeout),
		write:      positiveOr(o.WriteTimeout, DefaultWriteTimeout),
		idle:       positiveOr(o.IdleTimeout, DefaultIdleTimeout),
		maxConns:   positiveOr(o.MaxConns, DefaultMaxConns),
	}
}

func positiveOr[T int | time.Duration](v, def T) T {
	if v <= 0 {
		return def
	}
	return v
}

// httpServer returns the http.Server of Start, serving e within l.
func (e *Emulator) httpServer(l limits) *http.Server {
	return &http.Server{
		Handler:           e,
		ReadHeaderTimeout: l.readHeader,
		ReadTimeout:       l.read,
		WriteTimeout:      l.write,
		IdleTimeout:       l.idle,
		ErrorLog:          e.errorLog(),
	}
}

// holdOpen lets an events request wait out delay before its answer, once
// its body has been read. It lifts the read deadline, whose work is done
// (left in place, it would cancel the request when it passed during the
// delay), and moves the write deadline to the write timeout after the
// delay. It does nothing for an emulator not started by Start.
func (e *Emulator) holdOpen(w http.ResponseWriter, delay time.Duration) {
	if e.limits.write == 0 {
		return
	}
	rc := http.NewResponseController(w)
	_ = rc.SetReadDeadline(time.Time{})
	_ = rc.SetWriteDeadline(time.Now().Add(delay + e.limits.write))
}

// timedOut reports whether err, from reading a request body, is the read
// deadline passing.
func timedOut(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

// serveTimedOut records and answers an events request whose body did not
// arrive before the read timeout: 408, and the connection is closed. It
// takes no fault and waits no latency: the client is too slow already.
func (e *Emulator) serveTimedOut(w http.ResponseWriter, r *http.Request, body []byte, kind string) {
	msg := "the request body did not arrive before the emulator's read timeout"
	if e.limits.read > 0 {
		msg = fmt.Sprintf("the request body did not arrive within %s (the emulator's read timeout)", e.limits.read)
	}
	req := e.newRequest(r, body, event{kind: kind})
	e.mu.Lock()
	e.record(req)
	e.mu.Unlock()
	e.finish(req, func() {
		req.Status, req.Verdict, req.Errors = http.StatusRequestTimeout, VerdictRejected, []string{msg}
	})
	w.Header().Set("Connection", "close")
	writeJSON(w, http.StatusRequestTimeout, errorBody{Status: "error", Message: "Request Timeout", Errors: []string{msg}})
}
