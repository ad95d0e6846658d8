package host

import (
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/fluxpd/fluxpd/internal/outbox"
)

// Metrics are fluxpd's Prometheus metrics in one host: what the pagerduty
// calls sent and how it ended, and what waits in the outbox. Every host
// registers them in the registry it serves (InfluxDB 2's /metrics, the
// relay's), or in one of its own (fluxpd run). The README lists them.
// A nil *Metrics records nothing.
type Metrics struct {
	events      *prometheus.CounterVec
	attempts    prometheus.Counter
	duration    prometheus.Histogram
	redelivered prometheus.Counter
	storeErrors prometheus.Counter
	damaged     prometheus.Counter
}

// Metric names, as the README documents them.
const (
	MetricEvents      = "fluxpd_pagerduty_events_total"
	MetricAttempts    = "fluxpd_pagerduty_send_attempts_total"
	MetricDuration    = "fluxpd_pagerduty_send_duration_seconds"
	MetricPending     = "fluxpd_outbox_pending"
	MetricDead        = "fluxpd_outbox_dead_letters"
	MetricOldest      = "fluxpd_outbox_oldest_pending_age_seconds"
	MetricRedelivered = "fluxpd_outbox_redelivered_total"
	MetricStoreErrors = "fluxpd_outbox_store_errors_total"
	MetricDamaged     = "fluxpd_outbox_damaged_total"
)

// durationBuckets span a send from a loopback answer (milliseconds) to
// retries that use the whole default deadline (a minute and more).
var durationBuckets = []float64{.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30, 60, 120}

// NewMetrics creates the metrics; Register puts them in a registry.
func NewMetrics() *Metrics {
	m := &Metrics{
		events: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: MetricEvents,
			Help: "Events the pagerduty functions sent or refused, by function (sendEvent, sendChangeEvent, endpoint) and outcome (accepted, rejected, invalid, queued, failed).",
		}, []string{"function", "outcome"}),
		attempts: prometheus.NewCounter(prometheus.CounterOpts{
			Name: MetricAttempts,
			Help: "HTTP requests the pagerduty functions sent, retries included (redeliveries from the outbox not included).",
		}),
		duration: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:    MetricDuration,
			Help:    "Time from the first attempt of an event to its outcome, retries and waits included.",
			Buckets: durationBuckets,
		}),
		redelivered: prometheus.NewCounter(prometheus.CounterOpts{
			Name: MetricRedelivered,
			Help: "Events the outbox delivered (2xx) after they had waited in it.",
		}),
		storeErrors: prometheus.NewCounter(prometheus.CounterOpts{
			Name: MetricStoreErrors,
			Help: "Events that PagerDuty did not take and that the outbox could not store either: lost, and reported as failed.",
		}),
		damaged: prometheus.NewCounter(prometheus.CounterOpts{
			Name: MetricDamaged,
			Help: "Damaged outbox files moved aside at start, a fresh file taking their place.",
		}),
	}
	return m
}

// Register registers the metrics in reg, and with ob (when not nil) the
// outbox's gauges (see WatchOutbox).
func (m *Metrics) Register(reg prometheus.Registerer, ob *outbox.Outbox) error {
	for _, c := range []prometheus.Collector{m.events, m.attempts, m.duration, m.redelivered, m.storeErrors, m.damaged} {
		if err := reg.Register(c); err != nil {
			return err
		}
	}
	if ob != nil {
		return WatchOutbox(reg, ob)
	}
	return nil
}

// Sent records one event's outcome, the requests it took and how long.
func (m *Metrics) Sent(function string, o Outcome, attempts int, took time.Duration) {
	if m == nil {
		return
	}
	m.events.WithLabelValues(function, o.String()).Inc()
	if attempts > 0 {
		m.attempts.Add(float64(attempts))
		m.duration.Observe(took.Seconds())
	}
}

// StoreFailed records an event lost because the outbox could not store it.
func (m *Metrics) StoreFailed() {
	if m != nil {
		m.storeErrors.Inc()
	}
}

// Redelivered records events the outbox delivered.
func (m *Metrics) Redelivered(n int) {
	if m != nil && n > 0 {
		m.redelivered.Add(float64(n))
	}
}

// Damaged records a damaged outbox file moved aside.
func (m *Metrics) Damaged() {
	if m != nil {
		m.damaged.Inc()
	}
}

// WatchOutbox registers in reg the gauges of ob, read from its Stats at
// every scrape: pending events, dead letters and the oldest pending
// event's age. A scrape while ob cannot be read omits them.
func WatchOutbox(reg prometheus.Registerer, ob *outbox.Outbox) error {
	return reg.Register(outboxCollector{ob})
}

var (
	descPending = prometheus.NewDesc(MetricPending, "Events waiting in the outbox for redelivery.", nil, nil)
	descDead    = prometheus.NewDesc(MetricDead, "Events in the outbox's dead letters (PagerDuty refused them, or they expired).", nil, nil)
	descOldest  = prometheus.NewDesc(MetricOldest, "Age of the oldest event waiting in the outbox; 0 when none waits.", nil, nil)
)

type outboxCollector struct{ ob *outbox.Outbox }

func (c outboxCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- descPending
	ch <- descDead
	ch <- descOldest
}

func (c outboxCollector) Collect(ch chan<- prometheus.Metric) {
	st, err := c.ob.Stats()
	if err != nil {
		return
	}
	ch <- prometheus.MustNewConstMetric(descPending, prometheus.GaugeValue, float64(st.Pending))
	ch <- prometheus.MustNewConstMetric(descDead, prometheus.GaugeValue, float64(st.Dead))
	ch <- prometheus.MustNewConstMetric(descOldest, prometheus.GaugeValue, st.Oldest.Seconds())
}
