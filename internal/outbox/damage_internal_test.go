package outbox

// The damage fault matrix: an outbox file damaged in each way a disk,
// a crash or a person can damage it is an error naming the file, what is
// wrong and how to recover, never a crash; and Salvage recovers what can
// still be read. These tests are internal: they find the pages to damage
// with the package's own reader of bbolt's format.

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	bolt "go.etcd.io/bbolt"
)

const (
	fixturePending = 40 // pending events #1 to #40, in 10 groups
	fixtureDead    = 3  // dead letters #41 to #43
	fixtureURL     = "http://127.0.0.1:1/v2/enqueue"
	fixtureReason  = "PagerDuty answered 400 Bad Request: Event object is invalid"
)

func fixtureKey(i int) string { return fmt.Sprintf("K%dkey0123456789abcdefghijklmnopqrstu", i%2)[:32] }

// fixtureBody is an event of about 400 bytes, so that the pending events
// fill several leaf pages under a branch.
func fixtureBody(i int) []byte {
	return fmt.Appendf(nil, `{"routing_key":%q,"event_action":"trigger","dedup_key":"dk-%d","payload":{"summary":"event %d %s","source":"db%02d","severity":"critical"}}`,
		fixtureKey(i), i%10, i, strings.Repeat("x", 250), i)
}

