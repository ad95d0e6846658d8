package main

import (
	"bufio"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"
)

// rule files a CPU sample under a component when its stack (leaf first,
// one function per line) holds any of the function names in any.
type rule struct {
	component string
	any       []string
	within    string // when set, only a stack holding it matches
	unless    string // a stack holding this does not match
	onSender  bool   // the sending goroutine runs it (see printCPU)
}

// rules are tried in order; the first that matches wins, so the specific
// parts of the send path come before the functions that call them.
var rules = []rule{
	{component: "harness, not timed (preparing, checking)", any: []string{"harness.(*scenario).rep"}, unless: "harness.measure"},
	{component: "GC, background workers", any: []string{"runtime.gcBgMarkWorker"}},
	{component: "receiver (net/http server and handler)", any: []string{"net/http.(*conn).serve"}},
	{component: "HTTP transport: readLoop", any: []string{"persistConn).readLoop"}},
	{component: "HTTP transport: writeLoop", any: []string{"persistConn).writeLoop"}},
	{component: "GC assists while the sender allocates", any: []string{"runtime.gcAssistAlloc"}, onSender: true},
	{component: "send: settings (context values)", any: []string{"pagerduty.settingsFrom"}, onSender: true},
	{component: "send: reading arguments and URL", any: []string{"pagerduty.readEvent", "pagerduty.readURL"}, onSender: true},
	{component: "send: event.Build", any: []string{"event.Build"}, onSender: true},
	{component: "send: event.Encode", any: []string{"event.Encode"}, onSender: true},
	{component: "send: Sender from the dependencies", any: []string{"pagerduty.newSender"}, onSender: true},
	{component: "delivery: net/http Client.Do, caller's side", any: []string{"net/http.(*Client).Do"}, unless: "harness.postOne", onSender: true},
	{component: "delivery: request", any: []string{"delivery.(*call).newRequest"}, onSender: true},
	{component: "delivery: answer read and decoded", any: []string{"delivery.readResponse"}, onSender: true},
	{component: "delivery: masking", any: []string{"delivery.newMask", "delivery.maskResponse", "delivery.(*mask)"}, onSender: true},
	{component: "delivery: URL check", any: []string{"delivery.checkURL", "delivery.parseTarget"}, onSender: true},
	{component: "delivery: attempt context and timer", any: []string{"context.With", "context.(*cancelCtx)", "context.(*timerCtx)"}, within: "delivery.(*call).attempt", onSender: true},
	{component: "delivery: the rest of Send", any: []string{"delivery.(*Sender)"}, onSender: true},
	{component: "host: Send, reports, metrics", any: []string{"host.(*Host)", "delivery.Summarize"}, onSender: true},
	{component: "send: the rest of sendEvent", any: []string{"pagerduty.sendEvent", "pagerduty.SendEvent", "pagerduty.sendOne"}, onSender: true},
	{component: "send: arguments filed, level helpers", any: []string{"pagerduty.callReadingAll", "pagerduty.callLevel", "pagerduty.levelFunc", "interpreter.DoFunctionCall"}, onSender: true},
	{component: "floor: memory touched before each post (-touch)", any: []string{"harness.toucher"}, onSender: true},
	{component: "floor: net/http Client.Do", any: []string{"net/http.(*Client).Do"}, onSender: true},
	{component: "floor: the rest of the loop", any: []string{"harness.postOne", "harness.floor"}, onSender: true},
	{component: "Flux: map() and the call of sendEvent", any: []string{"github.com/influxdata/flux/"}, onSender: true},
	{component: "scheduler (idle processors looking for work)", any: []string{"runtime.schedule", "runtime.mcall", "runtime.findRunnable", "runtime.mstart"}},
	{component: "other runtime", any: []string{""}},
}

// sampleLine is the first line of a sample in `go tool pprof -traces`:
// its value and its leaf function.
var sampleLine = regexp.MustCompile(`^\s+([\d.]+)(ms|s|us|µs)\s+(\S.*)$`)

var unitMicros = map[string]float64{"s": 1e6, "ms": 1e3, "us": 1, "µs": 1}

// printCPU reads `go tool pprof -traces` output and prints each
// component's CPU time per event, in rule order, and for those the
// sending goroutine runs, their share of its CPU time: the fractions that
// divide its running time in a trace (benchwhere trace).
func printCPU(r io.Reader, w io.Writer, events float64) error {
	total := map[string]float64{}
	var value float64
	var stack []string
	flush := func() {
		if stack != nil {
			total[classify(strings.Join(stack, "\n"))] += value
		}
		stack = nil
	}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(line, "-----------+") {
			flush()
			continue
		}
		if m := sampleLine.FindStringSubmatch(line); m != nil {
			flush()
			v, _ := strconv.ParseFloat(m[1], 64)
			value, stack = v*unitMicros[m[2]], []string{m[3]}
			continue
		}
		if stack != nil && strings.TrimSpace(line) != "" {
			stack = append(stack, strings.TrimSpace(line))
		}
	}
	flush()
	if err := sc.Err(); err != nil {
		return err
	}
	sum := 0.0
	for _, v := range total {
		sum += v
	}
	onSender := 0.0
	for _, r := range rules {
		if r.onSender {
			onSender += total[r.component]
		}
	}
	fmt.Fprintf(w, "CPU µs/event  %% of sender  component (%.0f events, %.2f s of samples)\n", events, sum/1e6)
	for _, r := range rules {
		v := total[r.component]
		switch {
		case v > 0 && r.onSender:
			fmt.Fprintf(w, "%12.2f  %10.1f%%  %s\n", v/events, 100*v/onSender, r.component)
		case v > 0:
			fmt.Fprintf(w, "%12.2f  %11s  %s\n", v/events, "", r.component)
		}
	}
	fmt.Fprintf(w, "%12.2f  %11s  total\n", sum/events, "")
	return nil
}

// classify returns the component of the first rule stack matches.
func classify(stack string) string {
	for _, r := range rules {
		if r.unless != "" && strings.Contains(stack, r.unless) || r.within != "" && !strings.Contains(stack, r.within) {
			continue
		}
		for _, s := range r.any {
			if strings.Contains(stack, s) {
				return r.component
			}
		}
	}
	return "other runtime"
}
