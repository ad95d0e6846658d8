package delivery

import (
	"math"
	"math/rand/v2"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Backoff is fluxpd's one exponential backoff. Sender waits it between the
// attempts of one send; the outbox waits it between redeliveries of an
// event and between probes of a routing key that PagerDuty refused. The
// ceiling of wait n (0 for the first) is Base doubled n times, at most
// Max; jitter spreads the waits of senders that failed together, for
// example all the rows of one Flux table hitting the same rate limit.
type Backoff struct {
	// Base is the first ceiling and Max the largest; every wait is 0 when
	// either is not positive.
	Base, Max time.Duration
	// Stretch chooses the jitter. 0 is "full jitter", a wait anywhere in
	// [0, ceiling) (https://aws.amazon.com/blogs/architecture/exponential-backoff-and-jitter/),
	// for retries within one send. A positive Stretch gives a wait in
	// [ceiling, ceiling*(1+Stretch)): never shorter than the ceiling, as a
	// schedule kept across flushes wants (the outbox stretches by 20%).
	Stretch float64
	// Rand returns values in [0, 1); nil means math/rand/v2's Float64.
	Rand func() float64
}

// Ceiling returns the ceiling of wait n: Base doubled n times (a negative
// n counts as 0), at most Max.
func (b Backoff) Ceiling(n int) time.Duration {
	if b.Base <= 0 || b.Max <= 0 {
		return 0
	}
	ceiling := b.Base
	for i := 0; i < n && ceiling < b.Max; i++ {
		ceiling *= 2
	}
	if ceiling > b.Max || ceiling <= 0 { // ceiling <= 0: the doubling overflowed
		ceiling = b.Max
	}
	return ceiling
}

// Wait returns wait number n (0 for the first), jittered as Stretch says.
func (b Backoff) Wait(n int) time.Duration {
	ceiling := b.Ceiling(n)
	if ceiling == 0 {
		return 0
	}
	rnd := b.Rand
	if rnd == nil {
		rnd = rand.Float64
	}
	r := rnd()
	if r < 0 || r >= 1 || math.IsNaN(r) {
		r = 0
	}
	if b.Stretch <= 0 {
		return time.Duration(r * float64(ceiling))
	}
	stretched := float64(ceiling) * (1 + b.Stretch*r)
	if stretched >= math.MaxInt64 {
		return math.MaxInt64
	}
	return time.Duration(stretched)
}

// WaitAtLeast is Wait(n), or floor when that is longer: how a schedule
// honours a Retry-After as the least it must wait, not the whole wait.
func (b Backoff) WaitAtLeast(n int, floor time.Duration) time.Duration {
	return max(b.Wait(n), floor)
}

// ParseRetryAfter parses a Retry-After header value, either delta-seconds or
// an HTTP date (RFC 9110, section 10.2.3), into a wait measured from now. A
// date in the past gives 0. Values too large for a time.Duration saturate
// at the largest one (callers cap it with Policy.MaxRetryAfter). It reports
// false for an empty or malformed value, including negative numbers.
// Compare parseRetryAfterHeader in hashicorp/go-retryablehttp.
func ParseRetryAfter(v string, now time.Time) (time.Duration, bool) {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0, false
	}
	if strings.Trim(v, "0123456789") == "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n > int64(math.MaxInt64/time.Second) { // only overflow is possible
			return math.MaxInt64, true
		}
		return time.Duration(n) * time.Second, true
	}
	t, err := http.ParseTime(v)
	if err != nil {
		return 0, false
	}
	return max(t.Sub(now), 0), true
}
