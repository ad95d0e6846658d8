package harness

import (
	"errors"
	"os"
	"runtime"
	"runtime/pprof"
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
