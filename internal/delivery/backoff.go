package delivery

import (
	"math"
	"math/rand/v2"
	"net/http"
	"strconv"
	"strings"
	"time"
)

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
