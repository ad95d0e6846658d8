// Package serverhost is the part of fluxpd's InfluxDB builds
// (integrations/influxd, integrations/influxd2) that does not depend on
// InfluxDB: the server's pagerduty defaults read from the environment
// (FLUXPD_PAGERDUTY_URL, FLUXPD_PAGERDUTY_CHANGE_URL), the outbox
// (FLUXPD_OUTBOX, FLUXPD_OUTBOX_RETRY, FLUXPD_OUTBOX_RETRY_MAX) and its
// background flusher, the lines fluxpd writes to the server's log, and the
// function every query's context is prepared with.
//
// Each build keeps only what is its own: where its data lives (the
// directory the default outbox goes in), its logger, and the assignment
// lang.PrepareContext = s.PrepareContext (lang.PrepareContext exists only
// in the derived flux those builds link; this package compiles against
// stock flux).
package serverhost

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/influxdata/flux"
	"github.com/influxdata/flux/ast"

	"github.com/fluxpd/fluxpd/internal/outbox"
	"github.com/fluxpd/fluxpd/stdlib/pagerduty"
)

// The environment variables holding the server's default PagerDuty URLs.
// A script's own options (option pagerduty.defaultURL = ...) and arguments
// (pagerdutyURL:, url:) still win.
const (
	URLEnv       = "FLUXPD_PAGERDUTY_URL"
	ChangeURLEnv = "FLUXPD_PAGERDUTY_CHANGE_URL"
)

// The outbox: events PagerDuty did not take (429, 5xx, no answer) wait in
// a bbolt file next to InfluxDB's own data and are redelivered in the
// background, in order per alert.
const (
	// OutboxEnv overrides the outbox file; "off" turns the outbox off.
	OutboxEnv = "FLUXPD_OUTBOX"
	// OutboxRetryEnv sets the first redelivery backoff (a Go duration,
	// doubling up to the maximum); unset: the outbox default, 30s.
	OutboxRetryEnv = "FLUXPD_OUTBOX_RETRY"
	// OutboxRetryMaxEnv caps the backoff; unset: the outbox default, 10m.
	OutboxRetryMaxEnv = "FLUXPD_OUTBOX_RETRY_MAX"
	// OutboxFile is the default file name, in the directory the server
	// names (see FromEnv).
	OutboxFile = "fluxpd-outbox.db"
	// FlushInterval is how often the flusher looks for due events (shorter
	// when FLUXPD_OUTBOX_RETRY is shorter).
	FlushInterval = 10 * time.Second
)

// Server is fluxpd's state inside one InfluxDB server: the defaults every
// query gets, the outbox (nil when off) and the server's log.
type Server struct {
	// Host is what PrepareContext puts in the context of every query that
	// imports "pagerduty"; Host.Outbox is the outbox, nil when off.
	Host pagerduty.Host
	// Interval is how often the flusher looks for due events.
	Interval time.Duration

	log atomic.Pointer[Log]
	// held keeps the error lines written before the server's log exists,
	// to be written to it too once it does (SetLog).
	mu   sync.Mutex
	held []string
}

// Log is the server's logger, as functions writing one line each. Error,
// for what needs an operator (a damaged outbox moved aside), may be nil:
// Warn then writes those lines.
type Log struct {
	Info, Warn, Error func(msg string)
}

// FromEnv reads and validates the server's pagerduty defaults, then opens
// the outbox. A bad default URL is an error naming its variables, returned
// before anything is opened; so is a bad FLUXPD_OUTBOX_RETRY[_MAX] or an
// outbox that cannot be opened.
//
// Unless $FLUXPD_OUTBOX names a file (or is "off"), the outbox is
// OutboxFile in the directory outboxDir returns. outboxDir's ok is false
// when the server's arguments or configuration do not parse: the server
// then refuses them itself, and FromEnv returns no outbox and no error.
func FromEnv(outboxDir func() (dir string, ok bool)) (*Server, error) {
	s := &Server{}
	s.Host = pagerduty.Host{URL: os.Getenv(URLEnv), ChangeURL: os.Getenv(ChangeURLEnv), Report: s.Report, Note: s.Note}
	if err := s.Host.Validate(); err != nil {
		return nil, fmt.Errorf("refusing to start: %v (set by $%s / $%s)", err, URLEnv, ChangeURLEnv)
	}
	ob, interval, err := s.openOutbox(outboxDir)
	if err != nil {
		return nil, err
	}
	s.Host.Outbox, s.Interval = ob, interval
	return s, nil
}

// openOutbox opens the server's outbox, or returns nil when it is off. An
// outbox that cannot be opened is an error that stops the start; a
// damaged one is moved aside and a fresh one opened in its place
// (outbox.OpenOrQuarantine), which the server's log says at error level.
func (s *Server) openOutbox(outboxDir func() (string, bool)) (*pagerduty.Outbox, time.Duration, error) {
	opts := pagerduty.OutboxOptions{Log: s.Info, Warn: s.Warn}
	interval := FlushInterval
	for _, d := range []struct {
		env string
		to  *time.Duration
	}{{OutboxRetryEnv, &opts.BaseDelay}, {OutboxRetryMaxEnv, &opts.MaxDelay}} {
		v := strings.TrimSpace(os.Getenv(d.env))
		if v == "" {
			continue
		}
		t, err := time.ParseDuration(v)
		if err != nil || t <= 0 {
			return nil, 0, fmt.Errorf("refusing to start: $%s=%q is not a positive duration such as 30s", d.env, v)
		}
		*d.to = t
	}
	if opts.BaseDelay > 0 {
		interval = min(interval, opts.BaseDelay)
	}
	if opts.BaseDelay > 0 && opts.MaxDelay > 0 && opts.MaxDelay < opts.BaseDelay {
		return nil, 0, fmt.Errorf("refusing to start: $%s (%s) is shorter than $%s (%s)", OutboxRetryMaxEnv, opts.MaxDelay, OutboxRetryEnv, opts.BaseDelay)
	}
	path := strings.TrimSpace(os.Getenv(OutboxEnv))
	switch {
	case strings.EqualFold(path, "off"):
		return nil, 0, nil
	case path == "":
		dir, ok := outboxDir()
		if !ok {
			return nil, 0, nil // the server reports the bad arguments
		}
		path = filepath.Join(dir, OutboxFile)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, 0, outboxRefusal(path, err)
	}
	ob, q, err := outbox.OpenOrQuarantine(path, opts)
	if err != nil {
		return nil, 0, outboxRefusal(path, err)
	}
	if q != nil {
		s.Error("pagerduty " + q.String())
	}
	return ob, interval, nil
}

