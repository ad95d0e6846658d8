package main

import (
	"fmt"
	"io"
)

// writeReport prints the results as markdown.
func writeReport(w io.Writer, r *results) {
	m := r.Machine
	fmt.Fprintf(w, "# fluxpd relay benchmarks\n\n%s, commit %s, %d CPUs, %s, outbox on %s (a page write and fdatasync there: p50 %.0f µs, p99 %.0f µs); load average before: %s; %.0f s in all.\n\n",
		m.Date, m.Commit, m.CPUs, m.Go, m.FS, m.FsyncP50us, m.FsyncP99us, m.LoadBefore, r.Seconds)
	fmt.Fprintf(w, "## Durable accept, %d concurrent senders on loopback\n\n", sendersOf(r))
	fmt.Fprintln(w, "Every event answered 202 only once committed (fsynced) to the outbox.")
	fmt.Fprintln(w, "")
	fmt.Fprintln(w, "| commit | upstream | events | events/s | p50 ms | p99 ms | max ms | commits | events/commit | delivered meanwhile |")
	fmt.Fprintln(w, "|---|---|--:|--:|--:|--:|--:|--:|--:|--:|")
	for _, a := range r.Accept {
		fmt.Fprintf(w, "| %s | %s | %d | %.0f | %.2f | %.2f | %.1f | %.0f | %s | %d |\n",
			a.Commit, a.Upstream, a.Events, a.EventsPerSecond, a.P50ms, a.P99ms, a.MaxMs, a.Commits, perCommit(a), a.Delivered)
	}
	fmt.Fprintln(w, "")
	for _, up := range []string{"held", "instant"} {
		g, e, ok := pair(r.Accept, up)
		if ok {
			fmt.Fprintf(w, "- upstream %s: group commit accepts **%.1f×** the events/s of one fsync per event (%.0f against %.0f); p99 %.2f against %.2f ms.\n",
				up, g.EventsPerSecond/e.EventsPerSecond, g.EventsPerSecond, e.EventsPerSecond, g.P99ms, e.P99ms)
		}
	}
	d := r.Drain
	fmt.Fprintf(w, "\n## Drain\n\n%d events queued (%d alerts, %d routing keys), drained by a new relay on the same file to an upstream that answers at once, pacing off: **%.2f s** from the relay's start to the last event (%.0f events/s; listening after %.3f s), %d upstream requests, every alert's events in order.\n",
		d.Events, d.Alerts, d.Keys, d.Seconds, d.EventsPerSecond, d.StartSeconds, d.Requests)
	s := r.RSS
	fmt.Fprintf(w, "\n## Memory\n\nRSS of the relay process with **%d events pending**: **%.1f MiB** (%.1f MiB idle, before any; peak %.1f MiB); outbox file %.1f MiB. They were accepted at %.0f events/s.\n",
		s.Pending, kib(s.RSSKiB), kib(s.IdleRSSKiB), kib(s.HWMKiB), float64(s.OutboxBytes)/(1<<20), s.AcceptPerSecond)
}

func kib(v int64) float64 { return float64(v) / 1024 }

func sendersOf(r *results) int {
	if len(r.Accept) == 0 {
		return 0
	}
	return r.Accept[0].Senders
}

func perCommit(a acceptResult) string {
	if a.Commits <= 0 {
		return "—"
	}
	return fmt.Sprintf("%.1f", float64(a.Events+a.Delivered)/a.Commits)
}

// pair returns the group and each runs with upstream up.
func pair(runs []acceptResult, up string) (g, e acceptResult, ok bool) {
	var hasG, hasE bool
	for _, a := range runs {
		switch {
		case a.Upstream == up && a.Commit == "group":
			g, hasG = a, true
		case a.Upstream == up && a.Commit == "each":
			e, hasE = a, true
		}
	}
	return g, e, hasG && hasE && e.EventsPerSecond > 0
}
