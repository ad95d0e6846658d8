// Package harness is the benchmark harness shared by bench/cmd/fluxpdbench
// (fluxpd's pagerduty) and bench/upstream/cmd/upstreambench (upstream Flux
// v0.65.1's): the same data, scripts, receiver, checks and measurements, so
// that the only difference between the two is the Flux package linked in.
//
// It must not import fluxpd's stdlib or Flux's: each command links one.
package harness

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"runtime"
	"time"
)

// DefaultConcurrency is reported as the default of endpoint's concurrency;
// fluxpdbench sets it from fluxpd's pagerduty package.
var DefaultConcurrency int

// Config is one benchmark process: one scenario at one size.
type Config struct {
	Scenario    string
	N           int
	Reps        int
	Warmup      int // rows of an untimed first run; 0 for none
	Concurrency int // floor and fluxpd's endpoint; 0 is the default
	Latency     time.Duration
	Inline      bool   // the receiver checks events as they arrive and keeps none
	Emulator    bool   // send to fluxpd's emulator instead of the minimal receiver
	CPUProfile  string // file for a CPU profile of the timed reps
	MemProfile  string // file for an allocation profile of the timed reps
	Trace       string // file for a runtime trace (go tool trace) of the first timed rep
	TouchKiB    int    // floor: memory touched at random before every post (see toucher)
}

// Main runs the benchmark process of tool ("fluxpd" or "upstream") with the
// command-line args, prints its Result as JSON on stdout and returns the
// exit code. Any wrong answer is fatal.
func Main(tool string, args []string, stdout, stderr io.Writer) int {
	var c Config
	fs := flag.NewFlagSet(tool+"bench", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&c.Scenario, "scenario", "", "floor, sendevent, endpoint, mapconst or nosend")
	fs.IntVar(&c.N, "n", 1000, "events (rows) per repetition")
	fs.IntVar(&c.Reps, "reps", 5, "timed repetitions")
	fs.IntVar(&c.Warmup, "warmup", 300, "rows of an untimed warm-up run")
	fs.IntVar(&c.Concurrency, "concurrency", 0, "requests at once: floor (default 1) and fluxpd's endpoint (default: endpoint's own)")
	fs.DurationVar(&c.Latency, "latency", 0, "receiver's delay before every answer")
	fs.BoolVar(&c.Inline, "inline", false, "check events as they arrive and keep none (for peak RSS), instead of after the timed run")
	fs.BoolVar(&c.Emulator, "emulator", false, "send to fluxpd's PagerDuty emulator instead of the minimal receiver")
	fs.StringVar(&c.CPUProfile, "cpuprofile", "", "write a CPU profile of the timed reps to this file")
	fs.StringVar(&c.MemProfile, "memprofile", "", "write an allocation profile of the timed reps to this file")
	fs.StringVar(&c.Trace, "trace", "", "write a runtime trace of the first timed rep to this file (go tool trace)")
	fs.IntVar(&c.TouchKiB, "touch", 0, "floor: KiB of a 64 MiB arena touched at random before every post, as a script's work between sends would (a control for cold caches)")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	res, err := Run(context.Background(), tool, c, stderr)
	if err != nil {
		fmt.Fprintf(stderr, "%sbench %s n=%d: FAILED: %v\n", tool, c.Scenario, c.N, err)
		return 1
	}
	if err := json.NewEncoder(stdout).Encode(res); err != nil {
		fmt.Fprintln(stderr, err)
		return 1
	}
	return 0
}

// Run runs one benchmark process's scenario: warm-up, then c.Reps timed
// repetitions, each against a reset receiver and each checked.
func Run(ctx context.Context, tool string, c Config, log io.Writer) (*Result, error) {
	if c.N < 1 || c.Reps < 1 {
		return nil, errors.New("-n and -reps must be at least 1")
	}
	if c.Concurrency < 0 || (c.Scenario != "floor" && c.Scenario != "endpoint" && c.Concurrency != 0) {
		return nil, fmt.Errorf("-concurrency applies to floor and endpoint only")
	}
	if c.TouchKiB < 0 || (c.Scenario != "floor" && c.TouchKiB != 0) {
		return nil, fmt.Errorf("-touch applies to floor only")
	}
	if tool == "upstream" && c.Scenario == "endpoint" && c.Concurrency != 0 {
		return nil, errors.New("upstream's endpoint has no concurrency parameter")
	}
	recv, err := startReceiver(c)
	if err != nil {
		return nil, err
	}
	defer recv.Close()
	res := &Result{
		Tool: tool, Scenario: c.Scenario, Concurrency: c.Concurrency, TouchKiB: c.TouchKiB, N: c.N,
		LatencyMS: float64(c.Latency) / float64(time.Millisecond), Receiver: "minimal, deferred check",
		GoVersion: runtime.Version(), FluxVersion: fluxVersion(),
		NumCPU: runtime.NumCPU(), GOMAXPROCS: runtime.GOMAXPROCS(0),
	}
	if c.Scenario == "endpoint" {
		res.DefaultConcurrency = DefaultConcurrency
	}
	if res.ReceiverAllocs, res.ReceiverBytes, err = ReceiverCost(recv, Bodies(Rows(2000))); err != nil {
		return nil, fmt.Errorf("calibrating the receiver: %w", err)
	}
	switch {
	case c.Emulator:
		res.Receiver = "emulator"
	case c.Inline:
		res.Receiver, res.Inline = "minimal, inline check", true
	}
	recv.SetLatency(c.Latency)
	s := newScenario(tool, c, recv.URL())
	if c.Warmup > 0 {
		if _, err := s.rep(ctx, recv, min(c.Warmup, c.N)); err != nil {
			return nil, fmt.Errorf("warm-up: %w", err)
		}
	}
	stop, err := startProfiles(c)
	if err != nil {
		return nil, err
	}
	defer stop()
	for i := range c.Reps {
		rep, err := traced(c.Trace, i == 0, func() (Rep, error) { return s.rep(ctx, recv, c.N) })
		if err != nil {
			return nil, fmt.Errorf("rep %d: %w", i+1, err)
		}
		res.Reps = append(res.Reps, rep)
		fmt.Fprintf(log, "%s %s c=%d n=%d latency=%v rep %d: %.1f µs/event, %.0f allocs/event\n",
			tool, c.Scenario, c.Concurrency, c.N, c.Latency, i+1, float64(rep.Nanos)/1e3/float64(c.N), float64(rep.Mallocs)/float64(c.N))
	}
	if err := stop(); err != nil {
		return nil, err
	}
	res.Received = recv.Stats()
	res.VmHWMKiB = vmHWM()
	return res, nil
}

// startReceiver starts the receiver c asks for. Peak RSS is the point of
// the -inline runs, so their receiver keeps nothing.
func startReceiver(c Config) (receiver, error) {
	if c.Emulator {
		return startEmulator()
	}
	return StartReceiver(!c.Inline)
}
