package outbox

import (
	"context"
	"net/http"
	"sync"
	"time"

	"github.com/fluxpd/fluxpd/internal/delivery"
)

// retryAfterSlot receives the Retry-After of the last answer of one send.
type retryAfterSlot struct {
	mu sync.Mutex
	d  time.Duration
}

func (s *retryAfterSlot) set(d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.d = d
}

func (s *retryAfterSlot) get() time.Duration {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.d
}

type slotKey struct{}

func withRetryAfterSlot(ctx context.Context, s *retryAfterSlot) context.Context {
	return context.WithValue(ctx, slotKey{}, s)
}

// RecordRetryAfter wraps the HTTP client of a delivery.Sender so that the
// flusher sees the Retry-After header of a failed answer (the Sender
// itself honours it only between its own retries). Without it, the
// outbox's own backoff applies.
func RecordRetryAfter(d delivery.Doer) delivery.Doer {
	return retryAfterDoer{d}
}

type retryAfterDoer struct{ d delivery.Doer }

func (r retryAfterDoer) Do(req *http.Request) (*http.Response, error) {
	resp, err := r.d.Do(req)
	if s, ok := req.Context().Value(slotKey{}).(*retryAfterSlot); ok {
		var wait time.Duration
		if err == nil && resp.StatusCode/100 != 2 {
			if v := resp.Header.Get("Retry-After"); v != "" {
				wait, _ = delivery.ParseRetryAfter(v, time.Now())
			}
		}
		s.set(wait)
	}
	return resp, err
}
