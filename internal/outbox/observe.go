package outbox

import (
	"sort"
	"time"

	bolt "go.etcd.io/bbolt"
)

// Count returns the numbers of pending events and dead letters without
// reading the events, for a host that bounds its queue (the relay's
// --max-pending) or watches it often.
func (o *Outbox) Count() (pending, dead int, err error) {
	err = o.view(func(tx *bolt.Tx) error {
		pending = tx.Bucket(bucketPending).Stats().KeyN
		dead = tx.Bucket(bucketDead).Stats().KeyN
		return nil
	})
	return pending, dead, err
}

// PacedKey is a routing key this Outbox's flushes are pacing after a 429,
// a 5xx or no answer (see pacing.go).
type PacedKey struct {
	RoutingKey string
	// Until is when the key may be probed again.
	Until time.Time
	// Refusals counts its failed probes in a row.
	Refusals int
}

// Paced returns the routing keys paced at now, the longest wait first.
func (o *Outbox) Paced(now time.Time) []PacedKey {
	p := o.pacer()
	p.mu.Lock()
	defer p.mu.Unlock()
	var out []PacedKey
	for key, k := range p.keys {
		if now.Before(k.until) {
			out = append(out, PacedKey{RoutingKey: key, Until: k.until, Refusals: k.refusals})
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if !out[i].Until.Equal(out[j].Until) {
			return out[i].Until.After(out[j].Until)
		}
		return out[i].RoutingKey < out[j].RoutingKey
	})
	return out
}

// Oldest returns when the first pending event (the lowest ID) was created,
// and false when none is pending, reading that one event only. It is the
// oldest pending event's time unless events were queued with an earlier
// Created after it (as Salvage does).
func (o *Outbox) Oldest() (time.Time, bool, error) {
	var created time.Time
	found := false
	err := o.view(func(tx *bolt.Tx) error {
		k, v := tx.Bucket(bucketPending).Cursor().First()
		if k == nil {
			return nil
		}
		r, err := decodeRecord(bucketPending, k, v)
		if err != nil {
			return err
		}
		created, found = r.Created, true
		return nil
	})
	return created, found, err
}

// PacedUntil returns when routingKey may be probed again after a 429, a
// 5xx or no answer, and whether that is after now: a host that wakes its
// flusher for each new event need not wake it for a paced key.
func (o *Outbox) PacedUntil(routingKey string, now time.Time) (time.Time, bool) {
	return o.pacer().pacedUntil(routingKey, now)
}
