// Command benchreport turns the JSON lines that bench/run.sh collects from
// fluxpdbench and upstreambench into the markdown report of
// bench/results/latest.md.
//
//	benchreport RESULTS.jsonl > REPORT.md
package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"

	"github.com/fluxpd/fluxpd/bench/internal/harness"
)

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: benchreport RESULTS.jsonl > REPORT.md")
		os.Exit(2)
	}
	runs, err := load(os.Args[1])
	if err != nil {
		fmt.Fprintln(os.Stderr, "benchreport:", err)
		os.Exit(1)
	}
	report(os.Stdout, newSet(runs), machine())
}

func load(path string) ([]*run, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var runs []*run
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		if strings.TrimSpace(sc.Text()) == "" {
			continue
		}
		var r harness.Result
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		if len(r.Reps) == 0 {
			return nil, fmt.Errorf("%s: a %s %s result has no repetitions", path, r.Tool, r.Scenario)
		}
		runs = append(runs, newRun(r))
	}
	return runs, sc.Err()
}

// key identifies a scenario, whatever its size.
type key struct {
	tool, scenario string
	concurrency    int
	latencyMS      float64
	inline         bool // the memory runs
	emulator       bool // the runs that show what the emulator would cost
}

func keyOf(r *run) key {
	return key{r.Tool, r.Scenario, r.Concurrency, r.LatencyMS, r.Inline, r.Receiver == "emulator"}
}

// set indexes the runs by scenario and size.
type set struct {
	runs  []*run
	byKey map[key][]*run // sorted by N
}

func newSet(runs []*run) *set {
	s := &set{runs: runs, byKey: make(map[key][]*run)}
	for _, r := range runs {
		k := keyOf(r)
		s.byKey[k] = append(s.byKey[k], r)
	}
	for _, rs := range s.byKey {
		slices.SortFunc(rs, func(a, b *run) int { return a.N - b.N })
	}
	return s
}

// get returns the run of k at size n, or nil.
func (s *set) get(k key, n int) *run {
	for _, r := range s.byKey[k] {
		if r.N == n {
			return r
		}
	}
	return nil
}

// extra returns the cost of one more event of k, from its smallest and
// largest sizes, and false if it has fewer than two.
func (s *set) extra(k key) (extra, bool) {
	rs := s.byKey[k]
	if len(rs) < 2 {
		return extra{}, false
	}
	return extraCost(rs[0], rs[len(rs)-1]), true
}

// floorKey is the sequential floor at the latency of k.
func floorKey(k key) key { return key{"fluxpd", "floor", 0, k.latencyMS, false, false} }

// upstreamKey is what k is compared with on upstream, if anything.
func upstreamKey(k key) (key, bool) {
	switch k.scenario {
	case "sendevent", "endpoint", "mapconst":
		return key{"upstream", k.scenario, 0, k.latencyMS, k.inline, k.emulator}, true
	}
	return key{}, false
}

// label names a scenario in the tables.
func label(r *run) string {
	switch r.Scenario {
	case "floor":
		if r.Concurrency > 1 {
			return fmt.Sprintf("floor: net/http, %d at once", r.Concurrency)
		}
		return "floor: net/http, sequential"
	case "mapconst":
		return r.Tool + ": map() alone, no send"
	case "sendevent":
		return r.Tool + ": sendEvent in map()"
	case "nosend":
		return r.Tool + ": same pipeline, no send"
	case "endpoint":
		switch {
		case r.Tool == "upstream":
			return "upstream: endpoint()"
		case r.Concurrency == 0 && r.DefaultConcurrency > 0:
			return fmt.Sprintf("fluxpd: endpoint(), default (%d)", r.DefaultConcurrency)
		case r.Concurrency == 0:
			return "fluxpd: endpoint(), default"
		}
		return fmt.Sprintf("fluxpd: endpoint(), concurrency %d", r.Concurrency)
	}
	return r.Tool + ": " + r.Scenario
}

// order is the order of scenarios in the tables.
func order(k key) int {
	i := slices.Index([]string{"floor", "mapconst", "sendevent", "endpoint", "nosend"}, k.scenario)
	if k.tool == "upstream" {
		i = i*10 + 5
	} else {
		i = i*10 + min(k.concurrency, 4)
	}
	return i
}

// keys returns the scenarios at latency ms in table order.
func (s *set) keys(ms float64, scenarios ...string) []key {
	var ks []key
	for k := range s.byKey {
		if k.latencyMS == ms && !k.inline && !k.emulator && slices.Contains(scenarios, k.scenario) {
			ks = append(ks, k)
		}
	}
	slices.SortFunc(ks, func(a, b key) int { return order(a) - order(b) })
	return ks
}

func fprintf(w io.Writer, format string, args ...any) { _, _ = fmt.Fprintf(w, format, args...) }