func outboxRefusal(path string, err error) error {
	return fmt.Errorf("refusing to start: cannot open the pagerduty outbox %s: %v (set $%s to another file, or %s=off to run without one)",
		path, err, OutboxEnv, OutboxEnv)
}

// OutboxPath is the outbox's file, or "off".
func (s *Server) OutboxPath() string {
	if s.Host.Outbox == nil {
		return "off"
	}
	return s.Host.Outbox.Path()
}

// URL and ChangeURL are the server's default URLs as logged at start-up:
// "(package default)" when unset.
func (s *Server) URL() string       { return orPackageDefault(s.Host.URL) }
func (s *Server) ChangeURL() string { return orPackageDefault(s.Host.ChangeURL) }

func orPackageDefault(s string) string {
	if s == "" {
		return "(package default)"
	}
	return s
}

// SetLog sends fluxpd's lines to the server's log from now on; until it is
// called (only while the server starts) they go to standard error. The
// error lines written before are written to the log too.
func (s *Server) SetLog(l Log) {
	if l.Error == nil {
		l.Error = l.Warn
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.log.Store(&l)
	for _, msg := range s.held {
		l.Error(msg)
	}
	s.held = nil
}

// Report writes one failed send (keys masked by Failure.String) to the
// server's log; before the logger exists to standard error.
func (s *Server) Report(f pagerduty.Failure) {
	if l := s.log.Load(); l != nil {
		l.Warn(f.String())
		return
	}
	fmt.Fprintf(os.Stderr, "fluxpd: pagerduty send failed: %s\n", f)
}

// Note writes how an event was changed on its way (keys masked by
// Note.String) to the server's log; before the logger exists to standard
// error.
func (s *Server) Note(n pagerduty.Note) { s.Info(n.String()) }

// Info and Warn write the outbox's lines (keys masked by the outbox) to
// the server's log; before it exists, to standard error.
func (s *Server) Info(msg string) {
	if l := s.log.Load(); l != nil {
		l.Info(msg)
		return
	}
	fmt.Fprintln(os.Stderr, "fluxpd: "+msg)
}

func (s *Server) Warn(msg string) {
	if l := s.log.Load(); l != nil {
		l.Warn(msg)
		return
	}
	fmt.Fprintln(os.Stderr, "fluxpd: "+msg)
}

// Error writes a line that needs an operator to the server's log at error
// level. Before the log exists it goes to standard error at once (the
// server may never start) and to the log once SetLog gives it.
func (s *Server) Error(msg string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if l := s.log.Load(); l != nil {
		l.Error(msg)
		return
	}
	fmt.Fprintln(os.Stderr, "fluxpd: error: "+msg)
	s.held = append(s.held, msg)
}

// StartOutbox runs the outbox's background flusher (pagerduty.RunOutbox)
// until the returned stop is called; stop then closes the outbox. The
// flusher sends through Flux's default dependencies (a plain HTTP client,
// no URL restrictions: the events go where the queries sent them). With
// the outbox off, stop does nothing.
func (s *Server) StartOutbox() (stop func()) {
	ob := s.Host.Outbox
	if ob == nil {
		return func() {}
	}
	ctx, cancel := context.WithCancel(context.Background())
	ctx = flux.NewDefaultDependencies().Inject(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		if err := pagerduty.RunOutbox(ctx, ob, s.Interval); err != nil && ctx.Err() == nil {
			s.Warn("pagerduty outbox: the flusher stopped: " + err.Error())
		}
	}()
	return func() {
		cancel()
		<-done
		if err := ob.Close(); err != nil {
			s.Warn("pagerduty outbox: close: " + err.Error())
		}
	}
}

// PrepareContext is the derived flux's lang.PrepareContext for this
// server: every query that imports "pagerduty" starts with its script's
// pagerduty options and the server's defaults (s.Host) in its context.
// Queries that do not import "pagerduty" are left exactly as stock.
func (s *Server) PrepareContext(ctx context.Context, pkg *ast.Package) (context.Context, error) {
	if !importsPagerDuty(pkg) {
		return ctx, nil
	}
	ctx, err := pagerduty.WithScript(ctx, pkg)
	if err != nil {
		return ctx, err
	}
	return pagerduty.WithHost(ctx, s.Host), nil
}

func importsPagerDuty(pkg *ast.Package) bool {
	if pkg == nil {
		return false
	}
	for _, f := range pkg.Files {
		for _, imp := range f.Imports {
			if imp.Path != nil && imp.Path.Value == "pagerduty" {
				return true
			}
		}
	}
	return false
}
