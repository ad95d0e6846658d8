package main

import (
	"context"
	"fmt"
	"os"
	"time"
)

// rssAlertsDivisor: the pending events of the memory run belong to
// one alert per ten events.
const rssAlertsDivisor = 10

// rssResult is the relay's memory with many events pending.
type rssResult struct {
	Pending         int     `json:"pending"`
	IdleRSSKiB      int64   `json:"idle_rss_kib"`      // after start, nothing pending
	RSSKiB          int64   `json:"rss_kib"`           // with Pending pending
	HWMKiB          int64   `json:"hwm_kib"`           // peak RSS of the process
	OutboxBytes     int64   `json:"outbox_bytes"`      // the outbox file's size
	AcceptPerSecond float64 `json:"accept_per_second"` // while queueing them
}

// runRSS queues c.rssN events behind a held upstream and reads the
// relay's RSS, checking that its fluxpd_relay_pending counts them all.
func runRSS(ctx context.Context, c config) (rssResult, error) {
	res := rssResult{Pending: c.rssN}
	h, err := startSink(false)
	if err != nil {
		return res, err
	}
	defer h.Close()
	outbox := outboxPath(c, "rss")
	r, err := startRelay(c, outbox, h.URL, "group", noRetry)
	if err != nil {
		return res, err
	}
	defer func() { _ = r.Kill() }()
	idle, err := procStatus(r.Pid(), "VmRSS")
	if err != nil {
		return res, err
	}
	t0 := time.Now()
	feed := planned(c.rssN, max(1, c.rssN/rssAlertsDivisor), c.keys, c.senders)
	if _, err := blast(ctx, r.URL+"/v2/enqueue", c.senders, feed); err != nil {
		return res, err
	}
	res.AcceptPerSecond = float64(c.rssN) / time.Since(t0).Seconds()
	pending, err := metric(r, "fluxpd_relay_pending")
	if err != nil {
		return res, err
	}
	if int(pending) != c.rssN {
		return res, fmt.Errorf("fluxpd_relay_pending is %v after %d events answered 202 behind a held upstream, want %d", pending, c.rssN, c.rssN)
	}
	st, err := procStatus(r.Pid(), "VmRSS", "VmHWM")
	if err != nil {
		return res, err
	}
	res.IdleRSSKiB, res.RSSKiB, res.HWMKiB = idle["VmRSS"], st["VmRSS"], st["VmHWM"]
	if fi, err := os.Stat(outbox); err == nil {
		res.OutboxBytes = fi.Size()
	}
	return res, r.Stop()
}
