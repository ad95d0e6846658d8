package e2e

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/fluxpd/fluxpd/internal/testwait"
)

func TestUntil(t *testing.T) {
	calls := 0
	err := Until("the third call", func() error {
		calls++
		if calls < 3 {
			return fmt.Errorf("call %d", calls)
		}
		return nil
	})
	if err != nil || calls != 3 {
		t.Errorf("Until = %v after %d calls, want nil after 3", err, calls)
	}
}

func TestUntil_GivesUp(t *testing.T) {
	seen := errors.New("emulator has: trigger x1")
	calls := 0
	var lastReturn time.Time
	start := time.Now()
	err := until(20*time.Millisecond, time.Millisecond, "the resolve to reach the emulator", func() error {
		calls++
		lastReturn = time.Now()
		return seen
	})
	want := "gave up after 20ms waiting for the resolve to reach the emulator; last seen: emulator has: trigger x1"
	if err == nil || err.Error() != want || !errors.Is(err, seen) {
		t.Errorf("err = %v, want %q wrapping the last state", err, want)
	}
	// Polled until the limit: the last look ended past it, however few
	// looks a paused machine allowed.
	if calls == 0 || lastReturn.Sub(start) < 20*time.Millisecond {
		t.Errorf("cond called %d times, the last returning %s after the start; want it polled until the 20ms limit", calls, lastReturn.Sub(start))
	}
}

func TestLimit_Scaled(t *testing.T) {
	t.Setenv(testwait.ScaleEnv, "2.5")
	if got, want := Limit(), 450*time.Second; got != want {
		t.Errorf("Limit() with %s=2.5 = %s, want %s", testwait.ScaleEnv, got, want)
	}
	if got, want := Scaled(4*time.Second), 10*time.Second; got != want {
		t.Errorf("Scaled(4s) = %s, want %s", got, want)
	}
	t.Setenv(testwait.ScaleEnv, "")
	if got, want := Limit(), 3*time.Minute; got != want {
		t.Errorf("Limit() unscaled = %s, want %s", got, want)
	}
}
