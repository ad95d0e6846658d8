package relay

import (
	"fmt"
	"net/http"
	"sync"
)

// health holds what /readyz reports: the last failure of each part that
// uses the outbox (commits, the flusher), cleared by its next success.
type health struct {
	mu       sync.Mutex
	failures map[string]string
}

func (h *health) failed(part string, err error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.failures == nil {
		h.failures = map[string]string{}
	}
	h.failures[part] = err.Error()
}

func (h *health) ok(part string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	delete(h.failures, part)
}

// problem returns the first failure, in a fixed order, or "".
func (h *health) problem() string {
	h.mu.Lock()
	defer h.mu.Unlock()
	for _, part := range []string{"commit", "flush"} {
		if why, ok := h.failures[part]; ok {
			return fmt.Sprintf("the last %s failed: %s", part, why)
		}
	}
	return ""
}

// serveHealthz answers GET /healthz: the process is up and serving.
func (s *Server) serveHealthz(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	fmt.Fprintln(w, "ok")
}

// serveReadyz answers GET /readyz: 200 when the relay can take and
// deliver events (not stopping, the flusher running, the outbox's last
// commit and flush succeeded), else 503 with the reason.
func (s *Server) serveReadyz(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	if why := s.notReady(); why != "" {
		w.WriteHeader(http.StatusServiceUnavailable)
		fmt.Fprintln(w, "not ready: "+why)
		return
	}
	fmt.Fprintln(w, "ready")
}

// notReady says why the relay is not ready, "" when it is.
func (s *Server) notReady() string {
	switch {
	case s.stopping.Load():
		return "the relay is shutting down"
	case !s.flusher.running.Load():
		return "the flusher is not running"
	}
	return s.health.problem()
}
