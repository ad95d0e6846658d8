package outbox

import (
	"encoding/json"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"
)

// claim expires old events and claims up to limit group heads to send,
// scanning on from where the last claim stopped. A head whose routing key
// has its probe out is held back (see admit), not claimed.
func (f *flush) claim(limit int) ([]task, error) {
	var (
		tasks  []task
		buried []string
	)
	err := f.o.update(func(tx *bolt.Tx) error {
		tasks, buried = nil, nil
		now := f.o.opts.Now()
		f.countStart(tx)
		var old []*record
		c := tx.Bucket(bucketPending).Cursor()
		pos := f.pos
		for k, v := c.Seek(idKey(pos)); k != nil && len(tasks) < limit; k, v = c.Next() {
			var r record
			if err := json.Unmarshal(v, &r); err != nil {
				return err
			}
			pos = r.ID + 1
			if f.o.expired(&r, now) {
				old = append(old, &r)
				continue
			}
			if g := r.group(); !f.seen[g] {
				f.seen[g] = true
				if t, ok := f.consider(&r, now); ok {
					tasks = append(tasks, t)
				}
			}
		}
		var err error
		if buried, err = f.o.buryExpired(tx, old, now); err != nil {
			return err
		}
		f.pos, f.exhausted = pos, len(tasks) < limit
		return f.lease(tx, tasks, now)
	})
	return tasks, f.finishClaim(err, buried)
}

// claimHeld claims the held heads ids, whose routing key's probe was
// answered, unless they changed meanwhile.
func (f *flush) claimHeld(ids []uint64) ([]task, error) {
	var (
		tasks  []task
		buried []string
	)
	err := f.o.update(func(tx *bolt.Tx) error {
		tasks, buried = nil, nil
		now := f.o.opts.Now()
		var old []*record
		for _, id := range ids {
			r, err := getRecord(tx.Bucket(bucketPending), id)
			switch {
			case err != nil:
				return err
			case r == nil: // dropped meanwhile
			case f.o.expired(r, now):
				old = append(old, r)
			default:
				if t, ok := f.consider(r, now); ok {
					tasks = append(tasks, t)
				}
			}
		}
		var err error
		if buried, err = f.o.buryExpired(tx, old, now); err != nil {
			return err
		}
		return f.lease(tx, tasks, now)
	})
	return tasks, f.finishClaim(err, buried)
}

// claimGroup claims the head of the one group FlushOptions.Group names.
func (f *flush) claimGroup() ([]task, error) {
	f.exhausted = true
	var (
		tasks  []task
		buried []string
	)
	g := f.fo.Group
	err := f.o.update(func(tx *bolt.Tx) error {
		tasks = nil
		now := f.o.opts.Now()
		f.countStart(tx)
		h, b, err := f.o.groupHead(tx, g.RoutingKey, g.DedupKey, now)
		if buried = b; h == nil || err != nil {
			return err
		}
		if t, ok := f.consider(h, now); ok {
			tasks = []task{t}
		}
		return f.lease(tx, tasks, now)
	})
	return tasks, f.finishClaim(err, buried)
}

// consider decides whether to send r, a group head that has not expired:
// not if another flusher holds it, if the flush leaves its routing key out,
// if it is not due (without Force), or if admit holds it back or defers it.
func (f *flush) consider(r *record, now time.Time) (task, bool) {
	switch {
	case f.o.leased(r, now):
		f.count(func(rp *Report) { rp.Busy++ })
		return task{}, false
	case f.keys != nil && !f.keys[r.RoutingKey]:
		return task{}, false
	case !f.fo.Force && now.Before(r.NextAttempt):
		return task{}, false
	}
	switch f.admit(r, now) {
	case admitProbe:
		return task{h: r, probe: true}, true
	case admitSend:
		return task{h: r}, true
	}
	return task{}, false
}

// lease reserves the tasks' events for this flush.
func (f *flush) lease(tx *bolt.Tx, tasks []task, now time.Time) error {
	for _, t := range tasks {
		t.h.LeaseOwner, t.h.LeaseUntil = f.owner, now.Add(f.o.opts.LeaseTTL)
		if err := putRecord(tx, t.h); err != nil {
			return err
		}
	}
	return nil
}

