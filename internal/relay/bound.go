package relay

import (
	"sync"

	"github.com/fluxpd/fluxpd/internal/outbox"
)

// pendingBound keeps the number of events waiting in the outbox under
// --max-pending without reading the file on every request: the count read
// from the file after each flush, plus the events committed since that
// read began, plus those being committed now. It may count an event twice
// (committed while the file was read), never miss one, so the bound holds.
type pendingBound struct {
	max int

	mu        sync.Mutex
	counted   int // pending when last read
	added     int // committed since (at the latest) the last read began
	reserving int // admitted, being committed
}

func newPendingBound(max, pending int) *pendingBound {
	return &pendingBound{max: max, counted: pending}
}

// reserve admits n events unless the bound would be passed, and returns
// the current count (with them, when admitted).
func (p *pendingBound) reserve(n int) (int, bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	total := p.counted + p.added + p.reserving
	if total+n > p.max {
		return total, false
	}
	p.reserving += n
	return total + n, true
}

// done ends the reservation of n events, committed or not.
func (p *pendingBound) done(n int, committed bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.reserving -= n
	if committed {
		p.added += n
	}
}

// recount reads the number of pending events from ob.
func (p *pendingBound) recount(ob *outbox.Outbox) error {
	p.mu.Lock()
	before := p.added
	p.mu.Unlock()
	n, _, err := ob.Count()
	if err != nil {
		return err
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.counted, p.added = n, p.added-before
	return nil
}

// estimate is the number of pending events as the bound counts it.
func (p *pendingBound) estimate() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.counted + p.added + p.reserving
}
