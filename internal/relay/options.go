package relay

import (
	"io"
	"net/http"
	"time"

	"github.com/fluxpd/fluxpd/internal/host"
)

// Defaults for zero Options fields, and for fluxpd relay's flags.
const (
	// DefaultAddr is loopback only: listening elsewhere needs AllowKeys
	// (or Open), see checkExposure.
	DefaultAddr = "127.0.0.1:8788"
	// DefaultOutbox is the outbox file, in the working directory.
	DefaultOutbox = "fluxpd-relay.db"
	// DefaultUpstream is PagerDuty's US events host; EU accounts use
	// https://events.eu.pagerduty.com.
	DefaultUpstream = "https://events.pagerduty.com"
	// DefaultRate is PagerDuty's documented default limit per integration
	// key: about 120 events per minute.
	// https://support.pagerduty.com/main/docs/dynamic-notifications#rate-limits
	DefaultRate = "120/1m"
	// RateOff turns pacing off.
	RateOff = "off"
	// DefaultMaxPending bounds the events waiting in the outbox; over it
	// the relay answers 429.
	DefaultMaxPending = 100000
	// DefaultShutdownTimeout bounds a graceful stop.
	DefaultShutdownTimeout = 10 * time.Second
)

// Log formats.
const (
	LogText = "text"
	LogJSON = "json"
)

// Options configures a relay. Zero fields take the Default* values, except
// GroupCommit, whose zero value commits one fsync per event: fluxpd relay
// sets it (--commit=group) unless told otherwise.
type Options struct {
	// Addr is the address to listen on; port 0 picks a free port.
	Addr string
	// OutboxPath is the bbolt file events are committed to.
	OutboxPath string
	// Upstream is the base URL events are delivered to, at the path they
	// were posted to (/v2/enqueue, /v2/change/enqueue).
	Upstream string
	// AllowKeys, if not nil, are the only routing keys accepted (see
	// ReadAllowKeys); nil accepts any valid key.
	AllowKeys []string
	// Open allows listening on a non-loopback address without AllowKeys.
	Open bool
	// Rate paces deliveries per routing key: "N/PERIOD" such as 120/1m,
	// or "off". Empty means DefaultRate.
	Rate string
	// MaxPending bounds the events waiting in the outbox.
	MaxPending int
	// GroupCommit commits the events of concurrent requests together, one
	// fsync for all of them; false commits each event with its own fsync.
	GroupCommit bool
	// Retry is the outbox's redelivery backoff (host.RetryFromEnv);
	// zero fields keep the outbox's defaults.
	Retry host.Retry
	// MaxAge is how long an event may wait before it is dead-lettered as
	// expired; zero keeps the outbox's default (24 h).
	MaxAge time.Duration
	// FlushInterval is how often the flusher looks for due events besides
	// being woken by new ones; zero means Retry.Interval().
	FlushInterval time.Duration
	// TLSCert and TLSKey, both or neither, serve HTTPS.
	TLSCert, TLSKey string
	// Log receives the relay's log lines; nil discards them. LogFormat is
	// LogText (the default) or LogJSON.
	Log       io.Writer
	LogFormat string
	// LockTimeout bounds the wait for the outbox file while another
	// process (fluxpd outbox ...) uses it; zero keeps the outbox's
	// default (5 s). A commit that waits longer is answered 503.
	LockTimeout time.Duration
	// LongDelay is how long an event may wait before the relay logs it as
	// long-delayed (once); zero means DefaultLongDelay.
	LongDelay time.Duration

	// ReadHeaderTimeout, ReadTimeout, WriteTimeout, IdleTimeout and
	// MaxConns bound what one client can hold of the server; zero means
	// the constants of the same name. For tests and unusual networks.
	ReadHeaderTimeout, ReadTimeout, WriteTimeout, IdleTimeout time.Duration
	MaxConns                                                  int

	// Client sends the upstream requests; nil means a client with
	// delivery's defaults and no redirects. For tests.
	Client *http.Client
	// Now is the clock of the outbox and the pacing; nil means time.Now.
	// For tests.
	Now func() time.Time
}
