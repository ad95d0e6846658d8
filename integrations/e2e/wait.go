package e2e

// Waiting in the end-to-end checkers: every wait is for an event (a
// server answering, a notification recorded, an alert on the emulator),
// bounded only by Limit, which exists to stop a hang on a busy machine,
// never to check how fast anything is.

import (
	"fmt"
	"time"

	"github.com/fluxpd/fluxpd/internal/testwait"
)

// Limit is the bound on any one wait of the end-to-end checkers: the one
// the Go tests use (internal/testwait: three minutes), times
// $FLUXPD_TEST_TIMEOUT_SCALE, the variable scripts/lib/e2e.sh scales its
// own limits with.
func Limit() time.Duration { return testwait.Limit() }

// Scaled multiplies d by $FLUXPD_TEST_TIMEOUT_SCALE.
func Scaled(d time.Duration) time.Duration { return testwait.Scaled(d) }

// pollEvery is how often Until looks at its condition: often enough not to
// slow a test down, seldom enough not to load the servers it polls.
const pollEvery = 250 * time.Millisecond

// Until calls cond until it returns nil and gives up after Limit. cond's
// error describes the state it saw; the error Until returns says what was
// awaited, for how long, and that last state:
//
//	gave up after 3m0s waiting for pd-rule's resolve to reach the emulator; last seen: ...
func Until(what string, cond func() error) error {
	return until(Limit(), pollEvery, what, cond)
}

func until(limit, every time.Duration, what string, cond func() error) error {
	deadline := time.Now().Add(limit)
	for {
		err := cond()
		if err == nil {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("gave up after %s waiting for %s; last seen: %w", limit, what, err)
		}
		time.Sleep(every)
	}
}
