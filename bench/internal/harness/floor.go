package harness

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/fluxpd/fluxpd/internal/dispatch"
)

// floorEvent is the JSON body the floor posts: the event fluxpd's
// sendEvent sends for the same row, byte for byte (a resolve carries the
// trigger's payload fields, as fluxpd sends them when they are valid).
type floorEvent struct {
	RoutingKey  string        `json:"routing_key"`
	EventAction string        `json:"event_action"`
	DedupKey    string        `json:"dedup_key"`
	Client      string        `json:"client"`
	ClientURL   string        `json:"client_url"`
	Payload     *floorPayload `json:"payload,omitempty"`
}

type floorPayload struct {
	Summary   string `json:"summary"`
	Source    string `json:"source"`
	Severity  string `json:"severity"`
	Timestamp string `json:"timestamp"`
	Component string `json:"component"`
	Group     string `json:"group"`
	Class     string `json:"class"`
}

// Bodies encodes one event per row, before anything is timed.
func Bodies(rows []Row) [][]byte {
	out := make([][]byte, len(rows))
	for i, r := range rows {
		ev := floorEvent{RoutingKey: RoutingKey, EventAction: r.Action(), DedupKey: r.Host, Client: eventClient, ClientURL: eventClientURL}
		ev.Payload = &floorPayload{
			Summary: r.Message, Source: r.Host, Severity: r.Severity(),
			Timestamp: r.Time.Format(time.RFC3339Nano), Component: eventComponent, Group: eventGroup, Class: eventClass,
		}
		b, err := json.Marshal(ev)
		if err != nil {
			panic(err)
		}
		out[i] = b
	}
	return out
}

// floor posts every body with a plain net/http client over keep-alive
// connections, concurrency at once (1: one after another), keeping the
// order of the bodies of one key. It is what any sender must at least pay.
// before runs before every post (see toucher).
func floor(ctx context.Context, client *http.Client, url string, bodies [][]byte, keys []string, concurrency int, before func()) error {
	errs := make([]error, len(bodies))
	post := func(ctx context.Context, i int) {
		before()
		errs[i] = postOne(ctx, client, url, bodies[i])
	}
	if concurrency <= 1 {
		for i := range bodies {
			post(ctx, i)
		}
	} else {
		g := dispatch.NewGroup(ctx, concurrency)
		for i, key := range keys {
			g.Go(key, func(ctx context.Context) { post(ctx, i) })
		}
		if err := g.Wait(); err != nil {
			return err
		}
	}
	for i, err := range errs {
		if err != nil {
			return fmt.Errorf("event %d: %w", i, err)
		}
	}
	return nil
}

func postOne(ctx context.Context, client *http.Client, url string, body []byte) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/vnd.pagerduty+json;version=2")
	req.Header.Set("User-Agent", "fluxpd-bench")
	resp, err := client.Do(req)
	if err != nil {
		return err
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	_ = resp.Body.Close()
	if resp.StatusCode != http.StatusAccepted {
		return fmt.Errorf("answer %s, want 202", resp.Status)
	}
	return nil
}
