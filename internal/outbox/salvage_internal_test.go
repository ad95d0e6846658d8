package outbox

// The salvager's decisions, each on its own: which copy of an event to
// keep, what an unreadable entry or page is reported as, and how the
// losses are named.

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestNewerCopy(t *testing.T) {
	t0 := time.Date(2026, 12, 4, 22, 0, 0, 0, time.UTC)
	rec := func(dead bool, attempts int, next time.Time) *record {
		return &record{Entry: Entry{ID: 1, Dead: dead, Attempts: attempts, NextAttempt: next}}
	}
	tests := []struct {
		name string
		a, b *record
		want bool // a is the newer
	}{
		{"a dead letter is newer than its pending copy", rec(true, 1, t0), rec(false, 5, t0.Add(time.Hour)), true},
		{"a pending copy is older than its dead letter", rec(false, 5, t0.Add(time.Hour)), rec(true, 1, t0), false},
		{"more attempts are newer", rec(false, 3, t0), rec(false, 2, t0.Add(time.Hour)), true},
		{"fewer attempts are older", rec(false, 2, t0.Add(time.Hour)), rec(false, 3, t0), false},
		{"the same attempts: the later next attempt is newer", rec(false, 2, t0.Add(time.Minute)), rec(false, 2, t0), true},
		{"the same copy is not newer", rec(false, 2, t0), rec(false, 2, t0), false},
	}
	for _, tt := range tests {
		if got := newerCopy(tt.a, tt.b); got != tt.want {
			t.Errorf("%s: newerCopy = %v, want %v", tt.name, got, tt.want)
		}
	}
}

// keep keeps the newest copy of each event, whichever order the scan
// meets them in.
func TestSalvager_Keep(t *testing.T) {
	older := &record{Entry: Entry{ID: 4, Attempts: 1, LastReason: "older"}}
	newer := &record{Entry: Entry{ID: 4, Attempts: 2, LastReason: "newer"}}
	other := &record{Entry: Entry{ID: 2}}
	for _, order := range [][]*record{{older, newer, other}, {newer, older, other}, {other, older, newer}} {
		s := &salvager{found: map[uint64]*record{}}
		for _, r := range order {
			s.keep(r)
		}
		got := s.records()
		if len(got) != 2 || got[0] != other || got[1] != newer {
			t.Errorf("kept %+v, want #2 then the newer #4", got)
		}
	}
}

// What the walk reads from a bucket: an event, or a loss naming it.
func TestSalvager_Entry(t *testing.T) {
	good, _ := json.Marshal(record{Entry: Entry{ID: 7, URL: fixtureURL, RoutingKey: leaseKey, Body: []byte(`{}`)}})
	tests := []struct {
		name     string
		bucket   string
		e        element
		wantDead *bool // the event kept, dead or not; nil: none kept
		wantLoss *Loss
	}{
		{"a pending event", "pending", element{key: idKey(7), value: good}, new(bool), nil},
		{"a dead letter", "dead", element{key: idKey(7), value: good}, ptr(true), nil},
		{"a bucket where an event belongs", "pending", element{key: []byte("sub"), bucket: true}, nil,
			&Loss{What: `the entry "sub" of the pending bucket`, Reason: "it is a bucket, not an event"}},
		{"a dead letter that does not decode", "dead", element{key: idKey(7), value: []byte("{")}, nil,
			&Loss{What: "dead letter #7", Reason: "its stored JSON does not decode: unexpected end of JSON input"}},
		{"a pending event holding another", "pending", element{key: idKey(9), value: good}, nil,
			&Loss{What: "pending event #9", Reason: "it holds event #7"}},
		{"a key that is no ID", "pending", element{key: []byte("xyz"), value: good}, nil,
			&Loss{What: "an entry of the pending bucket", Reason: "a stored pending event cannot be read: its key has 3 bytes, not the 8 of an event id"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := &salvager{found: map[uint64]*record{}}
			s.entry(tt.bucket, tt.e)
			kept := s.records()
			switch {
			case tt.wantDead == nil && len(kept) != 0:
				t.Errorf("kept %+v, want nothing", kept)
			case tt.wantDead != nil && (len(kept) != 1 || kept[0].Dead != *tt.wantDead):
				t.Errorf("kept %+v, want one event, dead: %v", kept, *tt.wantDead)
			}
			var wantLost []Loss
			if tt.wantLoss != nil {
				wantLost = []Loss{*tt.wantLoss}
			}
			if diff := cmp.Diff(wantLost, s.lost); diff != "" {
				t.Errorf("losses (-want +got):\n%s", diff)
			}
		})
	}
}

