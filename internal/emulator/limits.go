package emulator

import (
	"errors"
	"fmt"
	"net"
	"net/http"
	"time"

	"github.com/fluxpd/fluxpd/internal/serve"
)

// limits are the server limits of Options, the defaults (package serve)
// filled in.
func (o Options) limits() serve.Limits {
	return serve.Limits{
		ReadHeaderTimeout: o.ReadHeaderTimeout, ReadTimeout: o.ReadTimeout,
		WriteTimeout: o.WriteTimeout, IdleTimeout: o.IdleTimeout, MaxConns: o.MaxConns,
	}.Or(serve.Defaults)
}

// holdOpen lets an events request wait out delay before its answer, once
// its body has been read. It lifts the read deadline, whose work is done
// (left in place, it would cancel the request when it passed during the
// delay), and moves the write deadline to the write timeout after the
// delay. It does nothing for an emulator not started by Start.
func (e *Emulator) holdOpen(w http.ResponseWriter, delay time.Duration) {
	if e.limits.WriteTimeout == 0 {
		return
	}
	rc := http.NewResponseController(w)
	_ = rc.SetReadDeadline(time.Time{})
	_ = rc.SetWriteDeadline(time.Now().Add(delay + e.limits.WriteTimeout))
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
	if e.limits.ReadTimeout > 0 {
		msg = fmt.Sprintf("the request body did not arrive within %s (the emulator's read timeout)", e.limits.ReadTimeout)
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
