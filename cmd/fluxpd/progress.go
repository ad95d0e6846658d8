package main

import (
	"fmt"
	"io"
	"os"
	"time"

	"github.com/fluxpd/fluxpd/internal/host"
)

// progressEvery is how often the progress line is redrawn at most: often
// enough to look alive, rarely enough to cost nothing.
const progressEvery = 100 * time.Millisecond

// progress is the one line "fluxpd run" keeps redrawn on a terminal's
// standard error while events are sent: how many, and how they ended. It
// is erased before any other line is printed and when the run ends. Its
// methods are no-ops on a nil *progress (off a terminal) and are called
// with the reporter's lock held.
type progress struct {
	w     io.Writer
	last  time.Time
	shown bool
}

// eraseLine returns the cursor to the line's start and clears it (ANSI).
const eraseLine = "\r\x1b[K"

// draw shows counts, unless the line was drawn less than progressEvery ago
// and force is false.
func (p *progress) draw(counts map[host.Outcome]int, force bool) {
	if p == nil {
		return
	}
	now := time.Now()
	if !force && p.shown && now.Sub(p.last) < progressEvery {
		return
	}
	sent := 0
	for _, n := range counts {
		sent += n
	}
	if sent == 0 {
		return
	}
	fmt.Fprintf(p.w, "%spagerduty: %d sent, %d accepted, %d queued, %d rejected, %d failed",
		eraseLine, sent, counts[host.Accepted], counts[host.Queued],
		counts[host.Rejected]+counts[host.Invalid], counts[host.Failed])
	p.last, p.shown = now, true
}

// clear erases the line if it is shown.
func (p *progress) clear() {
	if p == nil || !p.shown {
		return
	}
	fmt.Fprint(p.w, eraseLine)
	p.shown = false
}

// isTerminal reports whether w is a terminal (a character device), where
// a progress line helps rather than litters a log. Tests replace it.
var isTerminal = func(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}
