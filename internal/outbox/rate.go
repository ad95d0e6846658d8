package outbox

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Rate pacing: a host that relays events for many senders sends each
// routing key at most Rate.N events in any window of Rate.Per, the way
// PagerDuty counts its limit (about 120 events per minute per integration
// key, over a sliding window:
// https://support.pagerduty.com/main/docs/dynamic-notifications#rate-limits),
// so that a burst waits in the outbox instead of being refused with a 429
// that PagerDuty does not ingest. A flush given a Limiter defers a due
// head whose key has no room (counted in Report.Deferred); it waits for a
// later flush.

// Limiter decides, per routing key, whether a flush may send an event now.
// Allow is called once per send the flush is about to claim and counts
// that send when it reports true. It must be safe for concurrent use.
type Limiter interface {
	Allow(routingKey string, now time.Time) bool
}

// allow asks the flush's Limiter, if any, for a send of routingKey.
func (f *flush) allow(routingKey string, now time.Time) bool {
	return f.fo.Limiter == nil || f.fo.Limiter.Allow(routingKey, now)
}

// Rate is at most N sends in any window of Per.
type Rate struct {
	N   int
	Per time.Duration
}

// MaxRateN bounds Rate.N: PagerDuty grants AIOps accounts up to 10000
// events per minute per key; a larger N is surely a typo.
const MaxRateN = 1_000_000

// ParseRate reads "N/PERIOD", such as 120/1m or 2/1s, where PERIOD is a Go
// duration (a bare unit such as "m" means 1m). The error names param.
func ParseRate(param, s string) (Rate, error) {
	n, per, ok := strings.Cut(strings.TrimSpace(s), "/")
	bad := func(why string) (Rate, error) {
		return Rate{}, fmt.Errorf("%s must be N/PERIOD, such as 120/1m (PagerDuty's default limit) or 2/1s, or off; got %q: %s", param, s, why)
	}
	if !ok {
		return bad("no '/'")
	}
	count, err := strconv.Atoi(n)
	if err != nil || count < 1 || count > MaxRateN {
		return bad(fmt.Sprintf("N must be a whole number from 1 to %d", MaxRateN))
	}
	if per != "" && (per[0] < '0' || per[0] > '9') {
		per = "1" + per
	}
	d, err := time.ParseDuration(per)
	if err != nil || d <= 0 {
		return bad("PERIOD must be a positive duration such as 1m, 30s or 1h")
	}
	return Rate{N: count, Per: d}, nil
}

func (r Rate) String() string { return fmt.Sprintf("%d/%s", r.N, r.Per) }

// KeyRate is a Limiter allowing each routing key Rate.N sends in any
// window of Rate.Per (a sliding window: the times of a key's last N sends
// are kept). Its state is in memory: it paces this process's sends.
type KeyRate struct {
	rate Rate
	mu   sync.Mutex
	keys map[string]*window
	// denied is set when a send was refused, until Next reads it.
	denied bool
}

// window holds the times of a key's latest sends, oldest first, at most
// rate.N of them.
type window struct {
	sent []time.Time
}

// NewKeyRate returns a KeyRate for r, which must have N >= 1 and Per > 0.
func NewKeyRate(r Rate) *KeyRate {
	return &KeyRate{rate: r, keys: map[string]*window{}}
}

// Rate returns the rate k enforces.
func (k *KeyRate) Rate() Rate { return k.rate }

// Allow reports whether routingKey may send now, counting the send if so.
func (k *KeyRate) Allow(routingKey string, now time.Time) bool {
	k.mu.Lock()
	defer k.mu.Unlock()
	w := k.keys[routingKey]
	if w == nil {
		w = &window{}
		k.keys[routingKey] = w
	}
	w.expire(now, k.rate.Per)
	if len(w.sent) >= k.rate.N {
		k.denied = true
		return false
	}
	w.sent = append(w.sent, now)
	return true
}

// RoomAt returns when routingKey has room for a send again, and false when
// it has room now; it counts no send.
func (k *KeyRate) RoomAt(routingKey string, now time.Time) (time.Time, bool) {
	k.mu.Lock()
	defer k.mu.Unlock()
	w := k.keys[routingKey]
	if w == nil {
		return time.Time{}, false
	}
	w.expire(now, k.rate.Per)
	if len(w.sent) < k.rate.N {
		return time.Time{}, false
	}
	return w.sent[0].Add(k.rate.Per), true
}

// expire forgets the sends that left the window ending at now.
func (w *window) expire(now time.Time, per time.Duration) {
	i := 0
	for i < len(w.sent) && !now.Before(w.sent[i].Add(per)) {
		i++
	}
	if i > 0 {
		w.sent = append(w.sent[:0], w.sent[i:]...)
	}
}

// Next returns the earliest time after now at which a key that was refused
// since the last call to Next has room again, or the zero time when no
// send was refused. Keys with no send in the window are forgotten.
func (k *KeyRate) Next(now time.Time) time.Time {
	k.mu.Lock()
	defer k.mu.Unlock()
	var next time.Time
	for key, w := range k.keys {
		w.expire(now, k.rate.Per)
		switch {
		case len(w.sent) == 0:
			delete(k.keys, key)
		case len(w.sent) >= k.rate.N:
			if free := w.sent[0].Add(k.rate.Per); next.IsZero() || free.Before(next) {
				next = free
			}
		}
	}
	if !k.denied {
		return time.Time{}
	}
	k.denied = false
	if next.IsZero() { // room came back meanwhile
		next = now
	}
	return next
}

// KeyUse is one routing key's use of its rate, for a status page.
type KeyUse struct {
	RoutingKey string
	// Sent counts its sends in the current window.
	Sent int
	// Full reports that it has no room; Until is when it has again.
	Full  bool
	Until time.Time
}

// Use returns the keys with sends in the window ending at now, busiest
// first.
func (k *KeyRate) Use(now time.Time) []KeyUse {
	k.mu.Lock()
	defer k.mu.Unlock()
	var out []KeyUse
	for key, w := range k.keys {
		w.expire(now, k.rate.Per)
		if len(w.sent) == 0 {
			continue
		}
		u := KeyUse{RoutingKey: key, Sent: len(w.sent), Full: len(w.sent) >= k.rate.N}
		if u.Full {
			u.Until = w.sent[0].Add(k.rate.Per)
		}
		out = append(out, u)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Sent != out[j].Sent {
			return out[i].Sent > out[j].Sent
		}
		return out[i].RoutingKey < out[j].RoutingKey
	})
	return out
}
