package main

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/fluxpd/fluxpd/integrations/relaytest"
)

// warmupPerSender is how many events each sender posts before the timed
// part: connections opened, the relay's first commits done.
const warmupPerSender = 4

// acceptResult is one timed accept run.
type acceptResult struct {
	Commit          string  `json:"commit"`   // group or each
	Upstream        string  `json:"upstream"` // held or instant
	Senders         int     `json:"senders"`
	Events          int     `json:"events"` // answered 202 in the timed part
	Seconds         float64 `json:"seconds"`
	EventsPerSecond float64 `json:"events_per_second"`
	P50ms           float64 `json:"p50_ms"`
	P99ms           float64 `json:"p99_ms"`
	MaxMs           float64 `json:"max_ms"`
	// Commits is fluxpd_relay_commits_total over the timed part: how many
	// fsyncs accepting (and, with an instant upstream, delivering) took.
	Commits float64 `json:"commits"`
	// Delivered is how many events the instant upstream received meanwhile.
	Delivered int `json:"delivered"`
}

// runAccept measures how many events a relay committing as commit
// accepts per second from c.senders senders over c.duration, with the
// upstream held (deliver false) or instant.
func runAccept(ctx context.Context, c config, commit string, deliver bool) (acceptResult, error) {
	res := acceptResult{Commit: commit, Upstream: upstreamName(deliver), Senders: c.senders}
	up, err := startSink(deliver)
	if err != nil {
		return res, err
	}
	defer up.Close()
	r, err := startRelay(c, outboxPath(c, "accept-"+commit+"-"+res.Upstream), up.URL, commit, noRetry)
	if err != nil {
		return res, err
	}
	defer func() { _ = r.Kill() }()
	url := r.URL + "/v2/enqueue"
	// Warm-up alerts come after the timed part's, so that no alert's
	// order mixes the two.
	warm := func(s, i int) (relaytest.Event, bool) {
		return relaytest.NewEvent(c.senders*alertsPerSender+s, i+1, c.keys), i < warmupPerSender
	}
	if _, err := blast(ctx, url, c.senders, warm); err != nil {
		return res, fmt.Errorf("warm-up: %w", err)
	}
	commits0, err := metric(r, "fluxpd_relay_commits_total")
	if err != nil {
		return res, err
	}
	delivered0 := up.Stats().Distinct
	t0 := time.Now()
	lat, err := blast(ctx, url, c.senders, until(t0.Add(c.duration), c.keys))
	elapsed := time.Since(t0)
	if err != nil {
		return res, err
	}
	commits1, err := metric(r, "fluxpd_relay_commits_total")
	if err != nil {
		return res, err
	}
	slices.Sort(lat)
	res.Events, res.Seconds = len(lat), elapsed.Seconds()
	res.EventsPerSecond = float64(len(lat)) / elapsed.Seconds()
	res.P50ms, res.P99ms, res.MaxMs = ms(percentile(lat, 50)), ms(percentile(lat, 99)), ms(lat[len(lat)-1])
	st := up.Stats()
	res.Commits, res.Delivered = commits1-commits0, st.Distinct-delivered0
	if p := st.Problems(); p != "" {
		return res, fmt.Errorf("the upstream received: %s", p)
	}
	return res, r.Stop()
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
