package relay

import (
	"context"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/fluxpd/fluxpd/internal/delivery"
	"github.com/fluxpd/fluxpd/internal/event"
	"github.com/fluxpd/fluxpd/internal/outbox"
	"github.com/fluxpd/fluxpd/internal/redact"
	"github.com/fluxpd/fluxpd/internal/version"
)

// relaySender is the outbox's Sender for the relay: one attempt per
// redelivery through delivery.Sender (the outbox schedules the next), with
// the relay's metrics and its record of recent sends.
type relaySender struct {
	inner    *delivery.Sender
	upstream string // --upstream, without a trailing slash
	m        *metrics
	recent   *recentSends
}

func newRelaySender(client *http.Client, upstream string, m *metrics) *relaySender {
	inner := outbox.DefaultSender()
	if client == nil {
		client = upstreamClient()
	}
	inner.Client = client
	inner.UserAgent = "fluxpd-relay/" + version.Version
	return &relaySender{inner: inner, upstream: upstream, m: m, recent: &recentSends{}}
}

// Send posts one stored event upstream: to the current --upstream, at
// the Events API path it was posted to, whatever upstream it was accepted
// for, so that a relay restarted with another --upstream (the EU region,
// say) delivers what waits in its outbox there too.
func (rs *relaySender) Send(ctx context.Context, url string, body []byte, secrets ...string) (*delivery.Response, error) {
	start := time.Now()
	resp, err := rs.inner.Send(ctx, rs.upstream+eventsPath(url), body, secrets...)
	took := time.Since(start)
	sum := delivery.Summarize(resp, err)
	rs.m.attempts.Add(float64(sum.Attempts))
	rs.m.deliveryDuration.Observe(took.Seconds())
	if err == nil {
		rs.m.delivered.WithLabelValues(strconv.Itoa(sum.Status)).Inc()
	}
	rs.recent.add(sendRecord(body, secrets, sum, err == nil, start, took))
	return resp, err
}

// eventsPath is the Events API path a stored event's URL ends with.
func eventsPath(storedURL string) string {
	if strings.HasSuffix(storedURL, event.ChangePath) {
		return event.ChangePath
	}
	return event.AlertPath
}

// maxRecent is how many sends the status page shows.
const maxRecent = 50

// sent is one send upstream, as the status page shows it: masked.
type sent struct {
	At         time.Time
	RoutingKey string // masked
	DedupKey   string
	Action     string
	Status     int
	Delivered  bool
	Reason     string // masked
	Took       time.Duration
}

// recentSends keeps the latest maxRecent sends, newest first.
type recentSends struct {
	mu    sync.Mutex
	sends []sent
}

func (r *recentSends) add(s sent) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.sends = append([]sent{s}, r.sends...)
	if len(r.sends) > maxRecent {
		r.sends = r.sends[:maxRecent]
	}
}

func (r *recentSends) list() []sent {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]sent(nil), r.sends...)
}

// sendRecord describes a send for the status page, keys masked.
func sendRecord(body []byte, secrets []string, sum delivery.Summary, ok bool, at time.Time, took time.Duration) sent {
	var ev struct {
		RoutingKey  string `json:"routing_key"`
		DedupKey    string `json:"dedup_key"`
		EventAction string `json:"event_action"`
	}
	_ = json.Unmarshal(body, &ev) // the body was validated when accepted
	action := ev.EventAction
	if action == "" {
		action = "change"
	}
	return sent{
		At: at, RoutingKey: redact.Key(ev.RoutingKey), DedupKey: ev.DedupKey, Action: action,
		Status: sum.Status, Delivered: ok, Reason: redact.String(sum.Reason, append(secrets, ev.RoutingKey)...), Took: took,
	}
}

// upstreamClient is the relay's default HTTP client upstream: proxies from
// the environment as Go's default, no redirects (the Events API has none,
// and a redirect would carry the routing key elsewhere), and enough idle
// connections kept for the flusher's concurrent sends, which Go's default
// (2 per host) would otherwise dial anew for each event.
func upstreamClient() *http.Client {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.MaxIdleConnsPerHost = outbox.DefaultConcurrency
	return &http.Client{
		Transport:     t,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}