// fixture writes an outbox of fixturePending pending events and
// fixtureDead dead letters, and returns its path and its events by ID.
// The file's last transaction changes nothing (a second Open), so that
// falling back to the older meta page loses nothing.
func fixture(t *testing.T) (string, map[uint64]Entry) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "outbox.db")
	ob, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	for i := 1; i <= fixturePending+fixtureDead; i++ {
		e := Entry{URL: fixtureURL, RoutingKey: fixtureKey(i), DedupKey: fmt.Sprintf("dk-%d", i%10), Body: fixtureBody(i), Attempts: i % 3}
		if _, err := ob.Enqueue(e); err != nil {
			t.Fatal(err)
		}
	}
	err = ob.update(func(tx *bolt.Tx) error {
		for id := uint64(fixturePending + 1); id <= fixturePending+fixtureDead; id++ {
			r, err := getRecord(tx.Bucket(bucketPending), id)
			if err != nil {
				return err
			}
			if err := bury(tx, r, fixtureReason, time.Now()); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	want := map[uint64]Entry{}
	pending, err1 := ob.List()
	dead, err2 := ob.DeadLetters()
	if err := errors.Join(err1, err2, ob.Close()); err != nil {
		t.Fatal(err)
	}
	for _, e := range append(pending, dead...) {
		e.Behind = 0
		want[e.ID] = e
	}
	reopen, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	reopen.Close()
	return path, want
}

// leaf is a leaf page of the pending events and the IDs it holds.
type leaf struct{ page, first, last uint64 }

// readFixture reads the header of the sound file at path, whole.
func readFixture(t *testing.T, path string) *boltFile {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	bf, err := openBoltFile(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatal(err)
	}
	return bf
}

// pendingLeaves returns the leaf pages under the pending bucket's branch.
func pendingLeaves(t *testing.T, path string) (leaves []leaf, pageSize int) {
	t.Helper()
	bf := readFixture(t, path)
	w := newWalker(bf, func(b badSpan) { t.Fatalf("the fixture is damaged: %v", b.err) })
	var pendingRoot uint64
	w.root(func(e element) {
		if string(e.key) == string(bucketPending) {
			pendingRoot = nativeEndian.Uint64(e.value)
		}
	})
	p, err := bf.page(pendingRoot)
	if err != nil || p.flags != flagBranch {
		t.Fatalf("the pending bucket's root is no branch page (%v); make the fixture larger", err)
	}
	els, _ := p.elements()
	for i, e := range els {
		l := leaf{page: e.child, first: binary.BigEndian.Uint64(e.key), last: fixturePending}
		if i+1 < len(els) {
			l.last = binary.BigEndian.Uint64(els[i+1].key) - 1
		}
		leaves = append(leaves, l)
	}
	return leaves, bf.pageSize
}

func overwrite(t *testing.T, path string, off int64, b []byte) {
	t.Helper()
	f, err := os.OpenFile(path, os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.WriteAt(b, off); err != nil {
		t.Fatal(err)
	}
}

func garbage(n int) []byte {
	b := bytes.Repeat([]byte("garbage!"), n/8+1)[:n]
	return b
}

// replaceAll replaces old with new, of the same length, everywhere in the
// file: in the live copy of a record and in older copies on free pages.
func replaceAll(t *testing.T, path, old, new string) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(b, []byte(old)) || len(old) != len(new) {
		t.Fatalf("the fixture holds no %q (or the replacement's length differs)", old)
	}
	if err := os.WriteFile(path, bytes.ReplaceAll(b, []byte(old), []byte(new)), 0o600); err != nil {
		t.Fatal(err)
	}
}

// damageCase is one row of the matrix.
type damageCase struct {
	name string
	// damage damages the fixture at path and returns the IDs of the
	// events it destroyed, when known.
	damage func(t *testing.T, path string) (lost []uint64)
	// openErr lists what Open's error says besides the path; nil: Open
	// succeeds.
	openErr []string
	// lostWhat lists what salvage's losses name.
	lostWhat []string
	// scanned: salvage must fall back to scanning pages, and recover at
	// least atLeast events.
	scanned bool
	atLeast int
}

func idRange(lo, hi uint64) []uint64 {
	var ids []uint64
	for id := lo; id <= hi; id++ {
		ids = append(ids, id)
	}
	return ids
}

var damageCases = []damageCase{{
	// bbolt grows a file ahead of its use: half the pages it uses.
	name: "truncated to half",
	damage: func(t *testing.T, path string) []uint64 {
		bf := readFixture(t, path)
		if err := os.Truncate(path, int64(bf.meta.pages/2)*int64(bf.pageSize)); err != nil {
			t.Fatal(err)
		}
		return nil
	},
	openErr:  []string{"it is truncated: its header counts"},
	lostWhat: []string{"cut off the file's end"},
	scanned:  true,
	atLeast:  1,
}, {
	name: "a leaf of pending events overwritten with garbage",
	damage: func(t *testing.T, path string) []uint64 {
		leaves, ps := pendingLeaves(t, path)
		l := leaves[1]
		overwrite(t, path, int64(l.page)*int64(ps), garbage(ps))
		return idRange(l.first, l.last)
	},
	openErr:  []string{"is overwritten (its header names page"},
	lostWhat: []string{"the pending events #"},
}, {
	name: "both header pages overwritten",
	damage: func(t *testing.T, path string) []uint64 {
		_, ps := pendingLeaves(t, path)
		overwrite(t, path, 0, garbage(2*ps))
		return nil
	},
	openErr: []string{"neither of its two header pages holds bbolt's magic number"},
	scanned: true,
	atLeast: fixturePending + fixtureDead,
}, {
	name: "one record's JSON corrupted",
	damage: func(t *testing.T, path string) []uint64 {
		replaceAll(t, path, `{"id":7,"created":`, `{"id":7,"created",`)
		return []uint64{7}
	},
	openErr:  []string{"pending event #7 cannot be read: its stored JSON does not decode: invalid character ',' after object key"},
	lostWhat: []string{"pending event #7"},
}, {
	name: "text written over the file",
	damage: func(t *testing.T, path string) []uint64 {
		if err := os.WriteFile(path, []byte("hello\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		return idRange(1, fixturePending+fixtureDead)
	},
	openErr: []string{"it has only 6 bytes, less than a bbolt header"},
	scanned: true,
}, {
	name: "one header page overwritten: bbolt uses the other",
	damage: func(t *testing.T, path string) []uint64 {
		_, ps := pendingLeaves(t, path)
		overwrite(t, path, 0, garbage(ps))
		return nil
	},
}}

func TestDamage_FaultMatrix(t *testing.T) {
	for _, tc := range damageCases {
		t.Run(tc.name, func(t *testing.T) {
			path, want := fixture(t)
			lost := tc.damage(t, path)
			var warnings []string
			ob, err := Open(path, Options{Warn: func(s string) { warnings = append(warnings, s) }})
			if tc.openErr == nil {
				checkOpened(t, ob, err, path, warnings)
				return
			}
			checkDamagedError(t, err, path, tc.openErr)
			into, err := Open(filepath.Join(t.TempDir(), "good.db"), Options{})
			if err != nil {
				t.Fatal(err)
			}
			defer into.Close()
			rep, err := Salvage(path, into)
			if err != nil {
				t.Fatalf("Salvage: %v", err)
			}
			checkSalvaged(t, into, rep, want, lost, tc)
		})
	}
}

func checkOpened(t *testing.T, ob *Outbox, err error, path string, warnings []string) {
	t.Helper()
	if err != nil {
		t.Fatalf("Open: %v; want it to open on the valid header page", err)
	}
	defer ob.Close()
	if w := strings.Join(warnings, "\n"); !strings.Contains(w, path) || !strings.Contains(w, "one of its two header pages is damaged") {
		t.Errorf("warnings %q; want one naming %s and its damaged header page", warnings, path)
	}
	pending, err1 := ob.List()
	dead, err2 := ob.DeadLetters()
	if err := errors.Join(err1, err2); err != nil || len(pending) != fixturePending || len(dead) != fixtureDead {
		t.Errorf("read %d pending and %d dead (%v); want %d and %d", len(pending), len(dead), err, fixturePending, fixtureDead)
	}
}

func checkDamagedError(t *testing.T, err error, path string, says []string) {
	t.Helper()
	var d *DamagedError
	if !errors.As(err, &d) || !errors.Is(err, ErrDamaged) {
		t.Fatalf("Open of the damaged file: %v; want a *DamagedError", err)
	}
	msg := err.Error()
	for _, s := range append(says, "outbox "+path+" is damaged (", "move it aside", "fluxpd outbox salvage "+path+".damaged --outbox "+path) {
		if !strings.Contains(msg, s) {
			t.Errorf("the error does not say %q:\n%s", s, msg)
		}
	}
}

// checkSalvaged checks that what Salvage queued in into is the fixture's
// events but the lost ones, with their bodies, in the order of their IDs,
// and that the report names what was lost.
func checkSalvaged(t *testing.T, into *Outbox, rep SalvageReport, want map[uint64]Entry, lost []uint64, tc damageCase) {
	t.Helper()
	if rep.Scanned != tc.scanned || rep.Complete() {
		t.Errorf("report %+v: Scanned %v, want %v; it must not be complete", rep, rep.Scanned, tc.scanned)
	}
	var lostText []string
	for _, l := range rep.Lost {
		lostText = append(lostText, l.What+": "+l.Reason)
	}
	for _, s := range tc.lostWhat {
		if !strings.Contains(strings.Join(lostText, "\n"), s) {
			t.Errorf("the losses do not name %q: %q", s, lostText)
		}
	}
	gone := map[uint64]bool{}
	for _, id := range lost {
		gone[id] = true
	}
	pending, err1 := into.List()
	dead, err2 := into.DeadLetters()
	if err := errors.Join(err1, err2); err != nil {
		t.Fatal(err)
	}
	var wantBodies, gotBodies []string
	for id := uint64(1); id <= fixturePending+fixtureDead; id++ {
		if !gone[id] && !tc.scanned {
			wantBodies = append(wantBodies, string(want[id].Body))
		}
	}
	for _, e := range append(pending, dead...) {
		gotBodies = append(gotBodies, string(e.Body))
		if orig := findBody(want, e.Body); orig == nil || orig.Dead != e.Dead || orig.Attempts != e.Attempts || !orig.Created.Equal(e.Created) {
			t.Errorf("salvaged #%d (dead %v, %d attempts) is no event of the file, or changed: %+v", e.ID, e.Dead, e.Attempts, orig)
		}
	}
	if !tc.scanned {
		if diff := cmp.Diff(wantBodies, gotBodies); diff != "" {
			t.Errorf("salvaged events (-want +got bodies, in order):\n%s", diff)
		}
	} else if len(gotBodies) < tc.atLeast {
		t.Errorf("salvaged %d events by scanning; want at least %d", len(gotBodies), tc.atLeast)
	}
	if rep.Pending != len(pending) || rep.Dead != len(dead) {
		t.Errorf("report counts %d pending and %d dead; the outbox holds %d and %d", rep.Pending, rep.Dead, len(pending), len(dead))
	}
}

func findBody(want map[uint64]Entry, body []byte) *Entry {
	for _, e := range want {
		if bytes.Equal(e.Body, body) {
			return &e
		}
	}
	return nil
}

// A file cut short while an Outbox holds it mapped (KeepOpen) makes bbolt
// read past its end: the fault (SIGBUS) is an error naming the file, and
// every later operation fails with it, until Close.
func TestDamage_CutShortWhileOpen(t *testing.T) {
	path, _ := fixture(t)
	ob, err := Open(path, Options{KeepOpen: true})
	if err != nil {
		t.Fatal(err)
	}
	bf := readFixture(t, path)
	if err := os.Truncate(path, int64(minPages*bf.pageSize)); err != nil {
		t.Fatal(err)
	}
	_, err = ob.List()
	checkDamagedError(t, err, path, []string{"past the end of the file as bbolt mapped it: it was cut short while in use"})
	if _, err2 := ob.Enqueue(Entry{URL: fixtureURL, RoutingKey: fixtureKey(1), Body: fixtureBody(1)}); !errors.Is(err2, ErrDamaged) {
		t.Errorf("Enqueue after the fault: %v; want the damage again", err2)
	}
	if err := ob.Close(); err != nil {
		t.Errorf("Close: %v", err)
	}
}

// A file cut short between two operations is found out before bbolt maps
// it again.
func TestDamage_CutShortBetweenOperations(t *testing.T) {
	path, _ := fixture(t)
	ob, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer ob.Close()
	bf := readFixture(t, path)
	if err := os.Truncate(path, int64(bf.meta.pages-1)*int64(bf.pageSize)); err != nil {
		t.Fatal(err)
	}
	_, err = ob.Stats()
	checkDamagedError(t, err, path, []string{"it is truncated"})
}

// A panic that does not come from the file, a bug, is raised again
// rather than blamed on the file.
func TestGuard_RaisesOtherPanics(t *testing.T) {
	path, _ := fixture(t)
	ob, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer ob.Close()
	defer func() {
		if p := recover(); p == nil || !strings.Contains(fmt.Sprint(p), "a bug of ours") {
			t.Errorf("recovered %v; want the bug's panic raised again", p)
		}
		if _, err := ob.Stats(); err != nil {
			t.Errorf("Stats after the bug: %v; the outbox must not be marked damaged", err)
		}
	}()
	_ = ob.view(func(*bolt.Tx) error { panic("a bug of ours") })
	t.Error("view returned after a panic in its function")
}