func ptr[T any](v T) *T { return &v }

// What a page scan reports: how the events were found, and the pages it
// could not read.
func TestSalvager_ScanReport(t *testing.T) {
	why := errors.New("the root page 3 is not a B-tree page")
	const start = "the file's B-tree cannot be read from its root (the root page 3 is not a B-tree page): the "
	tests := []struct {
		name       string
		found      int
		freeKnown  bool
		unreadable []uint64
		wantWarn   string // the warning's start
		wantAlso   string // in the warning too
		wantLoss   *Loss
	}{
		{name: "nothing found", wantWarn: start + "0 events salvaged were found by scanning its pages"},
		{name: "found, free pages skipped", found: 2, freeKnown: true,
			wantWarn: start + "2 events salvaged were found by scanning its pages, passing over the pages its free-page list names"},
		{name: "found, free pages unknown", found: 1,
			wantWarn: start + "1 event salvaged", wantAlso: "; its free-page list could not be read, so some may be older copies of events since delivered"},
		{name: "unreadable pages, free pages known", found: 1, freeKnown: true, unreadable: []uint64{5, 6},
			wantWarn: start + "1 event", wantLoss: &Loss{What: "2 unreadable pages (5, 6)", Reason: "not readable as B-tree pages; events on them, if any, are lost"}},
		{name: "an unreadable page, free pages unknown", found: 1, unreadable: []uint64{9},
			wantWarn: start + "1 event", wantLoss: &Loss{What: "1 unreadable page (9)", Reason: "not readable as B-tree pages; they may have held events, or have been free"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := &salvager{found: map[uint64]*record{}}
			for i := range tt.found {
				s.found[uint64(i+1)] = &record{}
			}
			s.scanReport(why, tt.freeKnown, tt.unreadable)
			if len(s.warnings) != 1 || !strings.HasPrefix(s.warnings[0], tt.wantWarn) || !strings.Contains(s.warnings[0], tt.wantAlso) {
				t.Errorf("warnings %q, want one starting %q, saying %q", s.warnings, tt.wantWarn, tt.wantAlso)
			}
			var wantLost []Loss
			if tt.wantLoss != nil {
				wantLost = []Loss{*tt.wantLoss}
			}
			if diff := cmp.Diff(wantLost, s.lost); diff != "" {
				t.Errorf("losses (-want +got):\n%s", diff)
			}
		})
	}
}

func TestPageList(t *testing.T) {
	tests := []struct {
		ids  []uint64
		want string
	}{
		{nil, ""},
		{[]uint64{7}, "7"},
		{[]uint64{2, 3, 4, 5, 6, 7, 8, 9, 10, 11}, "2, 3, 4, 5, 6, 7, 8, 9, 10, 11"},
		{[]uint64{2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 40}, "2, 3, 4, 5, 6, 7, 8, 9, 10, 11 and 2 more"},
	}
	for _, tt := range tests {
		if got := pageList(tt.ids); got != tt.want {
			t.Errorf("pageList(%v) = %q, want %q", tt.ids, got, tt.want)
		}
	}
}

func TestSpanName(t *testing.T) {
	tests := []struct {
		bucket string
		b      badSpan
		want   string
	}{
		{"pending", badSpan{lo: idKey(41), hi: idKey(81)}, "the pending events #41 to #80"},
		{"dead", badSpan{lo: idKey(3)}, "the dead letters from #3 on"},
		{"pending", badSpan{hi: idKey(12)}, "the pending events before #12"},
		{"pending", badSpan{hi: idKey(1)}, "the pending events"},
		{"dead", badSpan{lo: []byte("x"), hi: []byte("y")}, "the dead letters"},
		{"pending", badSpan{lo: idKey(9), hi: idKey(9)}, "the pending events from #9 on"},
		{"groups", badSpan{lo: idKey(1), hi: idKey(5)}, "the index of pending events by alert"},
	}
	for _, tt := range tests {
		if got := spanName(tt.bucket, tt.b); got != tt.want {
			t.Errorf("spanName(%s, %x..%x) = %q, want %q", tt.bucket, tt.b.lo, tt.b.hi, got, tt.want)
		}
	}
}
