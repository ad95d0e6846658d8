package main

import (
	"bytes"
	"io"
	"slices"
	"strings"
	"testing"
)

// stacks is a `go tool pprof -traces` dump of three samples.
const stacks = `File: fluxpdbench
Type: cpu
-----------+-------------------------------------------------------
      20ms   runtime.memmove
             github.com/fluxpd/fluxpd/internal/event.appendString
             github.com/fluxpd/fluxpd/internal/event.Encode
             github.com/fluxpd/fluxpd/stdlib/pagerduty.sendOne
-----------+-------------------------------------------------------
      10ms   internal/runtime/syscall/linux.Syscall6
             net/http.(*persistConn).writeLoop
-----------+-------------------------------------------------------
      1.5s   runtime.scanObjectsSmall
             runtime.gcBgMarkWorker
-----------+-------------------------------------------------------
`

func TestCPU(t *testing.T) {
	var out bytes.Buffer
	if err := printCPU(strings.NewReader(stacks), &out, 10); err != nil {
		t.Fatal(err)
	}
	var lines []string
	for _, l := range strings.Split(out.String(), "\n") {
		lines = append(lines, strings.Join(strings.Fields(l), " "))
	}
	for _, want := range []string{
		"150000.00 GC, background workers",
		"1000.00 HTTP transport: writeLoop",
		"2000.00 100.0% send: event.Encode",
		"153000.00 total",
	} {
		if !slices.Contains(lines, want) {
			t.Errorf("printCPU() output lacks the line %q:\n%s", want, out.String())
		}
	}
}

// events is a `go tool trace -d=parsed` dump: the sender (g7) runs 30 µs
// of the 100 µs region and waits, its HTTP writer (g8) runs 20 µs.
const events = `M=1 P=0 G=1 RegionBegin Time=1000000 Task=0 Type="timed"
M=1 P=0 G=-1 StateTransition Time=1000000 GoID=7 Runnable->Running Reason=""
M=1 P=0 G=7 StateTransition Time=1030000 GoID=7 Running->Waiting Reason="select"
TransitionStack=
	net/http.(*persistConn).roundTrip @ 0x1
		/x.go:1
	github.com/fluxpd/fluxpd/internal/delivery.(*call).attempt @ 0x2
		/y.go:2
M=1 P=1 G=-1 StateTransition Time=1030000 GoID=8 Runnable->Running Reason=""
M=1 P=1 G=8 StateTransition Time=1050000 GoID=8 Running->Waiting Reason="select"
TransitionStack=
	net/http.(*persistConn).writeLoop @ 0x3
		/z.go:3
M=1 P=0 G=1 RegionEnd Time=1100000 Task=0 Type="timed"
`

func TestTrace(t *testing.T) {
	var out bytes.Buffer
	if err := printTrace([]io.Reader{strings.NewReader(events)}, &out, 1); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"timed region: 100.0 µs/event (median of 1 traced repetitions of 1 events: 100.0)",
		"    30.0  sender running",
		"    20.0  HTTP transport: writeLoop running",
		"    50.0  exchange in the kernel or waking up",
		"g7      sender",
		"30.0  Running\n            70.0  Waiting: select",
		"g8      HTTP transport: writeLoop",
		"20.0  Running",
		"50.0  0 goroutines running at once",
		"50.0  1 goroutines running at once",
	} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("printTrace() output lacks %q:\n%s", want, out.String())
		}
	}
}

func TestTrace_NoRegion(t *testing.T) {
	err := printTrace([]io.Reader{strings.NewReader("M=1 P=0 G=-1 StateTransition Time=1 GoID=7 Runnable->Running Reason=\"\"\n")}, &bytes.Buffer{}, 1)
	if err == nil || !strings.Contains(err.Error(), `no region "timed"`) {
		t.Errorf("printTrace() of a trace without the region: error = %v, want one naming the region", err)
	}
}

// TestTrace_Medians: with several repetitions, each part is their median.
func TestTrace_Medians(t *testing.T) {
	slower := strings.ReplaceAll(events, "Time=1100000", "Time=1300000")
	var out bytes.Buffer
	files := []io.Reader{strings.NewReader(events), strings.NewReader(slower), strings.NewReader(slower)}
	if err := printTrace(files, &out, 1); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"timed region: 300.0 µs/event (median of 3 traced repetitions of 1 events: 100.0, 300.0, 300.0)",
		"   250.0  exchange in the kernel or waking up",
	} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("printTrace() output lacks %q:\n%s", want, out.String())
		}
	}
}
