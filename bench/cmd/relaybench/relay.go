package main

import (
	"bufio"
	"fmt"
	"net/http"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/fluxpd/fluxpd/integrations/relaytest"
)

// startLimit bounds a relay's start and stop: against hangs only.
const startLimit = 2 * time.Minute

// Redelivery backoffs the runs give the relay (FLUXPD_OUTBOX_RETRY and
// FLUXPD_OUTBOX_RETRY_MAX).
var (
	// noRetry: once an attempt failed, nothing is retried within a run,
	// so that a held upstream costs the accepting relay nothing.
	noRetry = []string{"FLUXPD_OUTBOX_RETRY=1h", "FLUXPD_OUTBOX_RETRY_MAX=1h"}
	// retryAtOnce: a failed attempt is due again at once, so that events
	// queued behind a held upstream are all due when the drain starts.
	retryAtOnce = []string{"FLUXPD_OUTBOX_RETRY=1ms", "FLUXPD_OUTBOX_RETRY_MAX=1ms"}
)

// startRelay starts fluxpd relay on a fresh port, pacing off, no bound on
// pending events that a run could reach.
func startRelay(c config, outbox, upstream, commit string, env []string) (*relaytest.Relay, error) {
	return relaytest.StartRelay(relaytest.RelayConfig{
		Bin: c.fluxpd, Outbox: outbox, Upstream: upstream, Env: env, Limit: startLimit,
		Args:    []string{"--rate", "off", "--commit", commit, "--max-pending", strconv.Itoa(4 * max(c.rssN, c.drainN, 100000))},
		Secrets: relaytest.RoutingKeys(c.keys),
	})
}

// startSink starts the upstream of a run: instant (deliver) or held.
func startSink(deliver bool) (*relaytest.Sink, error) {
	s, err := relaytest.StartSink()
	if err != nil {
		return nil, err
	}
	s.Hold(!deliver)
	return s, nil
}

func upstreamName(deliver bool) string {
	if deliver {
		return "instant"
	}
	return "held"
}

// procStatus returns fields of /proc/PID/status in KiB, such as VmRSS
// and VmHWM.
func procStatus(pid int, fields ...string) (map[string]int64, error) {
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return nil, err
	}
	defer f.Close()
	out := map[string]int64{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		name, rest, ok := strings.Cut(sc.Text(), ":")
		if !ok {
			continue
		}
		for _, want := range fields {
			if name == want {
				v, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
				if err != nil {
					return nil, fmt.Errorf("/proc/%d/status %s: %q", pid, name, rest)
				}
				out[name] = v
			}
		}
	}
	for _, want := range fields {
		if _, ok := out[want]; !ok {
			return nil, fmt.Errorf("/proc/%d/status has no %s", pid, want)
		}
	}
	return out, sc.Err()
}

// metric reads one metric of a relay, summed over its label sets.
func metric(r *relaytest.Relay, name string, labels ...string) (float64, error) {
	m, err := relaytest.Scrape(http.DefaultClient, r.URL+"/metrics")
	if err != nil {
		return 0, err
	}
	v, ok := m.Sum(name, labels...)
	if !ok {
		return 0, fmt.Errorf("the relay's /metrics has no %s", name)
	}
	return v, nil
}
