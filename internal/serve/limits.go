// Package serve holds what fluxpd's long-running HTTP servers (the
// emulator, the relay) do alike: bound what one client can hold of them.
// No client can hold a connection for long without sending, and no crowd
// of clients can open connections without bound.
//
// The package does not depend on Flux.
package serve

import (
	"log"
	"net"
	"net/http"
	"time"

	"golang.org/x/net/netutil"
)

// Limits bound what clients can hold of a server. A zero field takes its
// default (see Or).
type Limits struct {
	// ReadHeaderTimeout bounds reading a request's headers.
	ReadHeaderTimeout time.Duration
	// ReadTimeout bounds reading a whole request.
	ReadTimeout time.Duration
	// WriteTimeout bounds a request from the end of its headers to the
	// end of its answer.
	WriteTimeout time.Duration
	// IdleTimeout bounds a kept-alive connection between requests.
	IdleTimeout time.Duration
	// MaxConns bounds the connections served at once; more wait in the
	// listen queue until one closes.
	MaxConns int
}

// The default limits.
const (
	DefaultReadHeaderTimeout = 10 * time.Second
	// DefaultReadTimeout is ample for the largest event PagerDuty
	// accepts (512000 bytes) on any link.
	DefaultReadTimeout  = 30 * time.Second
	DefaultWriteTimeout = 30 * time.Second
	// DefaultIdleTimeout is longer than the 90 seconds after which Go's
	// http.Transport (DefaultTransport's IdleConnTimeout) closes an idle
	// connection itself, so that a Go client is not surprised by a close.
	DefaultIdleTimeout = 2 * time.Minute
	// DefaultMaxConns is far more than any sender keeps open to PagerDuty.
	DefaultMaxConns = 256
)

// Defaults are the default limits.
var Defaults = Limits{
	ReadHeaderTimeout: DefaultReadHeaderTimeout,
	ReadTimeout:       DefaultReadTimeout,
	WriteTimeout:      DefaultWriteTimeout,
	IdleTimeout:       DefaultIdleTimeout,
	MaxConns:          DefaultMaxConns,
}

// Or returns l with each field that is zero or less taken from d.
func (l Limits) Or(d Limits) Limits {
	return Limits{
		ReadHeaderTimeout: positiveOr(l.ReadHeaderTimeout, d.ReadHeaderTimeout),
		ReadTimeout:       positiveOr(l.ReadTimeout, d.ReadTimeout),
		WriteTimeout:      positiveOr(l.WriteTimeout, d.WriteTimeout),
		IdleTimeout:       positiveOr(l.IdleTimeout, d.IdleTimeout),
		MaxConns:          positiveOr(l.MaxConns, d.MaxConns),
	}
}

func positiveOr[T int | time.Duration](v, def T) T {
	if v <= 0 {
		return def
	}
	return v
}

// Server returns an http.Server serving h within l's timeouts, logging
// its own errors (a failed TLS handshake, say) to errLog.
func (l Limits) Server(h http.Handler, errLog *log.Logger) *http.Server {
	return &http.Server{
		Handler:           h,
		ReadHeaderTimeout: l.ReadHeaderTimeout,
		ReadTimeout:       l.ReadTimeout,
		WriteTimeout:      l.WriteTimeout,
		IdleTimeout:       l.IdleTimeout,
		ErrorLog:          errLog,
	}
}

// Listener returns ln accepting at most l.MaxConns connections at once:
// beyond, they wait in the listen queue until one closes (closing ln ends
// the wait).
func (l Limits) Listener(ln net.Listener) net.Listener {
	return netutil.LimitListener(ln, l.MaxConns)
}
