package main

import (
	"bufio"
	"cmp"
	"fmt"
	"io"
	"maps"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// A line of `go tool trace -d=parsed` that starts an event, and the parts
// of a goroutine's state transition and of a region.
var (
	eventLine  = regexp.MustCompile(`^M=-?\d+ P=-?\d+ G=(-?\d+) (\w+) Time=(\d+)(.*)$`)
	transition = regexp.MustCompile(`GoID=(\d+) (\w+)->(\w+) Reason="([^"]*)"`)
)

// transit is one goroutine's change of state; stack is where it was when
// it blocked itself (by == g), leaf first.
type transit struct {
	t             int64
	g, by         int
	from, to, why string
	stack         []string
}

// roles name a goroutine by the function it runs, found in the stack
// where it blocks itself: the HTTP client's connection goroutines, the
// receiver's, GC workers. The sender is found otherwise (see printTrace).
// Functions are matched whole: the sender runs closures of readLoop
// (net/http.(*persistConn).readLoop.func4) when it reads an answer.
var roles = []struct{ name, frame string }{
	{"HTTP transport: readLoop", "net/http.(*persistConn).readLoop"},
	{"HTTP transport: writeLoop", "net/http.(*persistConn).writeLoop"},
	{"receiver connection", "net/http.(*conn).serve"},
	{"GC worker", "runtime.gcBgMarkWorker"},
}

// readTrace returns the transitions of goroutines and the bounds of the
// region "timed".
func readTrace(r io.Reader) (ts []transit, start, end int64, err error) {
	var cur *transit
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(line, "\t") {
			if cur != nil && !strings.HasPrefix(line, "\t\t") {
				cur.stack = append(cur.stack, strings.SplitN(strings.TrimSpace(line), " @ ", 2)[0])
			}
			continue
		}
		m := eventLine.FindStringSubmatch(line)
		if m == nil {
			continue
		}
		cur = nil
		t, _ := strconv.ParseInt(m[3], 10, 64)
		switch kind, rest := m[2], m[4]; {
		case kind == "RegionBegin" && strings.Contains(rest, `Type="timed"`):
			start = t
		case kind == "RegionEnd" && strings.Contains(rest, `Type="timed"`):
			end = t
		case kind == "StateTransition":
			if tm := transition.FindStringSubmatch(rest); tm != nil {
				g, _ := strconv.Atoi(tm[1])
				by, _ := strconv.Atoi(m[1])
				ts = append(ts, transit{t: t, g: g, by: by, from: tm[2], to: tm[3], why: tm[4]})
				cur = &ts[len(ts)-1]
			}
		}
	}
	if err = sc.Err(); err == nil && (start == 0 || end <= start) {
		err = fmt.Errorf("no region \"timed\" in the trace (was it made with fluxpdbench -trace?)")
	}
	return ts, start, end, err
}

// goroutine is one goroutine's time in each state inside the region.
type goroutine struct {
	id    int
	role  string
	state map[string]int64 // "Running", "Runnable", "Syscall", "Waiting: reason"...
}

// printTrace reads `go tool trace -d=parsed` outputs, one traced
// repetition each, and prints where the timed region went, per event: the
// sender's critical path (see criticalPath), the median over the files
// when there are several. With one file it also prints each goroutine's
// time per state and how long zero, one and two goroutines ran at once.
func printTrace(files []io.Reader, w io.Writer, events float64) error {
	var paths []map[string]float64
	var regions []float64
	for _, r := range files {
		ts, start, end, err := readTrace(r)
		if err != nil {
			return err
		}
		gs, concurrency := account(ts, start, end)
		sender := busiest(gs)
		path := map[string]float64{}
		for k, v := range criticalPath(ts, start, end, sender.id, gs) {
			path[k] = float64(v) / 1e3 / events
		}
		paths = append(paths, path)
		regions = append(regions, float64(end-start)/1e3/events)
		if len(files) == 1 {
			printGoroutines(w, gs, sender, concurrency, events)
		}
	}
	fmt.Fprintf(w, "timed region: %.1f µs/event (median of %d traced repetitions of %.0f events: %s)\n",
		median(regions), len(regions), events, joinFloats(regions))
	fmt.Fprintln(w, "critical path, µs/event:")
	for _, label := range pathLabels {
		var v []float64
		for _, p := range paths {
			v = append(v, p[label])
		}
		if m := median(v); m >= 0.05 {
			fmt.Fprintf(w, "%8.1f  %s\n", m, label)
		}
	}
	return nil
}