// finishClaim counts and logs the events a claim dead-lettered for their
// age, once its transaction has committed.
func (f *flush) finishClaim(err error, buried []string) error {
	if err != nil {
		return err
	}
	f.count(func(rp *Report) { rp.Expired += len(buried) })
	for _, l := range buried {
		f.o.logf("%s", l)
	}
	return nil
}

// countStart counts the pending events the first time the flush reads the
// file, for a report that cannot count them at the end.
func (f *flush) countStart(tx *bolt.Tx) {
	if f.started < 0 {
		f.started = tx.Bucket(bucketPending).Stats().KeyN
	}
}

// leased reports whether a flusher that may still be running holds r.
func (o *Outbox) leased(r *record, now time.Time) bool {
	return r.LeaseOwner != "" && now.Before(r.LeaseUntil) && leaseAlive(r.LeaseOwner, o.owner)
}

// expired reports whether r is older than MaxAge and held by no flusher.
func (o *Outbox) expired(r *record, now time.Time) bool {
	return !o.leased(r, now) && now.Sub(r.Created) > o.opts.MaxAge
}

// buryExpired dead-letters the expired records rs and returns a log line
// for each.
func (o *Outbox) buryExpired(tx *bolt.Tx, rs []*record, now time.Time) ([]string, error) {
	var lines []string
	for _, r := range rs {
		reason := fmt.Sprintf("%s: older than %s (queued %s)", ReasonExpired, o.opts.MaxAge, r.Created.Format(time.RFC3339))
		if r.LastReason != "" {
			reason += "; last failure: " + r.LastReason
		}
		if err := bury(tx, r, reason, now); err != nil {
			return nil, err
		}
		lines = append(lines, fmt.Sprintf("dead-lettered #%d %s: %s", r.ID, describe(r.Entry), reason))
	}
	return lines, nil
}

// groupHead returns the first pending event of the group (routingKey,
// dedupKey), nil if none, dead-lettering expired events on the way and
// dropping stale index entries. It returns a log line per dead letter.
func (o *Outbox) groupHead(tx *bolt.Tx, routingKey, dedupKey string, now time.Time) (*record, []string, error) {
	var buried []string
	prefix := groupKey(routingKey, dedupKey)
	c := tx.Bucket(bucketGroups).Cursor()
	for k, _ := c.Seek(prefix); k != nil && hasPrefix(k, prefix); k, _ = c.Seek(prefix) {
		r, err := getRecord(tx.Bucket(bucketPending), beUint64(k[len(prefix):]))
		switch {
		case err != nil:
			return nil, nil, err
		case r == nil: // a stale index entry
			if err := tx.Bucket(bucketGroups).Delete(k); err != nil {
				return nil, nil, err
			}
		case o.expired(r, now):
			lines, err := o.buryExpired(tx, []*record{r}, now)
			if err != nil {
				return nil, nil, err
			}
			buried = append(buried, lines...)
		default:
			return r, buried, nil
		}
	}
	return nil, buried, nil
}

// release gives back this flush's claim on h, untried.
func (f *flush) release(h *record) error {
	return f.o.batch(func(tx *bolt.Tx) error {
		r, err := f.mine(tx, h.ID)
		if r == nil || err != nil {
			return err
		}
		r.LeaseOwner, r.LeaseUntil = "", time.Time{}
		return putRecord(tx, r)
	})
}

// mine returns the pending record id if this flush still holds it.
func (f *flush) mine(tx *bolt.Tx, id uint64) (*record, error) {
	r, err := getRecord(tx.Bucket(bucketPending), id)
	if r == nil || err != nil || r.LeaseOwner != f.owner {
		return nil, err
	}
	return r, nil
}

func beUint64(b []byte) uint64 {
	if len(b) != 8 {
		return 0
	}
	var v uint64
	for _, c := range b {
		v = v<<8 | uint64(c)
	}
	return v
}
