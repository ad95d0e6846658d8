package main

import (
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"

	"github.com/fluxpd/fluxpd/internal/host"
)

// "fluxpd run" tells the person at the terminal what became of the events:
// a line for each of the first failures and notes as they happen, a
// progress line while a terminal watches, and a closing summary that
// counts the events by outcome and shows at most maxExamples of them.
// --summary full lists every one.

// maxExamples bounds the event lines of the closing summary, and the
// failure and note lines printed as they happen, unless --summary full.
const maxExamples = 20

// outcomeOrder is the order of the summary's counts and examples: what
// needs attention first.
var outcomeOrder = []host.Outcome{
	host.Rejected, host.Invalid, host.Failed, host.Queued, host.Accepted,
}

// reporter collects what the pagerduty package tells fluxpd run about each
// event, from the goroutines that send them.
type reporter struct {
	mu       sync.Mutex
	w        io.Writer // masked standard error
	full     bool      // --summary full: every line, nothing cut
	progress *progress // nil off a terminal
	counts   map[host.Outcome]int
	statuses map[host.Outcome]map[int]int
	examples map[host.Outcome][]host.Sent
	all      []host.Sent     // every event, with --summary full only
	urls     map[string]bool // where events went, up to maxURLs
	requests int             // requests sent, retries included
	lines    int             // failure and note lines printed so far
	cut      int             // failure and note lines not printed
}

func newReporter(w io.Writer, full bool, terminal bool) *reporter {
	r := &reporter{
		w: w, full: full,
		counts:   make(map[host.Outcome]int),
		statuses: make(map[host.Outcome]map[int]int),
		examples: make(map[host.Outcome][]host.Sent),
		urls:     make(map[string]bool),
	}
	if terminal {
		r.progress = &progress{w: w}
	}
	return r
}

// host returns the host whose callbacks feed r.
func (r *reporter) host() host.Host {
	return host.Host{Report: r.report, Note: r.note, Sent: r.sent}
}

// report prints a line for a failure as it happens (the first
// maxExamples of failures and notes, unless --summary full).
func (r *reporter) report(f host.Failure) { r.line("fluxpd: " + f.String()) }

// note prints a line for an event sent other than the script gave it (a
// summary cut to PagerDuty's limit, say).
func (r *reporter) note(n host.Note) { r.line("fluxpd: note: " + n.String()) }

func (r *reporter) line(s string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if !r.full && r.lines >= maxExamples {
		r.cut++
		return
	}
	r.lines++
	r.progress.clear()
	fmt.Fprintln(r.w, s)
	r.progress.draw(r.counts, true)
}

// sent counts one event's outcome and keeps it as an example.
func (r *reporter) sent(s host.Sent) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.counts[s.Outcome]++
	r.requests += s.Attempts
	if r.statuses[s.Outcome] == nil {
		r.statuses[s.Outcome] = make(map[int]int)
	}
	r.statuses[s.Outcome][s.Status]++
	if len(r.examples[s.Outcome]) < maxExamples {
		r.examples[s.Outcome] = append(r.examples[s.Outcome], s)
	}
	if r.full {
		r.all = append(r.all, s)
	}
	if len(r.urls) < maxURLs {
		r.urls[s.URL] = true
	}
	r.progress.draw(r.counts, false)
}

// total is the number of events told of.
func (r *reporter) total() int {
	n := 0
	for _, c := range r.counts {
		n += c
	}
	return n
}

// notAccepted is the number of events that were not accepted and do not
// wait in an outbox: what makes fluxpd run exit with exitNotAccepted.
func (r *reporter) notAccepted() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.counts[host.Rejected] + r.counts[host.Invalid] + r.counts[host.Failed]
}

// queued is the number of events the run left in the outbox.
func (r *reporter) queued() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.counts[host.Queued]
}

// stop erases the progress line for good, before other output.
func (r *reporter) stop() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.progress.clear()
	r.progress = nil
}

