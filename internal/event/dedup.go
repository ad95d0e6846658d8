package event

import (
	"cmp"
	"crypto/sha256"
	"encoding/hex"
	"slices"
)

// KeyColumn is one column of a table's group key, its value rendered as a
// string.
type KeyColumn struct {
	Label string
	Value string
}

// DedupKey returns the deduplication key of a table with the given group key
// columns, in any order: the hex-encoded SHA-256 of "label\nvalue\n" for each
// column, sorted by label.
//
// This is how upstream Flux's pagerduty.dedupKey derives its key, so both
// produce the same key for the same data and a script can move from one to
// the other without opening a second alert for every open one. Hashing keeps
// the key within PagerDuty's 255-character limit however long the group key
// is. Labels are expected to be distinct, as they are in a group key.
func DedupKey(cols []KeyColumn) string {
	sorted := slices.Clone(cols)
	slices.SortFunc(sorted, func(a, b KeyColumn) int { return cmp.Compare(a.Label, b.Label) })

	h := sha256.New()
	for _, c := range sorted {
		h.Write([]byte(c.Label))
		h.Write(newline)
		h.Write([]byte(c.Value))
		h.Write(newline)
	}
	var sum [sha256.Size]byte
	return hex.EncodeToString(h.Sum(sum[:0]))
}

var newline = []byte{'\n'}
