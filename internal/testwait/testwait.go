// Package testwait bounds the waits of fluxpd's tests against hangs, never
// against speed.
//
// A test that waits for something (a request to arrive, a queue to empty, a
// process to print a line) waits for that event, not for a fixed time, and
// gives up only after Limit, which is generous on purpose: it exists to stop
// a hung test on a busy two-core machine, not to check how fast anything is.
// When it gives up, the failure says what was awaited and the last state
// seen. Speed is measured by benchmarks (make bench, make gobench).
//
// FLUXPD_TEST_TIMEOUT_SCALE (a positive number, default 1) multiplies every
// limit, for Go tests and the shell end-to-end scripts alike
// (scripts/lib/e2e.sh reads the same variable).
package testwait

import (
	"fmt"
	"os"
	"strconv"
	"testing"
	"time"
)

// ScaleEnv names the environment variable that multiplies every limit.
const ScaleEnv = "FLUXPD_TEST_TIMEOUT_SCALE"

// base is the unscaled bound on any one wait in a test.
const base = 3 * time.Minute

// poll is how often Until looks at its condition.
const poll = 5 * time.Millisecond

// Limit is the bound on any one wait in a test: three minutes, times
// $FLUXPD_TEST_TIMEOUT_SCALE.
func Limit() time.Duration { return Scaled(base) }

// Scaled multiplies d by $FLUXPD_TEST_TIMEOUT_SCALE; for limits given to
// things a test starts (a child process's own wait, a context), so they
// move with the same knob.
func Scaled(d time.Duration) time.Duration {
	s := os.Getenv(ScaleEnv)
	if s == "" {
		return d
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || f <= 0 {
		panic(fmt.Sprintf("%s=%q: want a positive number such as 2", ScaleEnv, s))
	}
	return time.Duration(float64(d) * f)
}

// Until calls cond until it reports done, every few milliseconds, and fails
// t if Limit passes first, with what was awaited and the last state cond
// described. cond must be safe to call repeatedly; it may call t.Fatal.
func Until(t testing.TB, what string, cond func() (done bool, seen string)) {
	t.Helper()
	UntilWithin(t, Limit(), what, cond)
}

// UntilWithin is Until with a bound of its own, for a wait that does much
// more work than one event's (such as a queue of hundreds drained through
// fsyncs on a disk other writers keep busy). Pass it a Scaled duration.
func UntilWithin(t testing.TB, limit time.Duration, what string, cond func() (done bool, seen string)) {
	t.Helper()
	deadline := time.Now().Add(limit)
	for {
		done, seen := cond()
		if done {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("gave up after %s waiting for %s; last seen: %s", limit, what, seen)
		}
		time.Sleep(poll)
	}
}

// Recv waits for a value from ch and returns it, failing t if Limit passes
// first or ch is closed.
func Recv[T any](t testing.TB, what string, ch <-chan T) T {
	t.Helper()
	timer := time.NewTimer(Limit())
	defer timer.Stop()
	select {
	case v, ok := <-ch:
		if !ok {
			t.Fatalf("waiting for %s: the channel was closed", what)
		}
		return v
	case <-timer.C:
		t.Fatalf("gave up after %s waiting for %s", Limit(), what)
	}
	panic("unreachable")
}
