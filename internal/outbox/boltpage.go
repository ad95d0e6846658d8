package outbox

import (
	"fmt"
)

// boltPage is one page of a boltFile (with its overflow pages), or an
// inline bucket's page.
type boltPage struct {
	id    uint64
	flags uint16
	count uint16
	data  []byte // from the header on
}

// element is one entry of a branch or leaf page.
type element struct {
	key   []byte
	value []byte // leaf only
	child uint64 // branch only: the page the key leads to
	// bucket: a leaf entry that is a bucket; value is its header and,
	// when inline, its page.
	bucket bool
}

// page reads page id, checking that it lies between the meta pages and
// the high-water mark, that its header names it, and that its overflow
// pages do too.
func (f *boltFile) page(id uint64) (boltPage, error) {
	if id < 2 || id >= f.meta.pages {
		return boltPage{}, fmt.Errorf("page %d is outside the file's %d pages", id, f.meta.pages)
	}
	ps := int64(f.pageSize)
	hdr := make([]byte, pageHeaderSize)
	if _, err := f.r.ReadAt(hdr, int64(id)*ps); err != nil {
		return boltPage{}, fmt.Errorf("page %d cannot be read: %v", id, err)
	}
	if got := nativeEndian.Uint64(hdr); got != id {
		return boltPage{}, fmt.Errorf("page %d is overwritten (its header names page %d)", id, got)
	}
	overflow := uint64(nativeEndian.Uint32(hdr[12:]))
	if overflow >= f.meta.pages-id {
		return boltPage{}, fmt.Errorf("page %d claims %d overflow pages, past the file's %d pages", id, overflow, f.meta.pages)
	}
	data := make([]byte, int64(overflow+1)*ps)
	if _, err := f.r.ReadAt(data, int64(id)*ps); err != nil {
		return boltPage{}, fmt.Errorf("page %d cannot be read: %v", id, err)
	}
	return boltPage{id: id, flags: nativeEndian.Uint16(hdr[8:]), count: nativeEndian.Uint16(hdr[10:]), data: data}, nil
}

// blank reports whether page id's header is all zeros: a page past the
// last one bbolt wrote, in the space it adds to the file as it grows.
func (f *boltFile) blank(id uint64) bool {
	hdr := make([]byte, pageHeaderSize)
	if _, err := f.r.ReadAt(hdr, int64(id)*int64(f.pageSize)); err != nil {
		return false
	}
	for _, b := range hdr {
		if b != 0 {
			return false
		}
	}
	return true
}

// overflow is the number of overflow pages after p.
func (p boltPage) overflow() uint64 { return uint64(nativeEndian.Uint32(p.data[12:])) }

// inlinePage is the page of an inline bucket, after its header in value.
func inlinePage(value []byte) (boltPage, error) {
	if len(value) < bucketHeaderSize+pageHeaderSize {
		return boltPage{}, fmt.Errorf("an inline bucket of %d bytes is too short", len(value))
	}
	data := value[bucketHeaderSize:]
	return boltPage{flags: nativeEndian.Uint16(data[8:]), count: nativeEndian.Uint16(data[10:]), data: data}, nil
}

// name names p in messages.
func (p boltPage) name() string {
	if p.id == 0 {
		return "an inline bucket"
	}
	return fmt.Sprintf("page %d", p.id)
}

// elements parses a branch or leaf page, checking that every element and
// the key and value it points at lie within the page.
func (p boltPage) elements() ([]element, error) {
	leaf := p.flags == flagLeaf
	if !leaf && p.flags != flagBranch {
		return nil, fmt.Errorf("%s is not a B-tree page (flags %#x)", p.name(), p.flags)
	}
	n := int(p.count)
	if !leaf && n == 0 {
		return nil, fmt.Errorf("%s is an empty branch", p.name())
	}
	if pageHeaderSize+n*elementSize > len(p.data) {
		return nil, fmt.Errorf("%s claims %d entries, more than fit in it", p.name(), n)
	}
	out := make([]element, n)
	for i := range out {
		off := pageHeaderSize + i*elementSize
		e := p.data[off : off+elementSize]
		var pos, ksize, vsize uint64
		if leaf {
			pos, ksize, vsize = uint64(nativeEndian.Uint32(e[4:])), uint64(nativeEndian.Uint32(e[8:])), uint64(nativeEndian.Uint32(e[12:]))
			out[i].bucket = nativeEndian.Uint32(e)&leafIsBucket != 0
		} else {
			pos, ksize = uint64(nativeEndian.Uint32(e)), uint64(nativeEndian.Uint32(e[4:]))
			out[i].child = nativeEndian.Uint64(e[8:])
		}
		start := uint64(off) + pos
		if end := start + ksize + vsize; end > uint64(len(p.data)) {
			return nil, fmt.Errorf("entry %d of %s points past the page's end", i, p.name())
		}
		out[i].key = p.data[start : start+ksize]
		if leaf {
			out[i].value = p.data[start+ksize : start+ksize+vsize]
		}
	}
	return out, nil
}

// freePages reads the free-page list.
func (f *boltFile) freePages() ([]uint64, error) {
	if f.meta.freelist == noFreelist {
		return nil, nil
	}
	p, err := f.page(f.meta.freelist)
	if err != nil {
		return nil, fmt.Errorf("the free-page list: %v", err)
	}
	if p.flags != flagFreelist {
		return nil, fmt.Errorf("the free-page list's page %d is not one (flags %#x)", p.id, p.flags)
	}
	data := p.data[pageHeaderSize:]
	n := uint64(p.count)
	if n == freelistCountInData {
		if len(data) < 8 {
			return nil, fmt.Errorf("the free-page list's page %d is cut short", p.id)
		}
		n, data = nativeEndian.Uint64(data), data[8:]
	}
	if n > uint64(len(data)/8) {
		return nil, fmt.Errorf("the free-page list's page %d claims %d pages, more than fit in it", p.id, n)
	}
	ids := make([]uint64, n)
	for i := range ids {
		ids[i] = nativeEndian.Uint64(data[i*8:])
		if ids[i] < 2 || ids[i] >= f.meta.pages {
			return nil, fmt.Errorf("the free-page list names page %d, outside the file's %d pages", ids[i], f.meta.pages)
		}
	}
	return ids, nil
}
