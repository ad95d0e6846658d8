package main

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"sync"
	"time"

	"github.com/fluxpd/fluxpd/integrations/relaytest"
)

// next returns sender s's i-th event, or false when it has no more.
type next func(s, i int) (relaytest.Event, bool)

// blast runs senders concurrent senders against a relay's events URL,
// each posting its events one after the other, and returns how long each
// took to be answered. Every event must be answered 202.
func blast(ctx context.Context, url string, senders int, nextEvent next) ([]time.Duration, error) {
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: senders}}
	defer client.CloseIdleConnections()
	lat := make([][]time.Duration, senders)
	errs := make([]error, senders)
	var wg sync.WaitGroup
	for s := range senders {
		wg.Add(1)
		go func() {
			defer wg.Done()
			lat[s], errs[s] = sendAll(ctx, client, url, s, nextEvent)
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return nil, err
		}
	}
	return slices.Concat(lat...), nil
}

func sendAll(ctx context.Context, client *http.Client, url string, s int, nextEvent next) ([]time.Duration, error) {
	var lat []time.Duration
	for i := 0; ; i++ {
		ev, ok := nextEvent(s, i)
		if !ok {
			return lat, nil
		}
		body := ev.Body()
		t0 := time.Now()
		ans, err := relaytest.Post(ctx, client, url, body)
		if err != nil {
			return nil, fmt.Errorf("sender %d, %s: %w", s, ev.Mark, err)
		}
		if ans.Status != http.StatusAccepted {
			return nil, fmt.Errorf("sender %d, %s: the relay answered %d %s, want 202", s, ev.Mark, ans.Status, ans.Body)
		}
		lat = append(lat, time.Since(t0))
	}
}

// planned feeds the events of a load: sender s takes every alert a with
// a mod senders == s and sends their events round robin, each alert's in
// order.
func planned(n, alerts, keys, senders int) next {
	plan := relaytest.Load(n, alerts, keys)
	queues := make([][]relaytest.Event, senders)
	for round := 0; ; round++ {
		more := false
		for a, evs := range plan {
			if round < len(evs) {
				queues[a%senders] = append(queues[a%senders], evs[round])
				more = true
			}
		}
		if !more {
			break
		}
	}
	return func(s, i int) (relaytest.Event, bool) {
		if i >= len(queues[s]) {
			return relaytest.Event{}, false
		}
		return queues[s][i], true
	}
}

// alertsPerSender is how many alerts each sender of a timed accept run
// cycles through.
const alertsPerSender = 16

// until feeds events until the deadline: sender s cycles through its own
// alertsPerSender alerts, each alert's events in order.
func until(deadline time.Time, keys int) next {
	return func(s, i int) (relaytest.Event, bool) {
		if time.Now().After(deadline) {
			return relaytest.Event{}, false
		}
		a := s*alertsPerSender + i%alertsPerSender
		return relaytest.NewEvent(a, i/alertsPerSender+1, keys), true
	}
}

// percentile returns the p-th percentile (0 to 100) of lat, sorting it.
func percentile(lat []time.Duration, p float64) time.Duration {
	if len(lat) == 0 {
		return 0
	}
	slices.Sort(lat)
	i := int(p / 100 * float64(len(lat)-1))
	return lat[i]
}
