package host

import (
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/fluxpd/fluxpd/internal/outbox"
)

// The environment every fluxpd host reads, so that an operator configures
// fluxpd run, both InfluxDB builds and the relay alike.
const (
	// URLEnv and ChangeURLEnv hold a server's default PagerDuty URLs; a
	// script's own options and arguments still win.
	URLEnv       = "FLUXPD_PAGERDUTY_URL"
	ChangeURLEnv = "FLUXPD_PAGERDUTY_CHANGE_URL"
	// OutboxEnv names the outbox file; OutboxOff turns a server's outbox
	// off.
	OutboxEnv = "FLUXPD_OUTBOX"
	OutboxOff = "off"
	// OutboxRetryEnv sets the first redelivery backoff (a Go duration,
	// doubling up to the maximum); unset: the outbox's default.
	OutboxRetryEnv = "FLUXPD_OUTBOX_RETRY"
	// OutboxRetryMaxEnv caps the redelivery backoff; unset: the outbox's
	// default.
	OutboxRetryMaxEnv = "FLUXPD_OUTBOX_RETRY_MAX"
)

// DefaultFlushInterval is how often a host's flusher looks for due events
// (the outbox's own default); a shorter $FLUXPD_OUTBOX_RETRY shortens it
// (see Retry.Interval).
const DefaultFlushInterval = outbox.DefaultFlushInterval

// Retry is the outbox's redelivery backoff as the environment sets it.
// Zero fields keep the outbox's defaults.
type Retry struct {
	Base, Max time.Duration
}

// RetryFromEnv reads $FLUXPD_OUTBOX_RETRY and $FLUXPD_OUTBOX_RETRY_MAX. A
// value that is not a positive duration, or a maximum below the base, is
// an error naming the variable.
func RetryFromEnv() (Retry, error) {
	var r Retry
	for _, v := range []struct {
		env string
		to  *time.Duration
	}{{OutboxRetryEnv, &r.Base}, {OutboxRetryMaxEnv, &r.Max}} {
		s := strings.TrimSpace(os.Getenv(v.env))
		if s == "" {
			continue
		}
		d, err := time.ParseDuration(s)
		if err != nil || d <= 0 {
			return Retry{}, fmt.Errorf("$%s=%q is not a positive duration such as 30s", v.env, s)
		}
		*v.to = d
	}
	if r.Base > 0 && r.Max > 0 && r.Max < r.Base {
		return Retry{}, fmt.Errorf("$%s (%s) is shorter than $%s (%s)", OutboxRetryMaxEnv, r.Max, OutboxRetryEnv, r.Base)
	}
	return r, nil
}

// Interval is how often a flusher with this backoff looks for due events:
// DefaultFlushInterval, or the base backoff when that is shorter.
func (r Retry) Interval() time.Duration {
	if r.Base > 0 {
		return min(DefaultFlushInterval, r.Base)
	}
	return DefaultFlushInterval
}
