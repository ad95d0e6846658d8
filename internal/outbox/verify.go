package outbox

import (
	"encoding/binary"
	"fmt"
	"os"
	"strings"
	"time"
)

// maxProblems bounds the problems an error lists; the rest are counted.
const maxProblems = 3

// fileCheck is what checking an outbox file found.
type fileCheck struct {
	problems []string
	// foreign lists the top-level buckets that are not an outbox's.
	foreign []string
	// warning is a problem bbolt works around: one bad meta page.
	warning string
}

func (c *fileCheck) bad(s string) { c.problems = append(c.problems, s) }

func isOutboxBucket(name string) bool {
	return name == string(bucketPending) || name == string(bucketDead) || name == string(bucketGroups)
}

// checkOutbox reads every page of f's B-trees, its free-page list and
// every stored event.
func checkOutbox(f *boltFile) *fileCheck {
	c := &fileCheck{}
	if f.badMeta != "" {
		c.warning = fmt.Sprintf("one of its two header pages is damaged (%s); bbolt uses the other, which may be one change older: the last event queued, delivered or dropped before the damage may be missing or come back", f.badMeta)
	}
	w := newWalker(f, func(b badSpan) { c.bad(fmt.Sprintf("the root of its B-tree: %v", b.err)) })
	var buckets []element
	w.root(func(e element) { buckets = append(buckets, e) })
	for _, e := range buckets {
		name := string(e.key)
		if !e.bucket || !isOutboxBucket(name) {
			c.foreign = append(c.foreign, name)
			continue
		}
		w.bad = func(b badSpan) { c.bad(fmt.Sprintf("%s: %v", spanName(name, b), b.err)) }
		w.bucket(e.value, func(el element) { c.entry(name, el) })
	}
	w.checkFreePages(c.bad)
	return c
}

// entry checks one entry of the outbox's bucket name.
func (c *fileCheck) entry(name string, e element) {
	if e.bucket {
		c.bad(fmt.Sprintf("the %s bucket holds a bucket, %q", name, e.key))
		return
	}
	if name == string(bucketGroups) {
		return // an index entry: its key is all there is
	}
	if _, err := decodeRecord([]byte(name), e.key, e.value); err != nil {
		c.bad(err.Error())
	}
}

// spanName names the events an unreadable part of bucket held.
func spanName(bucket string, b badSpan) string {
	what := map[string]string{string(bucketPending): "pending events", string(bucketDead): "dead letters"}[bucket]
	if what == "" {
		return "the index of pending events by alert"
	}
	id := func(k []byte) (uint64, bool) {
		if len(k) != idSize {
			return 0, false
		}
		return binary.BigEndian.Uint64(k), true
	}
	lo, okLo := id(b.lo)
	hi, okHi := id(b.hi)
	switch {
	case okLo && okHi && hi > lo:
		return fmt.Sprintf("the %s #%d to #%d", what, lo, hi-1)
	case okLo:
		return fmt.Sprintf("the %s from #%d on", what, lo)
	case okHi && hi > 1:
		return fmt.Sprintf("the %s before #%d", what, hi)
	}
	return "the " + what
}

// err is the error for a file with c's findings, nil for a sound one.
func (c *fileCheck) err(path string) error {
	if len(c.foreign) > 0 {
		return fmt.Errorf("outbox %s: %w: it is a bbolt database holding %s; give the path of a fluxpd outbox or of a file to create", path, ErrNotOutbox, quoteList(c.foreign))
	}
	if len(c.problems) == 0 {
		return nil
	}
	return &DamagedError{Path: path, Problem: summarize(c.problems)}
}

func summarize(problems []string) string {
	s := strings.Join(problems[:min(len(problems), maxProblems)], "; ")
	if n := len(problems) - maxProblems; n > 0 {
		s += fmt.Sprintf("; and %d more %s", n, plural(n, "problem", "problems"))
	}
	return s
}

func quoteList(names []string) string {
	q := make([]string, 0, maxProblems)
	for _, n := range names[:min(len(names), maxProblems)] {
		q = append(q, fmt.Sprintf("%q", n))
	}
	s := strings.Join(q, ", ")
	if n := len(names) - maxProblems; n > 0 {
		s += fmt.Sprintf(" and %d more", n)
	}
	return plural(len(names), "the bucket ", "the buckets ") + s
}

// verifyFile checks the outbox file at path under a shared lock (no
// writer meanwhile), before bbolt maps it: its header pages and size and,
// when full, every page of its B-trees, its free-page list and every
// event. It returns a *DamagedError for a damaged file, an ErrNotOutbox
// error for another program's bbolt file and nil for an empty or sound
// one, with a warning to pass on when bbolt works around a problem.
func verifyFile(path string, lockTimeout time.Duration, full bool) (warning string, err error) {
	f, err := os.Open(path)
	if err != nil {
		return "", fmt.Errorf("outbox %s: %w", path, err)
	}
	defer f.Close()
	if err := lockShared(f, lockTimeout); err != nil {
		return "", lockError(path, err, lockTimeout)
	}
	fi, err := f.Stat()
	if err != nil {
		return "", fmt.Errorf("outbox %s: %w", path, err)
	}
	if fi.Size() == 0 {
		return "", nil // bbolt initialises an empty file
	}
	bf, err := openBoltFile(f, fi.Size())
	if err != nil {
		return "", &DamagedError{Path: path, Problem: err.Error()}
	}
	if !full {
		return "", nil
	}
	c := checkOutbox(bf)
	return c.warning, c.err(path)
}
