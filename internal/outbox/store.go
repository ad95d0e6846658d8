package outbox

// How events are stored: the pending and dead buckets map an event's ID
// (big-endian) to its record as JSON; the groups bucket indexes the
// pending events by (routing key, dedup key) then ID.

import (
	"encoding/binary"
	"encoding/json"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"
)

func idKey(id uint64) []byte {
	return binary.BigEndian.AppendUint64(nil, id)
}

// groupKey encodes (routing key, dedup key) with length prefixes, so that
// no group's key is a prefix of another's.
func groupKey(routingKey, dedupKey string) []byte {
	b := binary.AppendUvarint(nil, uint64(len(routingKey)))
	b = append(b, routingKey...)
	b = binary.AppendUvarint(b, uint64(len(dedupKey)))
	return append(b, dedupKey...)
}

func hasPrefix(b, prefix []byte) bool {
	return len(b) >= len(prefix) && string(b[:len(prefix)]) == string(prefix)
}

// group names the ordering group of r: its key pair, or its own ID when it
// has no dedup key.
func (r *record) group() string {
	if r.DedupKey == "" {
		return fmt.Sprintf("id:%d", r.ID)
	}
	return string(groupKey(r.RoutingKey, r.DedupKey))
}

func putRecord(tx *bolt.Tx, r *record) error {
	v, err := json.Marshal(r)
	if err != nil {
		return err
	}
	bucket := bucketPending
	if r.Dead {
		bucket = bucketDead
	}
	if err := tx.Bucket(bucket).Put(idKey(r.ID), v); err != nil {
		return err
	}
	if !r.Dead && r.DedupKey != "" {
		return tx.Bucket(bucketGroups).Put(append(groupKey(r.RoutingKey, r.DedupKey), idKey(r.ID)...), nil)
	}
	return nil
}

func getRecord(b *bolt.Bucket, id uint64) (*record, error) {
	k := idKey(id)
	v := b.Get(k)
	if v == nil {
		return nil, nil
	}
	return decodeRecord(nil, k, v)
}

func deleteRecord(tx *bolt.Tx, bucket []byte, r *record) error {
	if err := tx.Bucket(bucket).Delete(idKey(r.ID)); err != nil {
		return err
	}
	if string(bucket) == string(bucketPending) && r.DedupKey != "" {
		return tx.Bucket(bucketGroups).Delete(append(groupKey(r.RoutingKey, r.DedupKey), idKey(r.ID)...))
	}
	return nil
}

// bury moves a pending r to the dead letters with reason.
func bury(tx *bolt.Tx, r *record, reason string, now time.Time) error {
	if err := deleteRecord(tx, bucketPending, r); err != nil {
		return err
	}
	r.Dead, r.DeadAt, r.LastReason = true, now, reason
	r.LeaseOwner, r.LeaseUntil = "", time.Time{}
	return putRecord(tx, r)
}
