package relay

import (
	"github.com/prometheus/client_golang/prometheus"
)

// Metric names, as the README documents them. Labels take a small fixed
// set of values: never a routing key or a dedup key.
const (
	MetricReceived         = "fluxpd_relay_events_received_total"
	MetricDelivered        = "fluxpd_relay_events_delivered_total"
	MetricAttempts         = "fluxpd_relay_delivery_attempts_total"
	MetricDeadLetters      = "fluxpd_relay_dead_letters_total"
	MetricPending          = "fluxpd_relay_pending"
	MetricOldest           = "fluxpd_relay_oldest_pending_age_seconds"
	MetricAcceptDuration   = "fluxpd_relay_accept_duration_seconds"
	MetricDeliveryDuration = "fluxpd_relay_delivery_duration_seconds"
	MetricCommits          = "fluxpd_relay_commits_total"
	MetricDamaged          = "fluxpd_relay_outbox_damaged_total"
)

// acceptBuckets span an accept from a group commit on a fast disk (a
// fraction of a millisecond) to an fsync on a slow, busy one (seconds).
var acceptBuckets = []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5}

// deliveryBuckets span one request upstream, from loopback to the 10 s
// attempt timeout.
var deliveryBuckets = []float64{.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10}

// metrics are the relay's Prometheus metrics, in the registry /metrics
// serves.
type metrics struct {
	received         *prometheus.CounterVec
	delivered        *prometheus.CounterVec
	attempts         prometheus.Counter
	deadLetters      prometheus.Counter
	acceptDuration   prometheus.Histogram
	deliveryDuration prometheus.Histogram
	commits          prometheus.Counter
	damaged          prometheus.Counter
}

func newMetrics(reg prometheus.Registerer, s *Server) (*metrics, error) {
	m := &metrics{
		received: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: MetricReceived,
			Help: "Events posted to the relay, by path (/v2/enqueue, /v2/change/enqueue) and outcome (accepted, invalid, refused_key, too_large, full, unavailable).",
		}, []string{"path", "outcome"}),
		delivered: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: MetricDelivered,
			Help: "Events delivered upstream and removed from the outbox, by the HTTP status of the answer (202).",
		}, []string{"status"}),
		attempts: prometheus.NewCounter(prometheus.CounterOpts{
			Name: MetricAttempts,
			Help: "Requests sent upstream, failed ones included.",
		}),
		deadLetters: prometheus.NewCounter(prometheus.CounterOpts{
			Name: MetricDeadLetters,
			Help: "Events moved to the outbox's dead letters: refused upstream with a final answer (400 and the like), or expired.",
		}),
		acceptDuration: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:    MetricAcceptDuration,
			Help:    "Time from a request's headers to its answer: reading, validating and committing (fsync) the event.",
			Buckets: acceptBuckets,
		}),
		deliveryDuration: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:    MetricDeliveryDuration,
			Help:    "Time of one request upstream, answered or not.",
			Buckets: deliveryBuckets,
		}),
		commits: prometheus.NewCounter(prometheus.CounterOpts{
			Name: MetricCommits,
			Help: "Outbox transactions (each one fsync) that committed accepted events; with group commit, fewer than the events.",
		}),
		damaged: prometheus.NewCounter(prometheus.CounterOpts{
			Name: MetricDamaged,
			Help: "Damaged outbox files moved aside at start, a fresh file taking their place.",
		}),
	}
	for _, c := range []prometheus.Collector{m.received, m.delivered, m.attempts, m.deadLetters, m.acceptDuration, m.deliveryDuration, m.commits, m.damaged, queueCollector{s}} {
		if err := reg.Register(c); err != nil {
			return nil, err
		}
	}
	return m, nil
}

var (
	descPending = prometheus.NewDesc(MetricPending, "Events waiting in the outbox for delivery.", nil, nil)
	descOldest  = prometheus.NewDesc(MetricOldest, "Age of the oldest event waiting in the outbox; 0 when none waits.", nil, nil)
)

// queueCollector reads the outbox at every scrape. A scrape while the file
// cannot be read omits its gauges (readyz says why).
type queueCollector struct{ s *Server }

func (c queueCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- descPending
	ch <- descOldest
}

func (c queueCollector) Collect(ch chan<- prometheus.Metric) {
	pending, _, err := c.s.ob.Count()
	if err != nil {
		return
	}
	ch <- prometheus.MustNewConstMetric(descPending, prometheus.GaugeValue, float64(pending))
	oldest, ok, err := c.s.ob.Oldest()
	if err != nil {
		return
	}
	age := 0.0
	if ok {
		age = max(c.s.opts.Now().Sub(oldest).Seconds(), 0)
	}
	ch <- prometheus.MustNewConstMetric(descOldest, prometheus.GaugeValue, age)
}
