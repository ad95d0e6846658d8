package emulator

import "time"

// rateWindow is the sliding window of PagerDuty's per-integration rate
// limit, about 120 events per minute:
// https://developer.pagerduty.com/docs/events-api-v2-overview#api-limits.
const rateWindow = 60 * time.Second

// limiter counts admitted events per routing key over a sliding window.
// Rejected and throttled events are not counted: they were not ingested.
type limiter struct {
	limit  int           // events per window; 0 = unlimited
	window time.Duration // 0 = rateWindow
	hits   map[string][]time.Time
}

func newLimiter(limit int) limiter {
	return limiter{limit: limit, hits: make(map[string][]time.Time)}
}

// allow reports whether one more event for key fits in the window ending
// at now, and counts it if so.
func (l *limiter) allow(key string, now time.Time) bool {
	if l.limit <= 0 {
		return true
	}
	h := l.hits[key]
	window := rateWindow
	if l.window > 0 {
		window = l.window
	}
	cut := now.Add(-window)
	i := 0
	for i < len(h) && !h[i].After(cut) {
		i++
	}
	h = h[i:]
	if len(h) >= l.limit {
		l.hits[key] = h
		return false
	}
	l.hits[key] = append(h, now)
	return true
}
