package delivery_test

import (
	"sync"
	"testing"
	"time"

	"github.com/fluxpd/fluxpd/internal/delivery"
)

// countingCtx is a caller's context that counts the contexts derived from
// it which are still registered for its cancellation: context.WithCancel
// and WithTimeout register through AfterFunc on such a parent, and
// unregister when they are canceled.
type countingCtx struct {
	done chan struct{}
	mu   sync.Mutex
	live int
}

func newCountingCtx() *countingCtx { return &countingCtx{done: make(chan struct{})} }

func (c *countingCtx) Deadline() (time.Time, bool) { return time.Time{}, false }
func (c *countingCtx) Done() <-chan struct{}       { return c.done }
func (c *countingCtx) Err() error                  { return nil }
func (c *countingCtx) Value(any) any               { return nil }

func (c *countingCtx) AfterFunc(func()) (stop func() bool) {
	c.mu.Lock()
	c.live++
	c.mu.Unlock()
	var once sync.Once
	return func() bool {
		once.Do(func() {
			c.mu.Lock()
			c.live--
			c.mu.Unlock()
		})
		return true
	}
}

func (c *countingCtx) registered() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.live
}

// TestSender_Send_ReleasesAttemptContexts: every context an attempt derives
// from the caller's is released when Send returns, with and without an
// attempt timeout. A Flux query's context outlives thousands of sends.
func TestSender_Send_ReleasesAttemptContexts(t *testing.T) {
	emu := newEmulator(t)
	tests := []struct {
		name   string
		policy delivery.Policy
	}{
		{"attempt timeout", delivery.Policy{AttemptTimeout: time.Minute}},
		{"no timeout", delivery.Policy{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := newCountingCtx()
			s := &delivery.Sender{Policy: tt.policy}
			for range 3 {
				if _, err := s.Send(ctx, emu.EventsURL(), eventBody, routingKey); err != nil {
					t.Fatalf("Send() error = %v", err)
				}
			}
			if got := ctx.registered(); got != 0 {
				t.Errorf("after 3 sends, %d contexts derived from the caller's are still registered with it, want 0", got)
			}
		})
	}
}
