package main

import (
	"context"
	"fmt"
	"os"
	"sync/atomic"
	"time"

	"github.com/influxdata/flux"
	"github.com/influxdata/flux/ast"
	"github.com/influxdata/flux/lang"
	"go.uber.org/zap"

	"github.com/fluxpd/fluxpd/integrations/influxd2/fluxpdruntime"
	"github.com/fluxpd/fluxpd/stdlib/pagerduty"
)

// The environment variables holding the server's default PagerDuty URLs.
// A script's own options (option pagerduty.defaultURL = ...) and arguments
// (pagerdutyURL:, url:) still win.
const (
	urlEnv       = "FLUXPD_PAGERDUTY_URL"
	changeURLEnv = "FLUXPD_PAGERDUTY_CHANGE_URL"
)

const fluxVersion = fluxpdruntime.Version

// hostFromEnv reads and validates the server's pagerduty defaults.
func hostFromEnv() (pagerduty.Host, error) {
	h := pagerduty.Host{URL: os.Getenv(urlEnv), ChangeURL: os.Getenv(changeURLEnv), Report: report}
	if err := h.Validate(); err != nil {
		return h, fmt.Errorf("refusing to start: %v (set by $%s / $%s)", err, urlEnv, changeURLEnv)
	}
	return h, nil
}

// serverLog is influxd's own logger, once the launcher has created it.
var serverLog atomic.Pointer[zap.Logger]

// setLogger gives fluxpd influxd's logger and records the defaults in use.
func setLogger(l *zap.Logger, h pagerduty.Host) {
	l = l.With(zap.String("service", "pagerduty"))
	serverLog.Store(l)
	l.Info("fluxpd native pagerduty",
		zap.String("flux", fluxVersion),
		zap.String("default_url", orPackageDefault(h.URL)),
		zap.String("default_change_url", orPackageDefault(h.ChangeURL)),
		zap.String("outbox", outboxPath(h.Outbox)))
}

func orPackageDefault(s string) string {
	if s == "" {
		return "(package default)"
	}
	return s
}

// report writes one failed send (keys masked by Failure.String) to the
// server's log; before the logger exists (only while the server starts) to
// standard error.
func report(f pagerduty.Failure) {
	if l := serverLog.Load(); l != nil {
		l.Warn(f.String())
		return
	}
	fmt.Fprintf(os.Stderr, "fluxpd: pagerduty send failed: %s\n", f)
}

// startOutbox runs the outbox's background flusher (pagerduty.RunOutbox)
// until the returned stop is called; stop then closes the outbox. The
// flusher sends through Flux's default dependencies (a plain HTTP client,
// no URL restrictions: the events go where the queries sent them).
func startOutbox(ob *pagerduty.Outbox, interval time.Duration) (stop func()) {
	if ob == nil {
		return func() {}
	}
	ctx, cancel := context.WithCancel(context.Background())
	ctx = flux.NewDefaultDependencies().Inject(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		if err := pagerduty.RunOutbox(ctx, ob, interval); err != nil && ctx.Err() == nil {
			outboxWarn("pagerduty outbox: the flusher stopped: " + err.Error())
		}
	}()
	return func() {
		cancel()
		<-done
		if err := ob.Close(); err != nil {
			outboxWarn("pagerduty outbox: close: " + err.Error())
		}
	}
}

// installHost makes every Flux query (HTTP /api/v2/query, tasks, checks and
// notification rules) start with its script's pagerduty options and the
// server's defaults in its context. Queries that do not import "pagerduty"
// are left exactly as stock.
func installHost(h pagerduty.Host) {
	lang.PrepareContext = func(ctx context.Context, pkg *ast.Package) (context.Context, error) {
		if !importsPagerDuty(pkg) {
			return ctx, nil
		}
		ctx, err := pagerduty.WithScript(ctx, pkg)
		if err != nil {
			return ctx, err
		}
		return pagerduty.WithHost(ctx, h), nil
	}
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
