package main

// fluxpd's metrics at the /metrics InfluxDB 1.8 serves, after every step.

import (
	"fmt"

	"github.com/fluxpd/fluxpd/integrations/e2e"
)

// metrics: InfluxDB 1.8's /metrics (Prometheus' default registry) serves
// fluxpd's metrics, and they count what the scenario sent: sendEvent (a)
// and endpoint() (b) events accepted, requests and their times, and the
// outbox's gauges.
func (s *runner) metrics() {
	m, err := e2e.FluxpdMetrics(s.client, s.influx, s.answers, map[string]float64{
		`fluxpd_pagerduty_events_total{function="sendEvent",outcome="accepted"}`: 1,
		`fluxpd_pagerduty_events_total{function="endpoint",outcome="accepted"}`:  1,
		`fluxpd_pagerduty_send_attempts_total`:                                   2,
		`fluxpd_pagerduty_send_duration_seconds_count`:                           2,
		`fluxpd_outbox_pending`:                                                  0,
		`fluxpd_outbox_dead_letters`:                                             0,
	})
	s.CheckSeen("fluxpd's metrics at InfluxDB's /metrics count the scenario's events", fmt.Sprintf("%d fluxpd series", len(m.Samples)), err)
}
