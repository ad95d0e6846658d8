package harness

import (
	"bufio"
	"context"
	"os"
	"runtime"
	"runtime/debug"
	"runtime/trace"
	"strconv"
	"strings"
	"time"
)

// Rep is one timed repetition.
type Rep struct {
	Nanos   int64  `json:"ns"`
	Mallocs uint64 `json:"mallocs"`
	Bytes   uint64 `json:"bytes"`
}

// Result is what one benchmark process prints, as one JSON object.
type Result struct {
	Tool        string `json:"tool"`        // fluxpd or upstream
	Scenario    string `json:"scenario"`    // floor, sendevent, endpoint or nosend
	Concurrency int    `json:"concurrency"` // 0: the scenario's default
	// DefaultConcurrency is endpoint's default, where the tool has one.
	DefaultConcurrency int     `json:"default_concurrency,omitempty"`
	TouchKiB           int     `json:"touch_kib,omitempty"` // floor: see Config.TouchKiB
	N                  int     `json:"n"`
	LatencyMS          float64 `json:"latency_ms"`
	Receiver           string  `json:"receiver"`
	Inline             bool    `json:"inline_check"` // see Receiver: for peak RSS
	Reps               []Rep   `json:"reps"`
	// ReceiverAllocs and ReceiverBytes are the receiver's own cost per
	// request, part of every rep's Mallocs and Bytes (see ReceiverCost).
	ReceiverAllocs float64 `json:"receiver_allocs"`
	ReceiverBytes  float64 `json:"receiver_bytes"`
	VmHWMKiB       int64   `json:"vmhwm_kib"` // peak RSS of the process
	Received       Stats   `json:"received"`  // what the receiver got in the last rep
	GoVersion      string  `json:"go"`
	FluxVersion    string  `json:"flux"`
	NumCPU         int     `json:"ncpu"`
	GOMAXPROCS     int     `json:"gomaxprocs"`
}

// measure runs fn once and returns its wall time and the process's
// allocation counts over it. A GC first makes reps start alike. In a
// runtime trace (-trace), the region "timed" is what was timed.
func measure(fn func() error) (Rep, error) {
	runtime.GC()
	var m0, m1 runtime.MemStats
	runtime.ReadMemStats(&m0)
	region := trace.StartRegion(context.Background(), "timed")
	t0 := time.Now()
	err := fn()
	d := time.Since(t0)
	region.End()
	runtime.ReadMemStats(&m1)
	return Rep{Nanos: d.Nanoseconds(), Mallocs: m1.Mallocs - m0.Mallocs, Bytes: m1.TotalAlloc - m0.TotalAlloc}, err
}

// vmHWM returns the process's peak resident set size in KiB, from
// /proc/self/status, or -1 where there is none.
func vmHWM() int64 {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return -1
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), "VmHWM:"); ok {
			kib, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
			if err == nil {
				return kib
			}
		}
	}
	return -1
}

// fluxVersion is the version of github.com/influxdata/flux linked in.
func fluxVersion() string {
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, d := range bi.Deps {
			if d.Path == "github.com/influxdata/flux" {
				if d.Replace != nil {
					return d.Version + " => " + d.Replace.Path + " " + d.Replace.Version
				}
				return d.Version
			}
		}
	}
	return "unknown"
}
