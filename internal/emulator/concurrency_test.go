package emulator_test

import (
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/fluxpd/fluxpd/internal/emulator"
	"github.com/fluxpd/fluxpd/internal/emulator/emulatortest"
)

// TestEmulator_ConcurrentSenders sends from many goroutines at once, with
// readers polling the Go and HTTP APIs meanwhile, and checks that no event
// is lost and none is counted twice.
func TestEmulator_ConcurrentSenders(t *testing.T) {
	const senders, perSender = 16, 25
	s := emulatortest.New(t)
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: senders}}
	t.Cleanup(client.CloseIdleConnections)

	stop := make(chan struct{})
	var readers sync.WaitGroup
	readers.Add(1)
	go func() {
		defer readers.Done()
		readUntil(stop, s, client)
	}()
	var wg sync.WaitGroup
	for g := range senders {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range perSender {
				shared := trigger(set("dedup_key", "shared"))
				own := trigger(set("dedup_key", fmt.Sprintf("sender-%d-%d", g, i)))
				for _, body := range []string{shared, own} {
					res, err := client.Post(s.EventsURL(), "application/json", strings.NewReader(body))
					if err != nil {
						t.Errorf("sender %d: %v", g, err)
						return
					}
					res.Body.Close()
					if res.StatusCode != http.StatusAccepted {
						t.Errorf("sender %d: status %d", g, res.StatusCode)
					}
				}
			}
		}()
	}
	wg.Wait()
	close(stop)
	readers.Wait()

	const total = senders * perSender
	reqs := s.Requests()
	if len(reqs) != 2*total {
		t.Errorf("recorded %d requests, want %d", len(reqs), 2*total)
	}
	for i, r := range reqs {
		if r.ID != i+1 || r.Verdict != emulator.VerdictAccepted {
			t.Errorf("request %d: ID %d, verdict %q; want ID %d, accepted", i, r.ID, r.Verdict, i+1)
		}
	}
	alerts := s.Alerts()
	if len(alerts) != total+1 {
		t.Fatalf("got %d alerts, want %d", len(alerts), total+1)
	}
	for _, a := range alerts {
		want := 1
		if a.DedupKey == "shared" {
			want = total
		}
		if a.Count != want || len(a.History) != want {
			t.Errorf("alert %q: count %d, history %d; want %d", a.DedupKey, a.Count, len(a.History), want)
		}
	}
}

// readUntil reads the Go API and the inbox page until stop is closed, so
// that the race detector sees reads interleaved with writes.
func readUntil(stop <-chan struct{}, s *emulator.Server, client *http.Client) {
	for {
		select {
		case <-stop:
			return
		default:
			_ = s.Requests()
			_ = s.Alerts()
			if res, err := client.Get(s.URL() + "/"); err == nil {
				res.Body.Close()
			}
		}
	}
}
