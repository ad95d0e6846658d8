// Command benchwhere says where the time of one benchmark scenario goes,
// per event, from the text dumps of its profiles (bench/where.sh makes
// them; bench/README.md's "Where the time of sendEvent in map() goes"
// reads them):
//
//	benchwhere cpu -events N [-result R] STACKS # go tool pprof -traces of a CPU profile
//	benchwhere trace -events N EVENTS...        # go tool trace -d=parsed of -trace runs
//
// cpu files every sample under one component (the first rule its stack
// matches: harness, receiver, transport, each part of fluxpd's send path,
// Flux, GC, scheduler) and prints each one's CPU time per event; -result
// names the JSON the profiled run printed, whose wall time and
// allocations per event (medians of its repetitions) it prints too.
//
// trace divides the region "timed" of each traced repetition along the
// sending goroutine's critical path (see criticalPath): the sender
// running, waiting for a processor, and, while it waits for the answer,
// the exchange's goroutines (HTTP transport, receiver) running or in
// system calls, runnable, or none of them (the kernel's loopback and
// wake-ups). The parts sum to the region; with several repetitions it
// prints their medians. With one it also prints each goroutine's time
// per state and how long zero, one and two goroutines ran at once.
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"slices"

	"github.com/fluxpd/fluxpd/bench/internal/harness"
)

func main() { os.Exit(run(os.Args[1:], os.Stdout, os.Stderr)) }

func run(args []string, stdout, stderr io.Writer) int {
	if len(args) < 1 || (args[0] != "cpu" && args[0] != "trace") {
		fmt.Fprintln(stderr, "usage: benchwhere cpu|trace -events N FILE")
		return 2
	}
	fs := flag.NewFlagSet("benchwhere "+args[0], flag.ContinueOnError)
	fs.SetOutput(stderr)
	events := fs.Int("events", 0, "events the profile covers (rows × timed repetitions; for trace, rows of the traced repetition)")
	result := fs.String("result", "", "the JSON the profiled run printed (cpu)")
	if err := fs.Parse(args[1:]); err != nil {
		return 2
	}
	if *events < 1 || fs.NArg() < 1 || (args[0] == "cpu" && fs.NArg() != 1) {
		fmt.Fprintln(stderr, "benchwhere: give -events N (at least 1) and the file (cpu) or files (trace)")
		return 2
	}
	var files []io.Reader
	for _, name := range fs.Args() {
		f, err := os.Open(name)
		if err != nil {
			fmt.Fprintln(stderr, "benchwhere:", err)
			return 1
		}
		defer f.Close()
		files = append(files, f)
	}
	var err error
	if args[0] == "cpu" {
		f := files[0]
		if *result != "" {
			err = printResult(*result, stdout)
		}
		if err == nil {
			err = printCPU(f, stdout, float64(*events))
		}
	} else {
		err = printTrace(files, stdout, float64(*events))
	}
	if err != nil {
		fmt.Fprintln(stderr, "benchwhere:", err)
		return 1
	}
	return 0
}

// printResult prints the wall time and allocations per event of a
// harness.Result, medians of its repetitions.
func printResult(path string, w io.Writer) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	var r harness.Result
	if err := json.Unmarshal(b, &r); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	if len(r.Reps) == 0 || r.N == 0 {
		return fmt.Errorf("%s: no repetitions", path)
	}
	var ns, mallocs []float64
	for _, rep := range r.Reps {
		ns = append(ns, float64(rep.Nanos)/float64(r.N))
		mallocs = append(mallocs, float64(rep.Mallocs)/float64(r.N))
	}
	fmt.Fprintf(w, "%s %s, %d events × %d reps: wall %.1f µs/event (median; fastest %.1f), %.1f allocs/event\n",
		r.Tool, r.Scenario, r.N, len(r.Reps), median(ns)/1e3, slices.Min(ns)/1e3, median(mallocs))
	return nil
}

func median(v []float64) float64 {
	s := slices.Sorted(slices.Values(v))
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}
