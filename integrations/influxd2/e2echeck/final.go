package main

// The scenario's last checks: the outbox empties, no routing key in any
// answer or log.

import (
	"fmt"
	"strings"

	"github.com/fluxpd/fluxpd/integrations/e2e"
)

// maxPagerdutyLines is how many of influxd's pagerduty log lines the
// scenario shows at the end.
const maxPagerdutyLines = 8

// outboxDrained: fluxpd outbox stats reads the running server's outbox.
// Late runs of pd-rule may have queued more events behind those of (e):
// each stats must succeed, and the flusher must empty the outbox.
func (s *runner) outboxDrained() {
	var stats string
	var failed error // a stats that failed: no use waiting
	err := e2e.Until("the outbox to empty", func() error {
		out, drained, err := e2e.OutboxStats(s.fluxpd, s.outbox)
		if err != nil {
			failed = err
			return nil
		}
		stats = out
		if !drained {
			return fmt.Errorf("%s", firstLines(out, 2))
		}
		return nil
	})
	if failed != nil {
		err = failed
	}
	s.answers.Save("outbox-stats.txt", []byte(stats))
	s.CheckSeen("(e) fluxpd outbox stats on the running server's outbox: it empties", firstLines(stats, 2), err)
}

// firstLines is the first n lines of text, joined with spaces.
func firstLines(text string, n int) string {
	lines := strings.SplitN(strings.TrimSpace(text), "\n", n+1)
	return strings.Join(lines[:min(n, len(lines))], " ")
}

func (s *runner) noRoutingKey() {
	n, err := e2e.NoSecrets([]string{s.answers.Dir, s.logFile, s.emuLog}, s.key, s.badKey, s.shortKey)
	s.CheckSeen("no routing key in any answer or log", fmt.Sprintf("%d answers and logs read", n), err)
}

// pagerdutyLines shows influxd's first pagerduty log lines, for the reader.
func (s *runner) pagerdutyLines() {
	lines, err := e2e.LogLines(s.logFile, "pagerduty")
	if err != nil || len(lines) == 0 {
		return
	}
	s.Say("influxd's pagerduty log lines:")
	for _, l := range lines[:min(maxPagerdutyLines, len(lines))] {
		fmt.Printf("      %s\n", l)
	}
}
