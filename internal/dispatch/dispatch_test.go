package dispatch_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/fluxpd/fluxpd/internal/dispatch"
	"github.com/fluxpd/fluxpd/internal/testwait"
)

// gauge tracks how many jobs run at once and the most seen.
type gauge struct {
	now, peak atomic.Int64
}

func (g *gauge) enter() {
	n := g.now.Add(1)
	for {
		p := g.peak.Load()
		if n <= p || g.peak.CompareAndSwap(p, n) {
			return
		}
	}
}

func (g *gauge) leave() { g.now.Add(-1) }

func (g *gauge) String() string {
	return fmt.Sprintf("%d running, at most %d", g.now.Load(), g.peak.Load())
}

// await waits, inside a job, until cond reports done, for at most
// testwait.Limit, and then reports what was awaited and the state cond
// described with t.Errorf: a job's goroutine may not stop the test.
func await(t *testing.T, what string, cond func() (bool, string)) {
	deadline := time.Now().Add(testwait.Limit())
	for {
		done, seen := cond()
		if done {
			return
		}
		if time.Now().After(deadline) {
			t.Errorf("gave up after %s waiting for %s; last seen: %s", testwait.Limit(), what, seen)
			return
		}
		time.Sleep(time.Millisecond)
	}
}

func keysOf(n, distinct int) []string {
	keys := make([]string, n)
	for i := range keys {
		keys[i] = fmt.Sprintf("key%d", i%distinct)
	}
	return keys
}

func TestRun_RunsEveryJobOnce(t *testing.T) {
	for _, tc := range []struct {
		name       string
		jobs, keys int
		limit      int
	}{
		{name: "no jobs", jobs: 0, keys: 1, limit: 4},
		{name: "one key", jobs: 50, keys: 1, limit: 4},
		{name: "more keys than workers", jobs: 200, keys: 37, limit: 4},
		{name: "more workers than keys", jobs: 20, keys: 3, limit: 64},
		{name: "limit below one means one", jobs: 20, keys: 5, limit: 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			counts := make([]atomic.Int64, tc.jobs)
			err := run(context.Background(), tc.limit, keysOf(tc.jobs, tc.keys), func(_ context.Context, i int) {
				counts[i].Add(1)
			})
			if err != nil {
				t.Fatalf("Run: %v", err)
			}
			for i := range counts {
				if got := counts[i].Load(); got != 1 {
					t.Errorf("job %d ran %d times, want 1", i, got)
				}
			}
		})
	}
}

// TestRun_BoundsConcurrency holds the first jobs until limit of them run
// at once, so that the limit is reached however the machine schedules
// them, then checks that it was never passed.
func TestRun_BoundsConcurrency(t *testing.T) {
	for _, limit := range []int{1, 3, 8} {
		t.Run(fmt.Sprint("limit ", limit), func(t *testing.T) {
			var g gauge
			err := run(context.Background(), limit, keysOf(64, 64), func(context.Context, int) {
				g.enter()
				defer g.leave()
				await(t, fmt.Sprintf("%d jobs of distinct keys to run at once", limit), func() (bool, string) {
					return g.peak.Load() >= int64(limit), g.String()
				})
				time.Sleep(2 * time.Millisecond)
			})
			if err != nil {
				t.Fatalf("Run: %v", err)
			}
			if got := g.peak.Load(); got != int64(limit) {
				t.Errorf("%d jobs ran at once, want the limit, %d", got, limit)
			}
		})
	}
}

// TestRun_KeepsOrderPerKey gives the first job of every key the longest
// sleep, so that any reordering within a key would show.
func TestRun_KeepsOrderPerKey(t *testing.T) {
	keys := keysOf(120, 6)
	var (
		mu  sync.Mutex
		got = map[string][]int{}
		g   = map[string]*gauge{}
	)
	for _, k := range keys {
		g[k] = new(gauge)
	}
	err := run(context.Background(), 4, keys, func(_ context.Context, i int) {
		k := keys[i]
		g[k].enter()
		defer g[k].leave()
		time.Sleep(time.Duration(120-i) * 20 * time.Microsecond)
		mu.Lock()
		got[k] = append(got[k], i)
		mu.Unlock()
	})
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	want := map[string][]int{}
	for i, k := range keys {
		want[k] = append(want[k], i)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("order of jobs per key (-want +got):\n%s", diff)
	}
	for k, gk := range g {
		if p := gk.peak.Load(); p != 1 {
			t.Errorf("key %s had %d jobs running at once, want 1", k, p)
		}
	}
}