// finish clears the progress line and writes the closing summary: the
// counts by outcome and, unless the emulator lists them itself
// (listedElsewhere), at most maxExamples example events.
func (r *reporter) finish(listedElsewhere bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.progress.clear()
	r.progress = nil
	total := r.total()
	if r.cut > 0 {
		fmt.Fprintf(r.w, "fluxpd: %d more failure and note line%s not shown (--summary full shows every one)\n", r.cut, plural(r.cut))
	}
	if total == 0 {
		fmt.Fprintln(r.w, "\nfluxpd: no events sent by pagerduty calls")
		return
	}
	fmt.Fprintf(r.w, "\nfluxpd: %d event%s %s: %s; %d request%s\n", total, plural(total), r.destinations(), r.countLine(), r.requests, plural(r.requests))
	if listedElsewhere {
		return
	}
	shown := r.chosenExamples()
	if len(shown) < total {
		fmt.Fprintf(r.w, "Examples (%d of %d; --summary full lists every event):\n", len(shown), total)
	}
	for _, s := range shown {
		fmt.Fprintln(r.w, "  "+sentLine(s))
	}
}

// maxURLs bounds the destinations the summary names.
const maxURLs = 3

// destinations is "for https://events.pagerduty.com/v2/enqueue", or "for
// 2 URLs" when the events were for several.
func (r *reporter) destinations() string {
	if len(r.urls) != 1 {
		more := ""
		if len(r.urls) == maxURLs {
			more = " or more"
		}
		return fmt.Sprintf("for %d%s URLs", len(r.urls), more)
	}
	for u := range r.urls {
		return "for " + cutText(u, maxShownURL)
	}
	return ""
}

// maxShownURL bounds a URL in the summary; a script may build one of any
// length.
const maxShownURL = 120

// countLine is "4990 accepted (202), 8 rejected (400), 2 queued (503)".
func (r *reporter) countLine() string {
	var parts []string
	for _, o := range outcomeOrder {
		if n := r.counts[o]; n > 0 {
			parts = append(parts, fmt.Sprintf("%d %s%s", n, o, statusList(r.statuses[o])))
		}
	}
	return strings.Join(parts, ", ")
}

// statusList is " (400, 404)": the statuses seen, none when no answer came.
func statusList(byStatus map[int]int) string {
	var parts []string
	for status := 100; status < 600; status++ {
		if byStatus[status] > 0 {
			parts = append(parts, fmt.Sprint(status))
		}
	}
	if len(parts) == 0 {
		return ""
	}
	return " (" + strings.Join(parts, ", ") + ")"
}

// chosenExamples returns every event with --summary full, else at most
// maxExamples, those needing attention first.
func (r *reporter) chosenExamples() []host.Sent {
	if r.full {
		return r.all
	}
	var out []host.Sent
	for _, o := range outcomeOrder {
		for _, s := range r.examples[o] {
			if len(out) == maxExamples {
				return out
			}
			out = append(out, s)
		}
	}
	return out
}

// sentLine describes one event on one line.
func sentLine(s host.Sent) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%-8s pagerduty.%s", s.Outcome, s.Function)
	if s.Action != "" {
		b.WriteString(" " + s.Action)
	}
	if s.DedupKey != "" {
		fmt.Fprintf(&b, " dedup_key=%q", s.DedupKey)
	}
	if s.Summary != "" {
		fmt.Fprintf(&b, " summary=%q", cutText(s.Summary, maxShownSummary))
	}
	if s.Status != 0 {
		fmt.Fprintf(&b, ": %d %s", s.Status, http.StatusText(s.Status))
	}
	if s.Reason != "" {
		b.WriteString(": " + cutText(s.Reason, maxShownReason))
	}
	return b.String()
}

// How much of an event's summary and reason a summary line shows.
const (
	maxShownSummary = 80
	maxShownReason  = 300
)

// cutText is s cut to max runes, ending in "…" when cut.
func cutText(s string, max int) string {
	r := []rune(s)
	if len(r) <= max {
		return s
	}
	return string(r[:max-1]) + "…"
}
