package outbox

// A bounds-checked reader of bbolt's file format (version 2, as laid out by
// go.etcd.io/bbolt/internal/common), reading with ReadAt instead of mmap.
// It checks an outbox file before bbolt maps it, and salvages one bbolt
// cannot read: every offset and count read from the file is checked
// against the data actually read, so a damaged file yields an error, never
// a panic or a fault. Integers are in the machine's byte order, as bbolt
// writes them.

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/fnv"
	"io"
)

const (
	boltMagic   = 0xED0CDAED
	boltVersion = 2
	// pageHeaderSize: id uint64, flags uint16, count uint16, overflow uint32.
	pageHeaderSize = 16
	// elementSize is the size of a branch element (pos, ksize uint32, pgid
	// uint64) and of a leaf element (flags, pos, ksize, vsize uint32).
	elementSize = 16
	// bucketHeaderSize: a bucket's root page id and sequence, both uint64;
	// an inline bucket (root 0) has its page right after.
	bucketHeaderSize = 16
	// metaSize is the meta record after a meta page's header; its last
	// field, the FNV-64a checksum of the bytes before it, starts at
	// metaChecksumOffset.
	metaSize           = 64
	metaChecksumOffset = 56
	// Page flags, and the leaf element flag of a bucket.
	flagBranch   = 0x01
	flagLeaf     = 0x02
	flagMeta     = 0x04
	flagFreelist = 0x10
	leafIsBucket = 0x01
	// noFreelist is the freelist page id of a file that does not store it.
	noFreelist = ^uint64(0)
	// freelistCountInData is the page count meaning "the count is the
	// first uint64 of the data".
	freelistCountInData = 0xFFFF
	// minPages: every bbolt file has two meta pages, a freelist page and
	// the root bucket's leaf from the start.
	minPages = 4
	// minPageSize and maxPageSize bound the page sizes bbolt searches for
	// the second meta page (1 KB to 16 MB).
	minPageSize = 1 << 10
	maxPageSize = 1 << 24
	// maxDepth bounds a B-tree's depth; a deeper one is damaged (bbolt's
	// trees for any file that fits a disk are far shallower).
	maxDepth = 64
)

var nativeEndian = binary.NativeEndian

var (
	// errNotBolt: no meta page holds bbolt's magic number.
	errNotBolt = errors.New("neither of its two header pages holds bbolt's magic number: its header was overwritten, or it is no bbolt database")
	// errNoMagic: a meta page is missing or lacks the magic number.
	errNoMagic = errors.New("no bbolt magic number")
)

// boltMeta is one meta page.
type boltMeta struct {
	page     uint64 // 0 or 1
	pageSize int
	root     uint64 // the root bucket's page
	freelist uint64 // noFreelist when not stored
	pages    uint64 // the high-water mark: pages in use
	txid     uint64
}

// parseMeta reads the meta in b, a meta page from its header on.
func parseMeta(b []byte, page uint64) (boltMeta, error) {
	if len(b) < pageHeaderSize+metaSize {
		return boltMeta{}, fmt.Errorf("meta page %d is cut short", page)
	}
	m := b[pageHeaderSize : pageHeaderSize+metaSize]
	if nativeEndian.Uint32(m[0:]) != boltMagic {
		return boltMeta{}, fmt.Errorf("meta page %d has %w", page, errNoMagic)
	}
	if v := nativeEndian.Uint32(m[4:]); v != boltVersion {
		return boltMeta{}, fmt.Errorf("meta page %d has format version %d, not %d", page, v, boltVersion)
	}
	h := fnv.New64a()
	h.Write(m[:metaChecksumOffset])
	if h.Sum64() != nativeEndian.Uint64(m[metaChecksumOffset:]) {
		return boltMeta{}, fmt.Errorf("meta page %d fails its checksum", page)
	}
	// Layout after version: pageSize, flags uint32; root bucket (root,
	// sequence); freelist; high-water mark; txid.
	bm := boltMeta{
		page:     page,
		pageSize: int(nativeEndian.Uint32(m[8:])),
		root:     nativeEndian.Uint64(m[16:]),
		freelist: nativeEndian.Uint64(m[32:]),
		pages:    nativeEndian.Uint64(m[40:]),
		txid:     nativeEndian.Uint64(m[48:]),
	}
	if bm.pageSize < minPageSize || bm.pageSize > maxPageSize || bm.pageSize&(bm.pageSize-1) != 0 {
		return boltMeta{}, fmt.Errorf("meta page %d gives an impossible page size, %d", page, bm.pageSize)
	}
	return bm, nil
}

