package relay

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"strings"
	"time"

	"github.com/fluxpd/fluxpd/internal/delivery"
	"github.com/fluxpd/fluxpd/internal/outbox"
	"github.com/fluxpd/fluxpd/internal/redact"
	"github.com/fluxpd/fluxpd/internal/serve"
)

// Server limits beyond package serve's defaults: no client can hold a
// connection for long without sending, and no crowd of clients can open
// connections without bound.
const (
	// WriteTimeout bounds a request from the end of its headers to the
	// end of its answer, the commit (an fsync) included.
	WriteTimeout = 60 * time.Second
	// MaxConns bounds the connections served at once: a relay takes the
	// senders of a whole site.
	MaxConns = 512
)

// defaultLimits are the relay's server limits: serve's defaults, but for
// WriteTimeout and MaxConns.
var defaultLimits = serve.Limits{WriteTimeout: WriteTimeout, MaxConns: MaxConns}.Or(serve.Defaults)

const (
	// DefaultLongDelay is how long an event waits before the relay logs
	// it as long-delayed.
	DefaultLongDelay = 5 * time.Minute
)

// limits are the server limits of o (filled in by withDefaults).
func (o Options) limits() serve.Limits {
	return serve.Limits{
		ReadHeaderTimeout: o.ReadHeaderTimeout, ReadTimeout: o.ReadTimeout,
		WriteTimeout: o.WriteTimeout, IdleTimeout: o.IdleTimeout, MaxConns: o.MaxConns,
	}
}

// withDefaults fills in zero fields and checks the options.
func (o Options) withDefaults() (Options, error) {
	def := func(v *string, d string) {
		if *v == "" {
			*v = d
		}
	}
	def(&o.Addr, DefaultAddr)
	def(&o.OutboxPath, DefaultOutbox)
	def(&o.Upstream, DefaultUpstream)
	def(&o.Rate, DefaultRate)
	def(&o.LogFormat, LogText)
	if o.MaxPending == 0 {
		o.MaxPending = DefaultMaxPending
	}
	if o.LongDelay <= 0 {
		o.LongDelay = DefaultLongDelay
	}
	if o.FlushInterval <= 0 {
		o.FlushInterval = o.Retry.Interval()
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	l := o.limits().Or(defaultLimits)
	o.ReadHeaderTimeout, o.ReadTimeout, o.WriteTimeout, o.IdleTimeout, o.MaxConns = l.ReadHeaderTimeout, l.ReadTimeout, l.WriteTimeout, l.IdleTimeout, l.MaxConns
	o.Upstream = strings.TrimRight(o.Upstream, "/")
	return o, o.check()
}

// check reports the first option that cannot work, naming its flag.
func (o Options) check() error {
	if err := checkUpstream(o.Upstream); err != nil {
		return err
	}
	if _, err := newLimiter(o.Rate); err != nil {
		return err
	}
	switch {
	case o.MaxPending < 1:
		return fmt.Errorf("--max-pending must be 1 or more; got %d", o.MaxPending)
	case (o.TLSCert == "") != (o.TLSKey == ""):
		return errors.New("--tls-cert and --tls-key go together: give both (a certificate and its key) or neither")
	case o.LogFormat != LogText && o.LogFormat != LogJSON:
		return fmt.Errorf("--log-format must be text or json; got %q", o.LogFormat)
	}
	return checkExposure(o.Addr, o.AllowKeys != nil, o.Open)
}

// checkUpstream refuses an upstream URL events could not be delivered to,
// or one that would leak a credential in logs.
func checkUpstream(raw string) error {
	if err := delivery.CheckURL("--upstream", raw, DefaultUpstream); err != nil {
		return err // the sender's own check: scheme, host, port
	}
	u, _ := url.Parse(raw) // CheckURL parsed it
	switch {
	case u.User != nil || u.RawQuery != "" || u.Fragment != "":
		return fmt.Errorf("--upstream %s must be a base URL without user, query or fragment; events are posted to its /v2/enqueue and /v2/change/enqueue", redact.URL(raw))
	case strings.HasSuffix(u.Path, "/enqueue"):
		return fmt.Errorf("--upstream %s ends in an events path; give the base URL (such as %s): each event goes to the path it was posted to", redact.URL(raw), DefaultUpstream)
	}
	return nil
}

// newLimiter parses a --rate value; nil for off.
func newLimiter(rate string) (*outbox.KeyRate, error) {
	if strings.EqualFold(strings.TrimSpace(rate), RateOff) {
		return nil, nil
	}
	r, err := outbox.ParseRate("--rate", rate)
	if err != nil {
		return nil, err
	}
	return outbox.NewKeyRate(r), nil
}

// checkExposure refuses to listen beyond loopback without allowed keys:
// an open relay lets anyone who reaches it page the on-call of any
// PagerDuty service whose key they hold, past any firewall rule meant to
// stop that, and fill its outbox.
func checkExposure(addr string, allowKeys, open bool) error {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("--addr %q is not HOST:PORT, such as %s (port 0 picks a free port): %v", addr, DefaultAddr, err)
	}
	if allowKeys || open || loopback(host) {
		return nil
	}
	where := host
	if host == "" || host == "0.0.0.0" || host == "::" {
		where = "every interface"
	}
	return fmt.Errorf("--addr %s listens on %s, beyond this machine, and no --allow-keys limits the routing keys it relays: "+
		"anyone who can reach it could page any PagerDuty service whose key they know and fill its outbox; "+
		"give --allow-keys FILE (the routing keys to relay, one a line), or --open if a firewall already limits who reaches it, "+
		"or listen on 127.0.0.1", addr, where)
}

// loopback reports whether host names this machine only.
func loopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(strings.Trim(host, "[]"))
	return ip != nil && ip.IsLoopback()
}
