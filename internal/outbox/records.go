package outbox

import (
	"encoding/binary"
	"encoding/json"
	"fmt"
)

// idSize is the size of an event's key in the pending and dead buckets:
// its ID, big-endian.
const idSize = 8

// recordError says that a stored event cannot be read. The operation that
// meets it reports the outbox damaged (see DamagedError), naming the event.
type recordError struct {
	bucket string // "pending", "dead", or "" when not known
	id     uint64 // 0 when the key is not an ID
	err    error
}

func (e *recordError) Error() string {
	what := map[string]string{string(bucketPending): "pending event", string(bucketDead): "dead letter"}[e.bucket]
	if what == "" {
		what = "event"
	}
	if e.id == 0 {
		return fmt.Sprintf("a stored %s cannot be read: %v", what, e.err)
	}
	return fmt.Sprintf("%s #%d cannot be read: %v", what, e.id, e.err)
}

func (e *recordError) Unwrap() error { return e.err }

// decodeRecord decodes the stored event v under key k of bucket, checking
// that it is the event its key names.
func decodeRecord(bucket []byte, k, v []byte) (*record, error) {
	if len(k) != idSize {
		return nil, &recordError{bucket: string(bucket), err: fmt.Errorf("its key has %d bytes, not the %d of an event id", len(k), idSize)}
	}
	id := binary.BigEndian.Uint64(k)
	var r record
	if err := json.Unmarshal(v, &r); err != nil {
		return nil, &recordError{bucket: string(bucket), id: id, err: fmt.Errorf("its stored JSON does not decode: %v", err)}
	}
	if r.ID != id {
		return nil, &recordError{bucket: string(bucket), id: id, err: fmt.Errorf("it holds event #%d", r.ID)}
	}
	return &r, nil
}