// boltFile is an open bbolt file read through ReadAt.
type boltFile struct {
	r        io.ReaderAt
	size     int64
	pageSize int
	meta     boltMeta // the meta bbolt uses: the valid one with the larger txid
	// badMeta says why one meta page is invalid while the other is valid
	// (bbolt then uses the valid one); "" when both are valid.
	badMeta string
}

// readMetas finds the meta pages, as bbolt does: page 0 at offset 0, and
// page 1 one page later, the page size taken from page 0 or, when page 0
// is invalid, searched for from 1 KB to 16 MB.
func readMetas(r io.ReaderAt, size int64) (m0, m1 boltMeta, err0, err1 error) {
	buf := make([]byte, pageHeaderSize+metaSize)
	read := func(off int64, page uint64) (boltMeta, error) {
		if off+int64(len(buf)) > size {
			return boltMeta{}, fmt.Errorf("meta page %d is missing (%w)", page, errNoMagic)
		}
		if _, err := r.ReadAt(buf, off); err != nil {
			return boltMeta{}, fmt.Errorf("meta page %d cannot be read: %w", page, err)
		}
		return parseMeta(buf, page)
	}
	m0, err0 = read(0, 0)
	if err0 == nil {
		m1, err1 = read(int64(m0.pageSize), 1)
		return m0, m1, nil, err1
	}
	err1 = fmt.Errorf("meta page 1 was not found (%w)", errNoMagic)
	for ps := int64(minPageSize); ps <= maxPageSize && ps < size; ps <<= 1 {
		if m, err := read(ps, 1); err == nil && int64(m.pageSize) == ps {
			return m0, m, err0, nil
		}
	}
	return m0, m1, err0, err1
}

// openBoltFile reads and checks the meta pages of a file of size bytes
// (readHeader) and checks its size against them (checkSize).
func openBoltFile(r io.ReaderAt, size int64) (*boltFile, error) {
	f, err := readHeader(r, size)
	if err != nil {
		return nil, err
	}
	return f, f.checkSize()
}

// readHeader reads the meta pages of a file of size bytes: one must be
// valid. The error says what is wrong, for people.
func readHeader(r io.ReaderAt, size int64) (*boltFile, error) {
	if size < pageHeaderSize+metaSize {
		return nil, fmt.Errorf("it has only %d bytes, less than a bbolt header", size)
	}
	m0, m1, err0, err1 := readMetas(r, size)
	f := &boltFile{r: r, size: size}
	switch {
	case err0 != nil && err1 != nil:
		if errors.Is(err0, errNoMagic) && errors.Is(err1, errNoMagic) {
			return nil, errNotBolt
		}
		return nil, fmt.Errorf("neither of its two header pages is valid (%v; %v)", err0, err1)
	case err0 != nil:
		f.meta, f.badMeta = m1, err0.Error()
	case err1 != nil:
		f.meta, f.badMeta = m0, err1.Error()
	case m1.txid > m0.txid:
		f.meta = m1
	default:
		f.meta = m0
	}
	f.pageSize = f.meta.pageSize
	return f, nil
}

// checkSize checks that the file holds whole pages, at least minPages,
// and every page its meta counts, and that the root and freelist pages
// lie below the high-water mark.
func (f *boltFile) checkSize() error {
	ps, size, m := int64(f.pageSize), f.size, f.meta
	switch {
	case size%ps != 0:
		return fmt.Errorf("its size, %d bytes, is not a whole number of %d-byte pages (cut short or written past its end)", size, ps)
	case size/ps < minPages:
		return fmt.Errorf("it has %d pages, fewer than the %d of an empty bbolt file", size/ps, minPages)
	case m.pages < minPages || uint64(size/ps) < m.pages:
		return fmt.Errorf("it is truncated: its header counts %d pages of %d bytes, but the file has %d bytes (%d pages)", m.pages, ps, size, size/ps)
	case m.root < 2 || m.root >= m.pages:
		return fmt.Errorf("its header points at page %d for the root, outside its %d pages", m.root, m.pages)
	case m.freelist != noFreelist && (m.freelist < 2 || m.freelist >= m.pages):
		return fmt.Errorf("its header points at page %d for the free-page list, outside its %d pages", m.freelist, m.pages)
	}
	return nil
}
