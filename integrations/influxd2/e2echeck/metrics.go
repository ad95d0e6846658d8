package main

// fluxpd's metrics at InfluxDB 2's own /metrics, after every step.

import (
	"fmt"
	"strings"

	"github.com/fluxpd/fluxpd/integrations/e2e"
)

// metrics: the server's /metrics serves fluxpd's metrics, and they count
// what the scenario did: endpoint() events accepted (the rules and the
// task) and rejected (the wrong keys), requests and their times, the
// outbox's gauges (empty after (e)) and what its flusher redelivered.
// The series are shown for the reader.
func (s *runner) metrics() {
	m, err := e2e.FluxpdMetrics(s.client, s.influx, s.answers, map[string]float64{
		`fluxpd_pagerduty_events_total{function="endpoint",outcome="accepted"}`: 1,
		`fluxpd_pagerduty_events_total{function="endpoint",outcome="rejected"}`: 1,
		`fluxpd_pagerduty_send_attempts_total`:                                  1,
		`fluxpd_pagerduty_send_duration_seconds_count`:                          1,
		`fluxpd_outbox_dead_letters`:                                            0,
		`fluxpd_outbox_oldest_pending_age_seconds`:                              0,
		`fluxpd_outbox_redelivered_total`:                                       1,
	})
	if pending, ok := m.Samples["fluxpd_outbox_pending"]; err == nil && (!ok || pending != 0) {
		err = fmt.Errorf("fluxpd_outbox_pending = %v (present: %v) after the outbox drained, want 0", pending, ok)
	}
	s.CheckSeen("fluxpd's metrics at InfluxDB's /metrics count the scenario's events", fmt.Sprintf("%d fluxpd series", len(m.Samples)), err)
	for _, line := range strings.Split(m.Text, "\n") {
		if line != "" && !strings.HasPrefix(line, "#") && !strings.Contains(line, "_bucket{") {
			fmt.Printf("      %s\n", line)
		}
	}
}
