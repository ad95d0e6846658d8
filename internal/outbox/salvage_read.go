package outbox

import (
	"errors"
	"fmt"
	"io"
	"os"
	"sort"
)

// salvager reads what it can of a damaged outbox file: through its B-tree
// when the root can be read, else by scanning its pages.
type salvager struct {
	r        io.ReaderAt
	size     int64
	found    map[uint64]*record
	lost     []Loss
	scanned  bool
	warnings []string
}

func (s *salvager) lose(what, reason string) {
	s.lost = append(s.lost, Loss{What: what, Reason: reason})
}

func (s *salvager) read() {
	if s.size == 0 {
		return // bbolt never wrote to it
	}
	bf, err := readHeader(s.r, s.size)
	if err != nil {
		s.scan(nil, err)
		return
	}
	if err := bf.checkSize(); err != nil {
		// Cut short, say: what lies in the file may still be read.
		s.warnings = append(s.warnings, err.Error())
	}
	if bf.badMeta != "" {
		s.warnings = append(s.warnings, fmt.Sprintf("one of its two header pages is damaged (%s); the other was used, which may be one change older: the last event queued, delivered or dropped before the damage may be missing or come back", bf.badMeta))
	}
	if err := s.walk(bf); err != nil {
		s.scan(bf, err)
	}
}

// walk reads the pending events and dead letters through the B-tree. The
// error says why its root cannot be read.
func (s *salvager) walk(bf *boltFile) error {
	var rootErr error
	w := newWalker(bf, func(b badSpan) { rootErr = b.err })
	var buckets []element
	w.root(func(e element) { buckets = append(buckets, e) })
	if rootErr != nil {
		return rootErr
	}
	for _, e := range buckets {
		name := string(e.key)
		if !e.bucket || (name != string(bucketPending) && name != string(bucketDead)) {
			continue // the index of groups is rebuilt as the events are queued
		}
		w.bad = func(b badSpan) { s.lose(spanName(name, b), b.err.Error()) }
		w.bucket(e.value, func(el element) { s.entry(name, el) })
	}
	return nil
}

// entry keeps the event e of bucket, or notes why it cannot be read.
func (s *salvager) entry(bucket string, e element) {
	if e.bucket {
		s.lose(fmt.Sprintf("the entry %q of the %s bucket", e.key, bucket), "it is a bucket, not an event")
		return
	}
	r, err := decodeRecord([]byte(bucket), e.key, e.value)
	if err != nil {
		var re *recordError
		if errors.As(err, &re) && re.id != 0 {
			s.lose(fmt.Sprintf("%s #%d", eventKind(bucket), re.id), re.err.Error())
		} else {
			s.lose("an entry of the "+bucket+" bucket", err.Error())
		}
		return
	}
	r.Dead = bucket == string(bucketDead)
	s.keep(r)
}

func eventKind(bucket string) string {
	if bucket == string(bucketDead) {
		return "dead letter"
	}
	return "pending event"
}

// keep keeps r unless a newer copy of it was found: a page scan may meet
// several copies of an event, the newer having been dead-lettered or
// tried more often.
func (s *salvager) keep(r *record) {
	if old, ok := s.found[r.ID]; ok && !newerCopy(r, old) {
		return
	}
	s.found[r.ID] = r
}

func newerCopy(a, b *record) bool {
	switch {
	case a.Dead != b.Dead:
		return a.Dead
	case a.Attempts != b.Attempts:
		return a.Attempts > b.Attempts
	}
	return a.NextAttempt.After(b.NextAttempt)
}

// records returns the events found, by ID.
func (s *salvager) records() []*record {
	out := make([]*record, 0, len(s.found))
	for _, r := range s.found {
		out = append(out, r)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

// scan looks for events in every leaf page of the file, bf's pages when
// its header can be read (skipping the free pages if the free-page list
// can be read), else every page of the OS's page size; why says why the
// B-tree could not be walked.
func (s *salvager) scan(bf *boltFile, why error) {
	s.scanned = true
	ps := os.Getpagesize()
	pages := uint64(s.size / int64(ps))
	free, freeKnown := map[uint64]bool{}, false
	if bf != nil {
		ps, pages = bf.pageSize, bf.meta.pages
		if ids, err := bf.freePages(); err == nil {
			freeKnown = true
			for _, id := range ids {
				free[id] = true
			}
		}
	}
	if inFile := uint64(s.size / int64(ps)); pages > inFile {
		s.lose(fmt.Sprintf("pages %d to %d", inFile, pages-1), "cut off the file's end; events on them, if any, are lost")
		pages = inFile
	}
	pf := &boltFile{r: s.r, size: s.size, pageSize: ps, meta: boltMeta{pageSize: ps, pages: pages}}
	var unreadable []uint64
	for id := uint64(2); id < pages; id++ {
		if free[id] || pf.blank(id) {
			continue
		}
		p, err := pf.page(id)
		if err == nil && p.flags == flagLeaf {
			err = s.scanLeaf(p)
		}
		switch {
		case err != nil:
			unreadable = append(unreadable, id)
		default:
			id += p.overflow()
		}
	}
	s.scanReport(why, freeKnown, unreadable)
}

// scanLeaf keeps the events of leaf page p, and of the inline buckets in
// it.
func (s *salvager) scanLeaf(p boltPage) error {
	els, err := p.elements()
	if err != nil {
		return err
	}
	for _, e := range els {
		if e.bucket {
			if ip, err := inlinePage(e.value); err == nil && ip.flags == flagLeaf {
				_ = s.scanLeaf(ip)
			}
			continue
		}
		if r, err := decodeRecord(nil, e.key, e.value); err == nil {
			s.keep(r)
		}
	}
	return nil
}

func (s *salvager) scanReport(why error, freeKnown bool, unreadable []uint64) {
	found := len(s.found)
	w := fmt.Sprintf("the file's B-tree cannot be read from its root (%v): the %d %s salvaged %s found by scanning its pages", why, found, plural(found, "event", "events"), plural(found, "was", "were"))
	switch {
	case found == 0:
	case freeKnown:
		w += ", passing over the pages its free-page list names"
	default:
		w += "; its free-page list could not be read, so some may be older copies of events since delivered, dead-lettered or dropped, which would be sent again (PagerDuty ignores a repeated trigger of an open alert, but a trigger whose alert was resolved meanwhile opens it again): check them with fluxpd outbox list, and drop what must not be sent, before flushing"
	}
	s.warnings = append(s.warnings, w)
	if len(unreadable) == 0 {
		return
	}
	what := fmt.Sprintf("%d unreadable %s (%s)", len(unreadable), plural(len(unreadable), "page", "pages"), pageList(unreadable))
	reason := "not readable as B-tree pages; events on them, if any, are lost"
	if !freeKnown {
		reason = "not readable as B-tree pages; they may have held events, or have been free"
	}
	s.lose(what, reason)
}

// maxPagesListed bounds the page numbers a loss lists.
const maxPagesListed = 10

func pageList(ids []uint64) string {
	s := ""
	for i, id := range ids[:min(len(ids), maxPagesListed)] {
		if i > 0 {
			s += ", "
		}
		s += fmt.Sprint(id)
	}
	if n := len(ids) - maxPagesListed; n > 0 {
		s += fmt.Sprintf(" and %d more", n)
	}
	return s
}
