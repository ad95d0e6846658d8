package delivery

import (
	"context"
	"time"
)

// Clock tells the time and waits. Sender uses it for the overall deadline
// and for the waits between attempts, so that tests can replace real waits
// of seconds with a fake that returns at once (compare Clock in
// cenkalti/backoff and timeNow in go-retryablehttp). Per-attempt timeouts
// are enforced by the context given to the HTTP client and run in real time.
type Clock interface {
	// Now returns the current time.
	Now() time.Time
	// Sleep waits for d or until ctx is done, whichever comes first, and
	// returns ctx.Err() in the second case.
	Sleep(ctx context.Context, d time.Duration) error
}

// realClock is the Clock used when Sender.Clock is nil.
type realClock struct{}

func (realClock) Now() time.Time { return time.Now() }

func (realClock) Sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
