package harness

import (
	"errors"
	"os"
	"runtime"
	"runtime/pprof"
	"runtime/trace"
	"sync"
)

// startProfiles starts the profiles c asks for and returns a function that
// writes them; it may be called more than once and acts only the first
// time.
func startProfiles(c Config) (func() error, error) {
	var cpu *os.File
	if c.CPUProfile != "" {
		f, err := os.Create(c.CPUProfile)
		if err != nil {
			return nil, err
		}
		if err := pprof.StartCPUProfile(f); err != nil {
			f.Close()
			return nil, err
		}
		cpu = f
	}
	if c.MemProfile != "" {
		runtime.MemProfileRate = 4096
	}
	var once sync.Once
	var err error
	return func() error {
		once.Do(func() {
			if cpu != nil {
				pprof.StopCPUProfile()
				err = cpu.Close()
			}
			if c.MemProfile != "" {
				err = errors.Join(err, writeHeap(c.MemProfile))
			}
		})
		return err
	}, nil
}

func writeHeap(path string) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	return errors.Join(pprof.Lookup("allocs").WriteTo(f, 0), f.Close())
}

// traced runs rep, under a runtime trace written to path when path is set
// and on is true: the scheduler's view (goroutines, network waits, GC) of
// one repetition, for go tool trace. The trace covers the repetition's
// preparation and check too; its timed part is the region "timed" (see
// measure).
func traced(path string, on bool, rep func() (Rep, error)) (Rep, error) {
	if path == "" || !on {
		return rep()
	}
	f, err := os.Create(path)
	if err != nil {
		return Rep{}, err
	}
	if err := trace.Start(f); err != nil {
		f.Close()
		return Rep{}, err
	}
	r, err := rep()
	trace.Stop()
	return r, errors.Join(err, f.Close())
}