func TestRun_CancelSkipsJobsNotStarted(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var ran atomic.Int64
	started := make(chan struct{})
	var once sync.Once
	err := run(ctx, 2, keysOf(100, 10), func(ctx context.Context, i int) {
		ran.Add(1)
		once.Do(func() { close(started); cancel() })
		<-ctx.Done() // a job that watches ctx returns early
	})
	<-started
	if !errors.Is(err, context.Canceled) {
		t.Errorf("Run returned %v, want context.Canceled", err)
	}
	if n := ran.Load(); n > 2 {
		t.Errorf("%d jobs ran after cancellation, want at most the 2 already running", n)
	}
}

func TestRun_CanceledAfterLastJobIsNil(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	keys := keysOf(3, 3)
	var ran atomic.Int64
	err := run(ctx, 1, keys, func(_ context.Context, i int) {
		if ran.Add(1) == int64(len(keys)) {
			cancel()
		}
	})
	if err != nil {
		t.Errorf("Run returned %v although every job ran, want nil", err)
	}
}

func BenchmarkGroup(b *testing.B) {
	keys := keysOf(1000, 100)
	b.ReportAllocs()
	for b.Loop() {
		_ = run(context.Background(), 8, keys, func(context.Context, int) {})
	}
}

// TestGroup_JobsHandedOverWhileRunning hands jobs over one by one while
// earlier ones run, as endpoint does while it reads rows, and reuses the
// Group after Wait. The first job runs until a job of another key runs
// beside it, so that jobs overlap however the machine schedules them.
func TestGroup_JobsHandedOverWhileRunning(t *testing.T) {
	g := dispatch.NewGroup(context.Background(), 3)
	var (
		mu    sync.Mutex
		got   = map[string][]int{}
		want  = map[string][]int{}
		gauge gauge
	)
	for round := range 2 {
		for i := range 60 {
			key := fmt.Sprintf("key%d", i%7)
			seq := round*100 + i
			want[key] = append(want[key], seq)
			g.Go(key, func(context.Context) {
				gauge.enter()
				defer gauge.leave()
				if seq == 0 {
					await(t, "a second job to run beside the first", func() (bool, string) {
						return gauge.peak.Load() >= 2, gauge.String()
					})
				}
				time.Sleep(time.Duration(i%3) * time.Millisecond)
				mu.Lock()
				got[key] = append(got[key], seq)
				mu.Unlock()
			})
			if i%10 == 0 {
				time.Sleep(time.Millisecond) // let some jobs finish before the next arrive
			}
		}
		if err := g.Wait(); err != nil {
			t.Fatalf("round %d: Wait: %v", round, err)
		}
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("order of jobs per key (-want +got):\n%s", diff)
	}
	if p := gauge.peak.Load(); p > 3 || p < 2 {
		t.Errorf("%d jobs ran at once; want 2 or 3 with a limit of 3", p)
	}
}

// TestGroup_OneKeyAtATime gives every job the same key: they must never
// overlap, even with many workers allowed.
func TestGroup_OneKeyAtATime(t *testing.T) {
	g := dispatch.NewGroup(context.Background(), 16)
	var gauge gauge
	var order []int
	for i := range 30 {
		g.Go("alert", func(context.Context) {
			gauge.enter()
			defer gauge.leave()
			order = append(order, i) // safe only if jobs never overlap
			time.Sleep(100 * time.Microsecond)
		})
	}
	if err := g.Wait(); err != nil {
		t.Fatal(err)
	}
	if p := gauge.peak.Load(); p != 1 {
		t.Errorf("%d jobs of one key ran at once, want 1", p)
	}
	for i, v := range order {
		if v != i {
			t.Fatalf("job %d ran in position %d", v, i)
		}
	}
}

// run calls do(ctx, i) for every i in [0, len(keys)) through a Group
// limited to limit, job i having key keys[i], and returns Wait's error.
func run(ctx context.Context, limit int, keys []string, do func(ctx context.Context, i int)) error {
	g := dispatch.NewGroup(ctx, limit)
	for i, k := range keys {
		g.Go(k, func(ctx context.Context) { do(ctx, i) })
	}
	return g.Wait()
}
