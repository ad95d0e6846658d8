package emulator

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"sync/atomic"
)

// Server is an Emulator serving HTTP on a TCP listener.
type Server struct {
	*Emulator
	srv  *http.Server
	ln   net.Listener
	url  string
	done chan struct{} // closed when Serve has returned
	err  error         // what Serve returned, other than http.ErrServerClosed

	conns atomic.Int64 // connections accepted
}

// Start listens on addr, such as "127.0.0.1:0" for a free port, and serves
// a new Emulator configured by opts until Close or Shutdown, within the
// limits of opts (timeouts and MaxConns; see limits.go).
func Start(addr string, opts Options) (*Server, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("failed to start the PagerDuty emulator: %w", err)
	}
	e := New(opts)
	e.limits = opts.limits()
	s := &Server{
		Emulator: e,
		srv:      e.limits.Server(e, e.errorLog()),
		// Beyond MaxConns, connections wait in the listen queue until one
		// closes; Close and Shutdown end the wait.
		ln:   e.limits.Listener(ln),
		url:  "http://" + ln.Addr().String(),
		done: make(chan struct{}),
	}
	s.srv.ConnState = func(_ net.Conn, state http.ConnState) {
		if state == http.StateNew {
			s.conns.Add(1)
		}
	}
	go func() {
		defer close(s.done)
		if err := s.srv.Serve(s.ln); !errors.Is(err, http.ErrServerClosed) {
			s.err = err
		}
	}()
	return s, nil
}

// Addr returns the address listened on, such as "127.0.0.1:8787".
func (s *Server) Addr() string { return s.ln.Addr().String() }

// Connections returns the number of TCP connections the server has
// accepted, so that tests can tell whether a client reused a connection.
func (s *Server) Connections() int { return int(s.conns.Load()) }

// URL returns the base URL, such as "http://127.0.0.1:8787".
func (s *Server) URL() string { return s.url }

// EventsURL returns the URL of the alert events endpoint.
func (s *Server) EventsURL() string { return s.url + EventsPath }

// ChangeURL returns the URL of the change events endpoint.
func (s *Server) ChangeURL() string { return s.url + ChangePath }

// Close stops the server at once, closing every connection; requests
// waiting out a delay are canceled.
func (s *Server) Close() error {
	err := s.srv.Close()
	<-s.done
	return errors.Join(err, s.err)
}

// Shutdown stops the server gracefully: it stops accepting connections and
// waits for requests in flight until ctx is done, then closes the rest.
func (s *Server) Shutdown(ctx context.Context) error {
	err := s.srv.Shutdown(ctx)
	if err != nil {
		err = errors.Join(err, s.srv.Close())
	}
	<-s.done
	return errors.Join(err, s.err)
}
