package relaytest

import (
	"math/rand/v2"
	"time"

	"github.com/fluxpd/fluxpd/internal/emulator"
)

// The upstream's flapping: spells of trouble, each followed by a healthy
// spell, until the load is over. Durations are drawn between a minimum
// and a maximum.
const (
	minTrouble = 100 * time.Millisecond
	maxTrouble = 400 * time.Millisecond
	minHealthy = 150 * time.Millisecond
	maxHealthy = 600 * time.Millisecond
	// retryAfter is the Retry-After of the upstream's 429s, in seconds:
	// the relay must hold that routing key for a second.
	retryAfter = "1"
	// faultDelay is how long a slow fault keeps its request waiting.
	faultDelay = 100 * time.Millisecond
	// statusLineCut cuts an answer inside its status line.
	statusLineCut = 11
)

// troubles are the upstream's kinds of trouble: outages answering 503,
// 429 with Retry-After, or nothing at all (connections dropped), and
// queued faults for the next few requests (dropped connections before,
// within and after the status line, 5xx, 429).
var troubles = []func(u *Upstream, d time.Duration){
	func(u *Upstream, d time.Duration) { _ = u.StartOutage(emulator.Outage{For: d}) },
	func(u *Upstream, d time.Duration) { _ = u.StartOutage(emulator.Outage{For: d, Drop: true}) },
	func(u *Upstream, d time.Duration) {
		_ = u.StartOutage(emulator.Outage{For: d, Status: 429, RetryAfter: retryAfter})
	},
	func(u *Upstream, _ time.Duration) {
		u.Inject(emulator.Fault{Drop: true}, emulator.Fault{DropMidResponse: true, Status: 500},
			emulator.Fault{Status: 502}, emulator.Fault{DropAfter: statusLineCut, Status: 503})
	},
	func(u *Upstream, _ time.Duration) {
		u.Inject(emulator.Fault{Status: 429}, emulator.Fault{Status: 500, Delay: faultDelay},
			emulator.Fault{Status: 429, Header: map[string]string{"Retry-After": retryAfter}})
	},
}

// flap makes the upstream flap until stop is closed, then ends any
// outage. Queued faults left are taken by the next requests.
func (c *crash) flap(stop <-chan struct{}) {
	rng := rand.New(rand.NewPCG(c.seed, ^uint64(0)))
	between := func(lo, hi time.Duration) time.Duration { return lo + time.Duration(rng.Int64N(int64(hi-lo))) }
	for {
		trouble := between(minTrouble, maxTrouble)
		troubles[rng.IntN(len(troubles))](c.up, trouble)
		select {
		case <-stop:
			c.up.EndOutage()
			return
		case <-time.After(trouble + between(minHealthy, maxHealthy)):
		}
	}
}
