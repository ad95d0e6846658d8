package relaytest

import (
	"fmt"
	"slices"
	"time"

	"github.com/fluxpd/fluxpd/internal/emulator"
)

// killSpan is one SIGKILL of the relay: from just before the signal to
// when the process was reaped. A request the emulator received within
// or before it may have been in flight at the kill.
type killSpan struct{ From, To time.Time }

// crashReport is what the emulator received during a crash test, against
// the load, and what is wrong with it.
type crashReport struct {
	Planned   int                      // events of the load, each answered 202 by the relay
	Delivered int                      // of them, how many reached the emulator (202)
	Requests  int                      // every request the emulator received
	Verdicts  map[emulator.Verdict]int // of those requests
	Copies    int                      // load events the emulator answered 202, duplicates included
	// Duplicates, each explained: a delivery in flight at a kill (a kill
	// between two copies' arrivals), or an accept in flight at a kill (its
	// sender got no answer and sent the event again).
	DupDelivery, DupAccept int
	// DupLead is, for the deliveries in flight at a kill, the longest time
	// from the earlier copy's arrival to the kill: how long before a kill
	// an event the relay had not yet recorded as delivered arrived.
	DupLead  time.Duration
	Problems []string
}

// maxProblems bounds the problems a report lists.
const maxProblems = 20

func (r *crashReport) problem(format string, args ...any) {
	if len(r.Problems) < maxProblems {
		r.Problems = append(r.Problems, fmt.Sprintf(format, args...))
	}
}

// analyze checks what the emulator received, reqs in arrival order,
// against the load plan: every event arrived at least once, each alert's
// events in order, and every duplicate is explained by a kill (kills) or
// by an accept attempt left unanswered by one (uncertain, per event).
func analyze(plan [][]Event, reqs []emulator.Request, kills []killSpan, uncertain map[Mark]int) crashReport {
	rep := crashReport{Requests: len(reqs), Verdicts: map[emulator.Verdict]int{}}
	planned := map[Mark]bool{}
	for _, alert := range plan {
		for _, ev := range alert {
			planned[ev.Mark] = true
		}
	}
	rep.Planned = len(planned)
	arrivals := map[Mark][]time.Time{}
	highest := map[int]int{} // per alert, the highest seq arrived
	for _, q := range reqs {
		rep.Verdicts[q.Verdict]++
		if q.Status != 202 {
			continue
		}
		m, ok := ReadMark(q.Body)
		if !ok || !planned[m] {
			rep.problem("request #%d, answered 202, is not an event of the load", q.ID)
			continue
		}
		rep.Copies++
		if m.Seq < highest[m.Alert] {
			rep.problem("%s arrived (request #%d) after event %d of the same alert: out of order", m, q.ID, highest[m.Alert])
		}
		highest[m.Alert] = max(highest[m.Alert], m.Seq)
		arrivals[m] = append(arrivals[m], q.Time)
	}
	for _, alert := range plan {
		for _, ev := range alert {
			rep.explain(ev.Mark, arrivals[ev.Mark], kills, uncertain[ev.Mark])
		}
	}
	return rep
}

// explain counts one event's copies and explains its duplicates: by the
// accept attempts its sender got no answer to (each may have stored one
// more copy), and by kills between two copies' arrivals (a delivery in
// flight). Which pair of copies an extra stored copy made cannot be told,
// so the accepts take the pairs with the longest wait before a kill and
// DupLead counts the others: it is the longest time, from a copy's
// arrival, that the relay must have gone without recording it before the
// kill that made it deliver the event again.
func (r *crashReport) explain(m Mark, arrived []time.Time, kills []killSpan, unanswered int) {
	if len(arrived) == 0 {
		r.problem("%s was answered 202 by the relay but never reached the emulator", m)
		return
	}
	r.Delivered++
	extra := len(arrived) - 1
	var leads []time.Duration // of the pairs of copies with a kill between them
	for i := 1; i < len(arrived); i++ {
		if k, ok := killBetween(kills, arrived[i-1], arrived[i]); ok {
			leads = append(leads, max(0, k.From.Sub(arrived[i-1])))
		}
	}
	slices.Sort(leads)
	byAccept := min(extra, unanswered)
	byKill := min(extra-byAccept, len(leads))
	if byKill > 0 {
		r.DupLead = max(r.DupLead, leads[byKill-1])
	}
	r.DupDelivery += byKill
	r.DupAccept += byAccept
	if byKill+byAccept < extra {
		r.problem("%s reached the emulator %d times: %d duplicates not explained by a kill (%d accept attempts unanswered, %d kills between its arrivals)",
			m, len(arrived), extra-byKill-byAccept, unanswered, len(leads))
	}
}

// killBetween returns the first kill that overlaps [from, to].
func killBetween(kills []killSpan, from, to time.Time) (killSpan, bool) {
	for _, k := range kills {
		if !k.From.After(to) && !k.To.Before(from) {
			return k, true
		}
	}
	return killSpan{}, false
}
