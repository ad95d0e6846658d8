// Package relay is fluxpd relay: an HTTP server that speaks the PagerDuty
// Events API v2 to any sender (stock Flux, Alertmanager, Grafana,
// Kapacitor), validates each event as PagerDuty would, commits it to an
// outbox file (fsynced) before answering 202, and delivers it upstream in
// order per (routing key, dedup key), paced per routing key, with the
// outbox's retries, backoff and dead letters.
//
// The package does not depend on Flux.
package relay

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"sync/atomic"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/fluxpd/fluxpd/internal/outbox"
	"github.com/fluxpd/fluxpd/internal/redact"
)

// Server is a running relay.
type Server struct {
	opts    Options
	log     *slog.Logger
	ob      *outbox.Outbox
	reg     *prometheus.Registry
	metrics *metrics
	limit   *outbox.KeyRate // nil when pacing is off
	commit  committer
	pending *pendingBound
	flusher *flusher
	keys    allowKeys
	health  health

	srv *http.Server
	ln  net.Listener
	url string

	served   chan struct{} // closed when Serve has returned
	serveErr error

	stopping atomic.Bool    // Close began: /readyz says so, accepts are refused
	inflight sync.WaitGroup // accept requests being handled
	closeMu  sync.Mutex
	closed   bool
	closeErr error
}

// Start opens the outbox, starts the flusher and listens, and returns once
// the relay accepts requests. ctx bounds the start only; Close stops the
// relay.
func Start(ctx context.Context, opts Options) (*Server, error) {
	opts, err := opts.withDefaults()
	if err != nil {
		return nil, err
	}
	s := &Server{opts: opts, log: newLogger(opts), reg: prometheus.NewRegistry(), served: make(chan struct{})}
	if s.keys, err = newAllowKeys(opts.AllowKeys); err != nil {
		return nil, err
	}
	if s.limit, err = newLimiter(opts.Rate); err != nil {
		return nil, err
	}
	if err := s.openOutbox(); err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		_ = s.ob.Close()
		return nil, err
	}
	if err := s.listen(); err != nil {
		_ = s.ob.Close()
		return nil, err
	}
	s.startWork()
	go s.serve()
	s.logStart()
	return s, nil
}

// logStart logs what the relay serves and how, in one line.
func (s *Server) logStart() {
	o := s.opts
	keys := "any"
	if o.AllowKeys != nil {
		keys = fmt.Sprint(len(o.AllowKeys))
	}
	commit := "each"
	if o.GroupCommit {
		commit = "group"
	}
	s.log.Info("relay: listening", "url", s.url, "upstream", redact.URL(o.Upstream), "outbox", o.OutboxPath,
		"rate", o.Rate, "max_pending", o.MaxPending, "commit", commit, "allowed_keys", keys, "pending", s.pending.estimate())
}

// startWork starts the committer and the flusher.
func (s *Server) startWork() {
	s.commit = newCommitter(s.ob, s.opts.GroupCommit, s.metrics)
	s.flusher = newFlusher(s)
	s.flusher.start()
}

// listen opens the listener and builds the HTTP server.
func (s *Server) listen() error {
	ln, err := net.Listen("tcp", s.opts.Addr)
	if err != nil {
		return fmt.Errorf("relay: cannot listen on --addr %s: %w", s.opts.Addr, err)
	}
	scheme := "http"
	if s.opts.TLSCert != "" {
		cert, err := tls.LoadX509KeyPair(s.opts.TLSCert, s.opts.TLSKey)
		if err != nil {
			_ = ln.Close()
			return fmt.Errorf("relay: cannot load --tls-cert %s and --tls-key %s: %w", s.opts.TLSCert, s.opts.TLSKey, err)
		}
		ln = tls.NewListener(ln, &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12})
		scheme = "https"
	}
	// Beyond MaxConns, connections wait in the listen queue until one
	// closes: no crowd of clients can hold the server.
	s.ln = s.opts.limits().Listener(ln)
	s.url = scheme + "://" + ln.Addr().String()
	s.srv = s.httpServer()
	return nil
}

func (s *Server) serve() {
	defer close(s.served)
	if err := s.srv.Serve(s.ln); !errors.Is(err, http.ErrServerClosed) {
		s.serveErr = err
		s.log.Error("relay: serving stopped", "error", err.Error())
	}
}

// URL returns the relay's base URL, such as http://127.0.0.1:8788.
func (s *Server) URL() string { return s.url }

// OutboxPath returns the outbox file's path.
func (s *Server) OutboxPath() string { return s.opts.OutboxPath }

// Upstream returns the base URL events are delivered to.
func (s *Server) Upstream() string { return s.opts.Upstream }

// Close stops the relay gracefully: it stops accepting connections and
// requests, lets the requests in flight finish (each event committed and
// answered, or refused: never half), stops the flusher (a send in flight
// is cut short and its event stays queued), and closes the outbox. When
// ctx ends first, the remaining connections are closed; the events of
// requests still committing are committed or not, and those requests are
// not answered 202. Close is safe to call more than once.
func (s *Server) Close(ctx context.Context) error {
	s.closeMu.Lock()
	defer s.closeMu.Unlock()
	if s.closed {
		return s.closeErr
	}
	s.closed = true
	s.stopping.Store(true)
	err := s.srv.Shutdown(ctx)
	if err != nil {
		err = errors.Join(err, s.srv.Close())
	}
	<-s.served
	s.inflight.Wait() // handlers outlive a forced Close; their commits end
	s.commit.close()
	s.flusher.stop()
	err = errors.Join(err, s.serveErr, s.ob.Close())
	s.closeErr = err
	s.log.Info("relay: stopped")
	return err
}
