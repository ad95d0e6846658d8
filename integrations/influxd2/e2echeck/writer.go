package main

// The writer: one cpu point a second with the current usage, which the
// threshold check of (b) and (e) reads.

import (
	"fmt"
	"os"
	"sync"
	"sync/atomic"
	"time"
)

// writeEvery is how often the writer writes a point: the check runs every
// 5s over 5s windows, so each window holds several.
const writeEvery = time.Second

// usageNormal is the usage written while nothing is wrong.
const usageNormal = 20

type writer struct {
	usage  atomic.Int64
	errs   atomic.Int64
	done   chan struct{}
	wg     sync.WaitGroup
	stopMu sync.Once
}

// startWriter writes cpu,host=web-1 usage_user=<usage> with write every
// writeEvery until stop, reporting the first failed write on stderr.
func startWriter(write func(string) error) *writer {
	w := &writer{done: make(chan struct{})}
	w.usage.Store(usageNormal)
	w.wg.Add(1)
	go func() {
		defer w.wg.Done()
		t := time.NewTicker(writeEvery)
		defer t.Stop()
		for {
			if err := write(fmt.Sprintf("cpu,host=web-1 usage_user=%d %d", w.usage.Load(), time.Now().UnixNano())); err != nil {
				if w.errs.Add(1) == 1 {
					fmt.Fprintf(os.Stderr, "influxd2-e2e: write: %v\n", err)
				}
			}
			select {
			case <-w.done:
				return
			case <-t.C:
			}
		}
	}()
	return w
}

// set sets the usage the next points carry.
func (w *writer) set(usage int64) { w.usage.Store(usage) }

// stop stops the writer and waits for its last write.
func (w *writer) stop() {
	w.stopMu.Do(func() { close(w.done) })
	w.wg.Wait()
}

// writesSucceeded is a check only when a write failed.
func (s *runner) writesSucceeded() {
	if n := s.writer.errs.Load(); n > 0 {
		s.Check("every write succeeded", fmt.Errorf("%d writes failed", n))
	}
}
