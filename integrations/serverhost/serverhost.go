// Package serverhost is what fluxpd's InfluxDB builds (integrations/influxd,
// integrations/influxd2) do alike and what needs Flux: it wires fluxpd's
// host layer (internal/host: the environment, the outbox and its flusher,
// the log lines, the metrics) into an InfluxDB server, and gives the
// function every query's context is prepared with.
//
// Each build keeps only what is its own: where its data lives (the
// directory the default outbox goes in), its logger and registry, and the
// assignment lang.PrepareContext = s.PrepareContext (lang.PrepareContext
// exists only in the derived flux those builds link; this package compiles
// against stock flux).
package serverhost

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/influxdata/flux/ast"
	"github.com/prometheus/client_golang/prometheus"
	"go.uber.org/zap"

	"github.com/fluxpd/fluxpd/internal/host"
	"github.com/fluxpd/fluxpd/internal/outbox"
	"github.com/fluxpd/fluxpd/internal/version"
	"github.com/fluxpd/fluxpd/stdlib/pagerduty"
)

// OutboxFile is the default outbox file name, in the directory the server
// names (see FromEnv).
const OutboxFile = "fluxpd-outbox.db"

// Server is fluxpd's state inside one InfluxDB server: the host every
// query gets, the outbox (Host.Outbox, nil when off) and the log.
type Server struct {
	// Host is what PrepareContext puts in the context of every query that
	// imports "pagerduty".
	Host pagerduty.Host
	// Interval is how often the flusher looks for due events.
	Interval time.Duration
	// Log is where fluxpd's lines go: standard error until SetLogger.
	Log *host.Log
}

// FromEnv reads and validates the server's pagerduty defaults
// ($FLUXPD_PAGERDUTY_URL, $FLUXPD_PAGERDUTY_CHANGE_URL), then opens the
// outbox. A bad default URL is an error naming its variables, returned
// before anything is opened; so is a bad $FLUXPD_OUTBOX_RETRY[_MAX] or an
// outbox that cannot be opened. A damaged outbox is moved aside and a
// fresh one opened, said at error level.
//
// Unless $FLUXPD_OUTBOX names a file (or is "off"), the outbox is
// OutboxFile in the directory outboxDir returns. outboxDir's ok is false
// when the server's arguments or configuration do not parse: the server
// then refuses them itself, and FromEnv returns no outbox and no error.
func FromEnv(outboxDir func() (dir string, ok bool)) (*Server, error) {
	log := &host.Log{}
	s := &Server{Log: log, Host: pagerduty.Host{
		URL: os.Getenv(host.URLEnv), ChangeURL: os.Getenv(host.ChangeURLEnv),
		Report: log.Report, Note: log.Note, Log: log.Error, Metrics: host.NewMetrics(),
	}}
	if err := pagerduty.ValidateHost(s.Host); err != nil {
		return nil, fmt.Errorf("refusing to start: %v (set by $%s / $%s)", err, host.URLEnv, host.ChangeURLEnv)
	}
	retry, err := host.RetryFromEnv()
	if err != nil {
		return nil, fmt.Errorf("refusing to start: %v", err)
	}
	s.Interval = retry.Interval()
	def := func() (string, bool) {
		dir, ok := outboxDir()
		return filepath.Join(dir, OutboxFile), ok
	}
	if path := host.ServerOutboxPath(def); path != "" {
		opts := outbox.Options{Log: log.Info, Warn: log.Warn}
		if s.Host.Outbox, err = host.OpenServerOutbox(path, retry, opts, s.Host.Metrics, log.Error); err != nil {
			return nil, fmt.Errorf("refusing to start: %v", err)
		}
	}
	return s, nil
}

// OutboxPath is the outbox's file, or "off".
func (s *Server) OutboxPath() string {
	if s.Host.Outbox == nil {
		return host.OutboxOff
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

// SetLogger sends fluxpd's lines to the server's zap logger from now on
// (as service "pagerduty"), and records the defaults in use.
func (s *Server) SetLogger(l *zap.Logger) {
	l = l.With(zap.String("service", "pagerduty"))
	s.Log.SetLogger(host.LogFuncs{
		Info:  func(msg string) { l.Info(msg) },
		Warn:  func(msg string) { l.Warn(msg) },
		Error: func(msg string) { l.Error(msg) },
	})
	l.Info("fluxpd native pagerduty",
		zap.String("flux", version.Flux()),
		zap.String("default_url", s.URL()),
		zap.String("default_change_url", s.ChangeURL()),
		zap.String("outbox", s.OutboxPath()))
}

// RegisterMetrics registers fluxpd's metrics (host.Metrics, and the
// outbox's gauges when it is on) in the registry the server serves at
// /metrics.
func (s *Server) RegisterMetrics(reg prometheus.Registerer) error {
	return s.Host.Metrics.Register(reg, s.Host.Outbox)
}

// StartOutbox runs the outbox's background flusher until the returned stop
// is called; stop then closes the outbox. With the outbox off, stop does
// nothing.
func (s *Server) StartOutbox() (stop func()) {
	ob := s.Host.Outbox
	if ob == nil {
		return func() {}
	}
	stopFlusher := host.StartFlusher(ob, nil, s.Interval, s.Host.Metrics, s.Log.Warn)
	return func() {
		stopFlusher()
		if err := ob.Close(); err != nil {
			s.Log.Warn("pagerduty outbox: close: " + err.Error())
		}
	}
}

// PrepareContext is the derived flux's lang.PrepareContext for this
// server: every query that imports "pagerduty" has its calls checked
// (pagerduty.CheckScript) and starts with its script's pagerduty options
// and the server's host in its context (pagerduty.Prepare). Queries that
// do not import "pagerduty" are left exactly as stock.
func (s *Server) PrepareContext(ctx context.Context, pkg *ast.Package) (context.Context, error) {
	if err := pagerduty.CheckScript(pkg); err != nil {
		return ctx, err
	}
	return pagerduty.Prepare(s.Host)(ctx, pkg)
}
