package outbox

import (
	"fmt"
)

// walker walks the B-trees of a boltFile, noting every page it reaches.
// What it cannot read it reports to bad and passes over, so that a caller
// can go on with the rest of the file.
type walker struct {
	f    *boltFile
	seen map[uint64]bool
	bad  func(badSpan)
}

// badSpan is a part of a B-tree that cannot be read: the keys it held, as
// far as its parent tells, run from lo (nil: the bucket's first key) to
// before hi (nil: past the bucket's last key).
type badSpan struct {
	lo, hi []byte
	err    error
}

func newWalker(f *boltFile, bad func(badSpan)) *walker {
	return &walker{f: f, seen: map[uint64]bool{}, bad: bad}
}

// root walks the file's root bucket, calling visit for each of its
// entries (the outbox's buckets) in key order.
func (w *walker) root(visit func(element)) {
	w.tree(w.f.meta.root, nil, nil, 0, visit)
}

// bucket walks the bucket whose header (and inline page) is value,
// calling visit for each entry in key order.
func (w *walker) bucket(value []byte, visit func(element)) {
	if len(value) < bucketHeaderSize {
		w.bad(badSpan{err: fmt.Errorf("a bucket header of %d bytes is too short", len(value))})
		return
	}
	root := nativeEndian.Uint64(value)
	if root != 0 {
		w.tree(root, nil, nil, 0, visit)
		return
	}
	p, err := inlinePage(value)
	if err != nil {
		w.bad(badSpan{err: err})
		return
	}
	if p.flags != flagLeaf {
		w.bad(badSpan{err: fmt.Errorf("an inline bucket's page is not a leaf (flags %#x)", p.flags)})
		return
	}
	w.node(p, nil, nil, 0, visit)
}

// tree walks the subtree at page id, which holds the keys from lo to
// before hi.
func (w *walker) tree(id uint64, lo, hi []byte, depth int, visit func(element)) {
	if depth > maxDepth {
		w.bad(badSpan{lo, hi, fmt.Errorf("page %d lies deeper than %d levels (the tree loops)", id, maxDepth)})
		return
	}
	if w.seen[id] {
		w.bad(badSpan{lo, hi, fmt.Errorf("page %d is used twice", id)})
		return
	}
	p, err := w.f.page(id)
	if err != nil {
		w.bad(badSpan{lo, hi, err})
		return
	}
	for i := id; i <= id+p.overflow(); i++ {
		w.seen[i] = true
	}
	w.node(p, lo, hi, depth, visit)
}

func (w *walker) node(p boltPage, lo, hi []byte, depth int, visit func(element)) {
	els, err := p.elements()
	if err != nil {
		w.bad(badSpan{lo, hi, err})
		return
	}
	if p.flags == flagLeaf {
		for _, e := range els {
			visit(e)
		}
		return
	}
	for i, e := range els {
		// A branch's first key may be older than its child's first key:
		// the child holds everything from the parent's lower bound.
		clo, chi := e.key, hi
		if i == 0 {
			clo = lo
		}
		if i+1 < len(els) {
			chi = els[i+1].key
		}
		w.tree(e.child, clo, chi, depth+1, visit)
	}
}

// checkFreePages checks the free-page list against the pages w reached,
// reporting each problem to bad: a page both in use and free would be
// overwritten by the next write.
func (w *walker) checkFreePages(bad func(string)) {
	if fl := w.f.meta.freelist; fl != noFreelist {
		p, err := w.f.page(fl)
		if err != nil {
			bad(fmt.Sprintf("the free-page list: %v", err))
			return
		}
		for i := fl; i <= fl+p.overflow(); i++ {
			w.seen[i] = true
		}
	}
	free, err := w.f.freePages()
	if err != nil {
		bad(err.Error())
		return
	}
	listed := map[uint64]bool{}
	for _, id := range free {
		switch {
		case listed[id]:
			bad(fmt.Sprintf("page %d is listed as free twice", id))
		case w.seen[id]:
			bad(fmt.Sprintf("page %d is both in use and listed as free", id))
		}
		listed[id] = true
	}
}
