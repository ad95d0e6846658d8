package outbox

import (
	"sync/atomic"
	"testing"

	bolt "go.etcd.io/bbolt"
)

// An index entry of the groups bucket whose event is gone (a file
// salvaged or mended by hand) makes its alert look waiting; a flush of
// that alert drops the entry, and the alert's real events are sent.
func TestClaimGroup_DropsStaleIndexEntries(t *testing.T) {
	var sent atomic.Int32
	ob := openInternal(t, Options{Sender: accepting(&sent)})
	err := ob.update(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketGroups).Put(append(groupKey(leaseKey, "a"), idKey(99)...), nil)
	})
	if err != nil {
		t.Fatal(err)
	}
	if !ob.Pending(leaseKey, "a") {
		t.Fatal("a stale index entry does not make its alert look waiting; the test tests nothing")
	}
	if _, err := ob.Enqueue(Entry{URL: fixtureURL, RoutingKey: leaseKey, DedupKey: "a", Body: []byte(`{}`)}); err != nil {
		t.Fatal(err)
	}
	rep, err := ob.Flush(t.Context(), FlushOptions{Group: &Group{RoutingKey: leaseKey, DedupKey: "a"}})
	if err != nil || rep.Delivered != 1 || sent.Load() != 1 {
		t.Errorf("Flush = %s, %v (%d sent); want the real event delivered", rep, err, sent.Load())
	}
	if ob.Pending(leaseKey, "a") {
		t.Errorf("the alert still looks waiting: the stale entry was kept")
	}
}
