package main

import (
	"context"
	"fmt"
	"time"
)

// drainAlertsDivisor sets how many alerts the queued events of the drain belong
// to: ten events each with the default size, over c.keys routing keys.
const drainAlertsDivisor = 10

// drainPoll is how often the drain looks at what the upstream received.
const drainPoll = time.Millisecond

// drainResult is the drain of a queue to an instant upstream.
type drainResult struct {
	Events          int     `json:"events"`
	Alerts          int     `json:"alerts"`
	Keys            int     `json:"keys"`
	Seconds         float64 `json:"seconds"` // from the relay's start to the last event received
	EventsPerSecond float64 `json:"events_per_second"`
	StartSeconds    float64 `json:"start_seconds"` // from the start to the listening line
	Requests        int     `json:"requests"`      // upstream requests, duplicates included
}

// runDrain queues c.drainN events behind a held upstream, stops that
// relay, then starts another on the same file with an instant upstream
// and pacing off, and times it from its start until the upstream has
// every event.
func runDrain(ctx context.Context, c config) (drainResult, error) {
	alerts := max(1, c.drainN/drainAlertsDivisor)
	res := drainResult{Events: c.drainN, Alerts: alerts, Keys: c.keys}
	outbox := outboxPath(c, "drain")
	sink, err := startSink(false)
	if err != nil {
		return res, err
	}
	defer sink.Close()
	if err := queue(ctx, c, outbox, sink.URL, planned(c.drainN, alerts, c.keys, c.senders)); err != nil {
		return res, err
	}
	sink.Hold(false)
	t0 := time.Now()
	r, err := startRelay(c, outbox, sink.URL, "group", relayRetry)
	if err != nil {
		return res, err
	}
	defer func() { _ = r.Kill() }()
	res.StartSeconds = time.Since(t0).Seconds()
	deadline := t0.Add(startLimit)
	for sink.Stats().Distinct < c.drainN {
		if time.Now().After(deadline) {
			return res, fmt.Errorf("gave up after %s: the upstream has %d of %d events", startLimit, sink.Stats().Distinct, c.drainN)
		}
		time.Sleep(drainPoll)
	}
	st := sink.Stats()
	res.Seconds = st.Last.Sub(t0).Seconds()
	res.EventsPerSecond = float64(c.drainN) / res.Seconds
	res.Requests = st.Requests
	if p := st.Problems(); p != "" {
		return res, fmt.Errorf("the upstream received: %s", p)
	}
	return res, r.Stop()
}

// relayRetry is a short redelivery backoff for a relay that delivers.
var relayRetry = []string{"FLUXPD_OUTBOX_RETRY=50ms", "FLUXPD_OUTBOX_RETRY_MAX=500ms"}

// queue makes a relay accept the events of feed into outbox behind a
// held upstream, then stops it: they stay pending, each due at once.
func queue(ctx context.Context, c config, outbox, upstream string, feed next) error {
	r, err := startRelay(c, outbox, upstream, "group", retryAtOnce)
	if err != nil {
		return err
	}
	defer func() { _ = r.Kill() }()
	if _, err := blast(ctx, r.URL+"/v2/enqueue", c.senders, feed); err != nil {
		return fmt.Errorf("queueing: %w", err)
	}
	return r.Stop()
}
