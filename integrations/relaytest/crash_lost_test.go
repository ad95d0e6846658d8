package relaytest

import (
	"net/http"
	"time"

	"github.com/fluxpd/fluxpd/internal/testwait"
)

// lostCheckEvery spaces the crash test's looks at the relay's pending
// count while it waits for deliveries, so that it does not hammer
// /metrics; it is not a wait.
const lostCheckEvery = 50 * time.Millisecond

// lostLooks is how many looks in a row must agree before events are
// declared lost: the emulator's tap counts an event a moment after the
// relay has its answer, and may be a look behind.
const lostLooks = 2

// lost reports whether the relay says it has nothing left to deliver
// (fluxpd_relay_pending 0, at lostLooks looks in a row) while events it
// answered 202 have not reached the emulator: they are lost, and waiting
// longer cannot bring them. Between looks it returns false at once.
func (c *crash) lost() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	if time.Since(c.lostLook) < lostCheckEvery {
		return false
	}
	c.lostLook = time.Now()
	client := &http.Client{Timeout: testwait.Limit()}
	m, err := Scrape(client, c.relays[len(c.relays)-1].URL+"/metrics")
	pending, ok := m.Sum("fluxpd_relay_pending")
	if err != nil || !ok || pending != 0 || c.up.Delivered() >= int(c.accepted.Load()) {
		c.lostRun = 0
		return false
	}
	c.lostRun++
	return c.lostRun >= lostLooks
}
