package delivery

import "time"

// The values of DefaultPolicy. PagerDuty asks for retries "after some time"
// and suggests spacing 429 retries out; it documents no Retry-After header
// for the Events API, so the header is honoured when present but never
// relied on:
// https://developer.pagerduty.com/docs/ZG9jOjExMDI5NTgw-events-api-v2-overview#api-limits
const (
	DefaultMaxRetries     = 3                // up to 4 attempts in all
	DefaultAttemptTimeout = 10 * time.Second // one request, headers and body
	DefaultDeadline       = 60 * time.Second // all attempts and waits together
	DefaultBaseDelay      = time.Second      // first backoff ceiling
	DefaultMaxDelay       = 30 * time.Second // largest backoff ceiling
	DefaultMaxRetryAfter  = 60 * time.Second // largest Retry-After honoured
)

// Policy bounds how long and how often Sender tries. Fields are used as
// written: zero means zero retries and zero waits, and for the two
// timeouts, as in net/http, no timeout. Start from DefaultPolicy for
// PagerDuty's advice, as go-retryablehttp's NewClient spells out its
// defaults.
type Policy struct {
	// MaxRetries is the number of attempts after the first one; 0 means
	// none. A negative value counts as 0.
	MaxRetries int
	// AttemptTimeout bounds one attempt: connecting, sending, and reading
	// the answer. 0 means no bound but Deadline and the context's.
	AttemptTimeout time.Duration
	// Deadline bounds the whole call. A wait that would end after it is not
	// started; the last answer is returned instead. 0 means no bound but
	// the context's.
	Deadline time.Duration
	// BaseDelay and MaxDelay shape the exponential backoff (see Backoff,
	// with full jitter); 0 means retrying at once.
	BaseDelay, MaxDelay time.Duration
	// MaxRetryAfter caps the wait asked for by a Retry-After header; 0
	// means retrying at once.
	MaxRetryAfter time.Duration
}

// DefaultPolicy returns the policy PagerDuty's documentation suggests: the
// Default* values above.
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

// backoff is the policy's Backoff between attempts: full jitter drawn
// from rnd.
func (p Policy) backoff(rnd func() float64) Backoff {
	return Backoff{Base: p.BaseDelay, Max: p.MaxDelay, Rand: rnd}
}
