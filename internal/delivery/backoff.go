package delivery

import (
	"math"
	"math/rand/v2"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Defaults used for zero Policy fields. PagerDuty asks for retries "after
// some time" and suggests spacing 429 retries out; it documents no
// Retry-After header for the Events API, so the header is honoured when
// present but never relied on:
// https://developer.pagerduty.com/docs/ZG9jOjExMDI5NTgw-events-api-v2-overview#api-limits
const (
	DefaultMaxRetries     = 3                // up to 4 attempts in all
	DefaultAttemptTimeout = 10 * time.Second // one request, headers and body
	DefaultDeadline       = 60 * time.Second // all attempts and waits together
	DefaultBaseDelay      = time.Second      // first backoff ceiling
	DefaultMaxDelay       = 30 * time.Second // largest backoff ceiling
	DefaultMaxRetryAfter  = 60 * time.Second // largest Retry-After honoured
)

// NoRetries is the Policy.MaxRetries value that disables retrying. It is
// negative because a zero MaxRetries means DefaultMaxRetries, like every
// other zero field of Policy.
const NoRetries = -1

// Policy bounds how long and how often Sender tries. Zero fields take the
// Default* values above; start from DefaultPolicy to see them spelled out.
type Policy struct {
	// MaxRetries is the number of attempts after the first one. Zero means
	// DefaultMaxRetries; a negative value (NoRetries) means none.
	MaxRetries int
	// AttemptTimeout bounds one attempt: connecting, sending, and reading
	// the answer.
	AttemptTimeout time.Duration
	// Deadline bounds the whole call. A wait that would end after it is not
	// started; the last answer is returned instead.
	Deadline time.Duration
	// BaseDelay and MaxDelay shape the exponential backoff (see Backoff).
	BaseDelay, MaxDelay time.Duration
	// MaxRetryAfter caps the wait asked for by a Retry-After header.
	MaxRetryAfter time.Duration
}

// DefaultPolicy returns the policy used for zero Policy fields.
func DefaultPolicy() Policy {
	return Policy{
		MaxRetries:     DefaultMaxRetries,
		AttemptTimeout: DefaultAttemptTimeout,
		Deadline:       DefaultDeadline,
		BaseDelay:      DefaultBaseDelay,
		MaxDelay:       DefaultMaxDelay,
		MaxRetryAfter:  DefaultMaxRetryAfter,
	}
}

// withDefaults returns p with zero (or negative) fields replaced by defaults
// and a negative MaxRetries replaced by 0.
func (p Policy) withDefaults() Policy {
	d := DefaultPolicy()
	switch {
	case p.MaxRetries == 0:
		p.MaxRetries = d.MaxRetries
	case p.MaxRetries < 0:
		p.MaxRetries = 0
	}
	p.AttemptTimeout = positiveOr(p.AttemptTimeout, d.AttemptTimeout)
	p.Deadline = positiveOr(p.Deadline, d.Deadline)
	p.BaseDelay = positiveOr(p.BaseDelay, d.BaseDelay)
	p.MaxDelay = positiveOr(p.MaxDelay, d.MaxDelay)
	p.MaxRetryAfter = positiveOr(p.MaxRetryAfter, d.MaxRetryAfter)
	return p
}

func positiveOr(v, def time.Duration) time.Duration {
	if v <= 0 {
		return def
	}
	return v
}

// Backoff returns the wait before retry number retry (0 for the first
// retry): a uniformly random duration in [0, min(max, base*2^retry)), the
// "full jitter" of https://aws.amazon.com/blogs/architecture/exponential-backoff-and-jitter/.
// Jitter spreads out senders that failed together, for example all the
// rows of one Flux table hitting the same rate limit. rnd returns values in
// [0, 1); nil means math/rand/v2's Float64.
func Backoff(retry int, base, max time.Duration, rnd func() float64) time.Duration {
	if base <= 0 || max <= 0 {
		return 0
	}
	ceiling := base
	for i := 0; i < retry && ceiling < max; i++ {
		ceiling *= 2
	}
	if ceiling > max || ceiling <= 0 { // ceiling <= 0: the doubling overflowed
		ceiling = max
	}
	if rnd == nil {
		rnd = rand.Float64
	}
	r := rnd()
	if r < 0 || r >= 1 || math.IsNaN(r) {
		r = 0
	}
	return time.Duration(r * float64(ceiling))
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
