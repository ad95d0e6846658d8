package e2e

// Reading JSON over HTTP, and the fluxpd emulator's alerts with it (its
// client is emuclient.go).

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
)

// Alert is the part of an alert in the emulator's GET /_emulator/alerts
// that the end-to-end checks look at.
type Alert struct {
	DedupKey string       `json:"dedup_key"`
	Status   string       `json:"status"`
	Severity string       `json:"severity"`
	Summary  string       `json:"summary"`
	Source   string       `json:"source"`
	Count    int          `json:"count"`
	History  []AlertEvent `json:"history"`
}

// AlertEvent is one event applied to an Alert, oldest first.
type AlertEvent struct {
	Action   string `json:"action"`
	Severity string `json:"severity"`
	Summary  string `json:"summary"`
}

// Actions returns the action of each event, in order.
func Actions(events []AlertEvent) []string {
	var actions []string
	for _, e := range events {
		actions = append(actions, e.Action)
	}
	return actions
}

// FindAlert returns the one alert of alerts with dedup key key; none or
// several are an error that shows them all.
func FindAlert(alerts []Alert, key string) (Alert, error) {
	var found []Alert
	for _, a := range alerts {
		if a.DedupKey == key {
			found = append(found, a)
		}
	}
	if len(found) != 1 {
		return Alert{}, fmt.Errorf("%d alerts with dedup key %q, want 1\nalerts: %s", len(found), key, Pretty(alerts))
	}
	return found[0], nil
}

// GetJSON decodes the answer to GET url into v; an answer other than 200
// is an error that quotes it.
func GetJSON(client *http.Client, url string, v any) error {
	resp, err := client.Get(url)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return err
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("GET %s: %s: %s", url, resp.Status, b)
	}
	if err := json.Unmarshal(b, v); err != nil {
		return fmt.Errorf("GET %s: %v: %s", url, err, b)
	}
	return nil
}

// Pretty is v as indented JSON, for error messages.
func Pretty(v any) string {
	b, _ := json.MarshalIndent(v, "", "  ")
	return string(b)
}
