package relaytest

import (
	"strings"
	"testing"
	"time"

	"github.com/fluxpd/fluxpd/internal/emulator"
)

// TestAnalyze shows that the crash test's checks catch what they look for:
// a missing event, one out of order, a duplicate no kill explains, a body
// that is not of the load; and that they let through the duplicates a
// kill does explain.
func TestAnalyze(t *testing.T) {
	plan := Load(4, 2, 1) // alert 0: events 1, 2; alert 1: events 1, 2
	a0, a1 := plan[0], plan[1]
	t0 := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	at := func(s int) time.Time { return t0.Add(time.Duration(s) * time.Second) }
	req := func(ev Event, s int) emulator.Request {
		return emulator.Request{Time: at(s), Status: 202, Verdict: emulator.VerdictAccepted, Body: ev.Body()}
	}
	fault := emulator.Request{Time: at(0), Status: 503, Verdict: emulator.VerdictFault, Body: a0[0].Body()}
	killAt3 := []killSpan{{From: at(3), To: at(3).Add(time.Millisecond)}}
	for _, tc := range []struct {
		name      string
		reqs      []emulator.Request
		kills     []killSpan
		uncertain map[Mark]int
		wantDupK  int
		wantDupA  int
		wantLead  time.Duration
		want      []string // substrings of the problems, in order; none for a clean run
	}{
		{name: "clean", reqs: []emulator.Request{fault, req(a0[0], 1), req(a1[0], 2), req(a0[1], 3), req(a1[1], 4)}},
		{name: "missing", reqs: []emulator.Request{req(a0[0], 1), req(a0[1], 2), req(a1[0], 3)},
			want: []string{"alert 1 event 2 was answered 202 by the relay but never reached the emulator"}},
		{name: "out of order", reqs: []emulator.Request{req(a0[1], 1), req(a0[0], 2), req(a1[0], 3), req(a1[1], 4)},
			want: []string{"alert 0 event 1 arrived (request #0) after event 2 of the same alert: out of order"}},
		{name: "duplicate across a kill", kills: killAt3, wantDupK: 1, wantLead: 2 * time.Second,
			reqs: []emulator.Request{req(a0[0], 1), req(a0[0], 4), req(a0[1], 5), req(a1[0], 6), req(a1[1], 7)}},
		{name: "duplicate without a kill", kills: killAt3,
			reqs: []emulator.Request{req(a0[0], 1), req(a0[0], 2), req(a0[1], 5), req(a1[0], 6), req(a1[1], 7)},
			want: []string{"alert 0 event 1 reached the emulator 2 times: 1 duplicates not explained by a kill"}},
		{name: "duplicate of an unanswered accept", uncertain: map[Mark]int{a0[0].Mark: 1}, wantDupA: 1,
			reqs: []emulator.Request{req(a0[0], 1), req(a0[0], 2), req(a0[1], 5), req(a1[0], 6), req(a1[1], 7)}},
		{name: "stored twice, then delivered again across a kill", kills: killAt3, uncertain: map[Mark]int{a0[0].Mark: 1},
			wantDupA: 1, wantDupK: 1, wantLead: time.Second,
			reqs: []emulator.Request{req(a0[0], 1), req(a0[0], 2), req(a0[0], 4), req(a0[1], 5), req(a1[0], 6), req(a1[1], 7)}},
		{name: "not of the load", reqs: []emulator.Request{req(a0[0], 1), req(a0[1], 2), req(a1[0], 3), req(a1[1], 4),
			{ID: 9, Status: 202, Body: []byte(`{"event_action":"trigger"}`)}},
			want: []string{"request #9, answered 202, is not an event of the load"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rep := analyze(plan, tc.reqs, tc.kills, tc.uncertain)
			if len(rep.Problems) != len(tc.want) {
				t.Fatalf("problems = %q, want %d matching %q", rep.Problems, len(tc.want), tc.want)
			}
			for i, w := range tc.want {
				if !strings.Contains(rep.Problems[i], w) {
					t.Errorf("problem %d = %q, want it to say %q", i, rep.Problems[i], w)
				}
			}
			if rep.DupDelivery != tc.wantDupK || rep.DupAccept != tc.wantDupA {
				t.Errorf("duplicates explained by a kill in delivery, in accept = %d, %d; want %d, %d", rep.DupDelivery, rep.DupAccept, tc.wantDupK, tc.wantDupA)
			}
			if rep.DupLead != tc.wantLead {
				t.Errorf("DupLead = %s, want %s", rep.DupLead, tc.wantLead)
			}
			if rep.Planned != 4 {
				t.Errorf("planned = %d, want 4", rep.Planned)
			}
		})
	}
}