func joinFloats(v []float64) string {
	s := make([]string, len(v))
	for i, x := range v {
		s[i] = strconv.FormatFloat(x, 'f', 1, 64)
	}
	return strings.Join(s, ", ")
}

// printGoroutines prints each goroutine's time per state, per event.
func printGoroutines(w io.Writer, gs []*goroutine, sender *goroutine, concurrency [3]int64, events float64) {
	perEvent := func(ns int64) float64 { return float64(ns) / 1e3 / events }
	slices.SortFunc(gs, func(a, b *goroutine) int { return cmp.Compare(b.state["Running"], a.state["Running"]) })
	for _, g := range gs {
		role := g.role
		if g == sender {
			role = "sender"
		}
		if role == "" || perEvent(g.state["Running"]+g.state["Syscall"]) < 0.5 {
			continue
		}
		fmt.Fprintf(w, "g%-6d %s\n", g.id, role)
		for _, s := range slices.Sorted(maps.Keys(g.state)) {
			if v := perEvent(g.state[s]); v >= 0.1 && s != "NotExist" {
				fmt.Fprintf(w, "        %8.1f  %s\n", v, s)
			}
		}
	}
	for n := range 3 {
		label := fmt.Sprintf("%d goroutines running at once", n)
		if n == 2 {
			label = "2 or more goroutines running at once"
		}
		fmt.Fprintf(w, "%8.1f  %s\n", perEvent(concurrency[n]), label)
	}
}

// busiest is the goroutine that ran longest and has no other role: the
// one sending (Flux's executor, or the floor's loop).
func busiest(gs []*goroutine) *goroutine {
	var best *goroutine
	for _, g := range gs {
		if g.role == "" && (best == nil || g.state["Running"] > best.state["Running"]) {
			best = g
		}
	}
	return best
}

// account replays the transitions in time order and sums, inside
// [start, end], each goroutine's time per state and the time during which
// 0, 1 and 2 or more goroutines were running.
func account(ts []transit, start, end int64) ([]*goroutine, [3]int64) {
	slices.SortStableFunc(ts, func(a, b transit) int { return cmp.Compare(a.t, b.t) })
	byID := map[int]*goroutine{}
	state := map[int]string{}
	since := map[int]int64{}
	running := map[int]bool{}
	var concurrency [3]int64
	last := start
	clip := func(a, b int64) int64 { return max(0, min(b, end)-max(a, start)) }
	for _, e := range ts {
		g := byID[e.g]
		if g == nil {
			g = &goroutine{id: e.g, state: map[string]int64{}}
			byID[e.g] = g
		}
		if g.role == "" && e.by == e.g {
			g.role = roleOf(e.stack)
		}
		if s, ok := state[e.g]; ok {
			g.state[s] += clip(since[e.g], e.t)
		}
		concurrency[min(len(running), 2)] += clip(last, e.t)
		last = max(last, e.t)
		state[e.g], since[e.g] = stateName(e), e.t
		if e.to == "Running" {
			running[e.g] = true
		} else {
			delete(running, e.g)
		}
	}
	for id, s := range state {
		byID[id].state[s] += clip(since[id], end)
	}
	concurrency[min(len(running), 2)] += clip(last, end)
	return slices.Collect(maps.Values(byID)), concurrency
}

func stateName(e transit) string {
	if e.to == "Waiting" && e.why != "" {
		return "Waiting: " + e.why
	}
	return e.to
}

func roleOf(stack []string) string {
	for _, r := range roles {
		if slices.Contains(stack, r.frame) {
			return r.name
		}
	}
	return ""
}
