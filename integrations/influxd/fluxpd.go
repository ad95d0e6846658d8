package main

import (
	"github.com/influxdata/flux/lang"
	"go.uber.org/zap"

	"github.com/fluxpd/fluxpd/integrations/serverhost"
)

// setLogger gives fluxpd influxd's logger and records the defaults in use.
func setLogger(l *zap.Logger, s *serverhost.Server) {
	l = l.With(zap.String("service", "pagerduty"))
	s.SetLog(serverhost.Log{
		Info:  func(msg string) { l.Info(msg) },
		Warn:  func(msg string) { l.Warn(msg) },
		Error: func(msg string) { l.Error(msg) }, // a damaged outbox moved aside
	})
	l.Info("fluxpd native pagerduty",
		zap.String("default_url", s.URL()),
		zap.String("default_change_url", s.ChangeURL()),
		zap.String("outbox", s.OutboxPath()))
}

// installHost makes every Flux query (HTTP /api/v2/query) start with its
// script's pagerduty options and the server's defaults in its context
// (serverhost.Server.PrepareContext). Queries that do not import
// "pagerduty" are left exactly as stock.
func installHost(s *serverhost.Server) {
	lang.PrepareContext = s.PrepareContext
}
