package relay

import (
	"log/slog"
	"net/http"

	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/fluxpd/fluxpd/internal/event"
)

// httpServer returns the relay's http.Server, within the server limits.
func (s *Server) httpServer() *http.Server {
	srv := s.opts.limits().Server(s.routes(), slog.NewLogLogger(s.log.Handler(), slog.LevelWarn))
	srv.MaxHeaderBytes = maxHeaderBytes
	return srv
}

// maxHeaderBytes bounds a request's headers: senders send a handful.
const maxHeaderBytes = 64 << 10

// maxScrapes bounds the scrapes of /metrics served at once: each reads
// the outbox file.
const maxScrapes = 4

// routes maps the relay's paths: the Events API, and its own pages.
func (s *Server) routes() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("POST "+event.AlertPath, func(w http.ResponseWriter, r *http.Request) { s.serveEvent(w, r, event.AlertPath) })
	mux.HandleFunc("POST "+event.ChangePath, func(w http.ResponseWriter, r *http.Request) { s.serveEvent(w, r, event.ChangePath) })
	mux.Handle("GET /metrics", promhttp.HandlerFor(s.reg, promhttp.HandlerOpts{
		ErrorLog:            slog.NewLogLogger(s.log.Handler(), slog.LevelWarn),
		ErrorHandling:       promhttp.ContinueOnError,
		MaxRequestsInFlight: maxScrapes,
	}))
	mux.HandleFunc("GET /healthz", s.serveHealthz)
	mux.HandleFunc("GET /readyz", s.serveReadyz)
	mux.HandleFunc("GET /{$}", s.serveStatus)
	return mux
}
