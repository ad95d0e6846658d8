package relay_test

import (
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/fluxpd/fluxpd/internal/emulator"
	"github.com/fluxpd/fluxpd/internal/emulator/emulatortest"
	"github.com/fluxpd/fluxpd/internal/event"
	"github.com/fluxpd/fluxpd/internal/relay"
)

// TestRelay_OrderPerAlert_ConcurrentKeys: the events of each (routing key,
// dedup key) reach upstream in the order they were accepted, at least
// once each, while alerts of several keys are sent concurrently and
// upstream fails now and then (5xx, 429, dropped connections).
func TestRelay_OrderPerAlert_ConcurrentKeys(t *testing.T) {
	emu := emulatortest.New(t, emulator.Options{Latency: time.Millisecond})
	var faults []emulator.Fault
	for i := range 30 {
		switch i % 3 {
		case 0:
			faults = append(faults, emulator.Fault{Status: 503})
		case 1:
			faults = append(faults, emulator.Fault{Status: 429, Header: map[string]string{"Retry-After": "0"}})
		default:
			faults = append(faults, emulator.Fault{Drop: true})
		}
	}
	emu.Inject(faults...)
	r := start(t, relay.Options{}, emu)
	const alertsPerKey, events = 4, 8
	keys := []string{keyA, keyB, keyC}
	var wg sync.WaitGroup
	for _, key := range keys {
		for a := range alertsPerKey {
			wg.Add(1)
			go func() {
				defer wg.Done()
				dk := fmt.Sprintf("alert-%d", a)
				for seq := range events {
					if got := post(t, r.URL(), event.AlertPath, trigger(key, dk, seq)); got.Code != 202 {
						t.Errorf("%s seq %d: %+v", dk, seq, got)
						return
					}
				}
			}()
		}
	}
	wg.Wait()
	waitStats(t, r.path, "every event delivered", func(p, d int) bool { return p == 0 && d == 0 })
	type alert struct{ key, dk string }
	arrived := map[alert][]int{}
	for _, q := range received(emu) {
		a := alert{q.RoutingKey, q.DedupKey}
		arrived[a] = append(arrived[a], seqOf(q))
	}
	for _, key := range keys {
		for a := range alertsPerKey {
			al := alert{key, fmt.Sprintf("alert-%d", a)}
			checkOrder(t, fmt.Sprintf("alert %d of key %c", a, key[0]), arrived[al], events)
		}
	}
}

// checkOrder checks that seqs holds 0 to n-1, each at least once, never
// going back: a repeat may only repeat the event just before it (sent
// again after its answer was lost).
func checkOrder(t *testing.T, what string, seqs []int, n int) {
	t.Helper()
	next := 0
	for i, s := range seqs {
		switch {
		case s == next:
			next++
		case s == next-1: // a redelivery of the event just delivered
		default:
			t.Errorf("%s: arrived in the order %v: #%d is seq %d, want %d (or a repeat of %d)", what, seqs, i, s, next, next-1)
			return
		}
	}
	if next != n {
		t.Errorf("%s: arrived %v; want seq 0 to %d", what, seqs, n-1)
	}
}
