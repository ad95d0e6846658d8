// Command relaybench measures fluxpd relay (issue 21) on loopback and
// prints a markdown report (bench/relay.sh; make relay-bench, make bench):
//
//   - durable accept throughput with 64 concurrent senders, committing in
//     groups (--commit group) against one fsync per event (--commit each),
//     with the upstream held (nothing delivered: accepting alone) and with
//     an instant upstream (accepting while delivering), and the accept
//     latency's percentiles;
//   - the drain of 10000 queued events to an instant upstream, pacing off;
//   - the relay's memory (RSS) with 100000 events pending.
//
// The relay is the real command (-fluxpd), one process per run, its outbox
// on disk in -dir (not on tmpfs, where an fsync costs nothing). Every
// event must be answered 202, and every delivered one must arrive in its
// alert's order, or the run fails.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"
)

// config is one relaybench run.
type config struct {
	fluxpd   string
	dir      string
	senders  int
	keys     int
	duration time.Duration
	drainN   int
	rssN     int
}

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func run(args []string, stdout, stderr io.Writer) int {
	var c config
	var jsonOut string
	fs := flag.NewFlagSet("relaybench", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&c.fluxpd, "fluxpd", "bin/fluxpd", "the fluxpd binary whose relay is measured")
	fs.StringVar(&c.dir, "dir", "bin", "directory for the outbox files (on disk: an fsync on tmpfs costs nothing)")
	fs.IntVar(&c.senders, "senders", 64, "concurrent senders")
	fs.IntVar(&c.keys, "keys", 10, "routing keys the events use")
	fs.DurationVar(&c.duration, "duration", 5*time.Second, "how long each accept run sends")
	fs.IntVar(&c.drainN, "drain", 10000, "events queued, then drained")
	fs.IntVar(&c.rssN, "rss", 100000, "events pending when the relay's RSS is read")
	fs.StringVar(&jsonOut, "json", "", "also write the results as JSON to this file")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	res, err := runAll(context.Background(), c, stderr)
	if err != nil {
		fmt.Fprintf(stderr, "relaybench: FAILED: %v\n", err)
		return 1
	}
	if jsonOut != "" {
		b, _ := json.MarshalIndent(res, "", "  ")
		if err := os.WriteFile(jsonOut, append(b, '\n'), 0o644); err != nil {
			fmt.Fprintf(stderr, "relaybench: %v\n", err)
			return 1
		}
	}
	writeReport(stdout, res)
	return 0
}

// results are a whole run's.
type results struct {
	Machine machine        `json:"machine"`
	Accept  []acceptResult `json:"accept"`
	Drain   drainResult    `json:"drain"`
	RSS     rssResult      `json:"rss"`
	Seconds float64        `json:"seconds"`
}

func runAll(ctx context.Context, c config, log io.Writer) (*results, error) {
	start := time.Now()
	dir, err := os.MkdirTemp(c.dir, "relaybench-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	c.dir = dir
	res := &results{Machine: describeMachine(dir)}
	for _, deliver := range []bool{false, true} {
		for _, commit := range []string{"group", "each"} {
			fmt.Fprintf(log, "%5.0fs accept: --commit %s, upstream %s\n", time.Since(start).Seconds(), commit, upstreamName(deliver))
			r, err := runAccept(ctx, c, commit, deliver)
			if err != nil {
				return nil, fmt.Errorf("accept, --commit %s, upstream %s: %w", commit, upstreamName(deliver), err)
			}
			res.Accept = append(res.Accept, r)
		}
	}
	fmt.Fprintf(log, "%5.0fs drain of %d events\n", time.Since(start).Seconds(), c.drainN)
	if res.Drain, err = runDrain(ctx, c); err != nil {
		return nil, fmt.Errorf("drain: %w", err)
	}
	fmt.Fprintf(log, "%5.0fs RSS with %d pending\n", time.Since(start).Seconds(), c.rssN)
	if res.RSS, err = runRSS(ctx, c); err != nil {
		return nil, fmt.Errorf("RSS: %w", err)
	}
	res.Seconds = time.Since(start).Seconds()
	return res, nil
}

// outboxPath is a fresh outbox file in the run's directory.
func outboxPath(c config, name string) string { return filepath.Join(c.dir, name+".db") }
