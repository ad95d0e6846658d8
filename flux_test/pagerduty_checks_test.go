package fluxtest_test

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/fluxpd/fluxpd/internal/emulator"
)

// keyOf is the dedup key of a group key, computed here from its
// definition rather than by fluxpd.
func keyOf(groupKey string) string {
	sum := sha256.Sum256([]byte(groupKey))
	return hex.EncodeToString(sum[:])
}

// checkEndpoint: both hosts' alerts were triggered by the crit rows and then
// resolved by the ok rows of the next window.
func checkEndpoint(t *testing.T, emu *emulator.Server) {
	type alert struct {
		DedupKey, Status, Severity, Source string
		Actions                            []string
	}
	var got []alert
	for _, a := range emu.Alerts() {
		var actions []string
		for _, h := range a.History {
			actions = append(actions, h.Action)
		}
		got = append(got, alert{a.DedupKey, a.Status, a.Severity, a.Source, actions})
	}
	slices.SortFunc(got, func(a, b alert) int { return strings.Compare(a.Source, b.Source) })
	both := []string{emulator.ActionTrigger, emulator.ActionResolve}
	want := []alert{
		{keyOf("_measurement\nstatuses\nhost\nweb01\n"), emulator.StatusResolved, "critical", "web01", both},
		{keyOf("_measurement\nstatuses\nhost\nweb02\n"), emulator.StatusResolved, "critical", "web02", both},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("emulator alerts (-want +got):\n%s", diff)
	}
}

// checkEndpointTimeOrder: the three events of web01 arrived in the order
// they happened, so the alert ends resolved.
func checkEndpointTimeOrder(t *testing.T, emu *emulator.Server) {
	var got []string
	for _, r := range emu.Requests() {
		got = append(got, r.Action+" "+r.Severity)
	}
	want := []string{"trigger warning", "trigger critical", "resolve info"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("arrival order (-want +got):\n%s", diff)
	}
	alerts := emu.Alerts()
	if len(alerts) != 1 || alerts[0].Status != emulator.StatusResolved {
		t.Errorf("alerts = %+v, want one, resolved", alerts)
	}
}

// checkEndpointInvalidRow: the three valid rows arrived and were accepted;
// nothing was sent for the invalid one.
func checkEndpointInvalidRow(t *testing.T, emu *emulator.Server) {
	got := map[string]emulator.Verdict{}
	for _, r := range emu.Requests() {
		got[r.Source] = r.Verdict
	}
	want := map[string]emulator.Verdict{
		"web01": emulator.VerdictAccepted, "web03": emulator.VerdictAccepted, "web04": emulator.VerdictAccepted,
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("requests by source (-want +got):\n%s", diff)
	}
}

// changeBody is the part of a change event the checks compare.
type changeBody struct {
	Payload struct {
		Summary       string         `json:"summary"`
		Source        string         `json:"source"`
		Timestamp     string         `json:"timestamp"`
		CustomDetails map[string]any `json:"custom_details"`
	} `json:"payload"`
	Links []map[string]string `json:"links"`
}

// checkSendChangeEvent: the three change events arrived in order with the
// timestamp each asked for (none for the last), and the first with its
// details and links.
func checkSendChangeEvent(t *testing.T, emu *emulator.Server) {
	var got []changeBody
	for _, r := range emu.Requests() {
		if r.Kind != emulator.KindChange || r.Verdict != emulator.VerdictAccepted {
			t.Errorf("request #%d: kind %s, verdict %s; want an accepted change event", r.ID, r.Kind, r.Verdict)
		}
		var b changeBody
		if err := json.Unmarshal(r.Body, &b); err != nil {
			t.Fatalf("request #%d: %v", r.ID, err)
		}
		got = append(got, b)
	}
	want := make([]changeBody, 3)
	want[0].Payload.Summary, want[0].Payload.Source = "Deployed api v1.4.2", "ci.example.com"
	want[0].Payload.Timestamp = "2030-01-01T00:00:00Z"
	want[0].Payload.CustomDetails = map[string]any{"version": "v1.4.2", "canary": false}
	want[0].Links = []map[string]string{
		{"href": "https://ci.example.com/builds/42", "text": "Build 42"},
		{"href": "https://ci.example.com/diff/42"},
	}
	want[1].Payload.Summary, want[1].Payload.Timestamp = "Rolled back api to v1.4.1", "2030-01-01T00:05:00.123+0000" // a string is sent unchanged
	want[2].Payload.Summary = "Scaled api to 6 replicas"
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("change events (-want +got):\n%s", diff)
	}
}

// checkSendEventLinks: the trigger carried its links and images, optional
// keys left out where the script left them out.
func checkSendEventLinks(t *testing.T, emu *emulator.Server) {
	reqs := emu.Requests()
	if len(reqs) != 1 {
		t.Fatalf("the emulator received %d requests, want 1", len(reqs))
	}
	type attachments struct {
		Links  []map[string]string `json:"links"`
		Images []map[string]string `json:"images"`
	}
	var got attachments
	if err := json.Unmarshal(reqs[0].Body, &got); err != nil {
		t.Fatal(err)
	}
	var want attachments
	want.Links = []map[string]string{
		{"href": "https://runbooks.example.com/disk", "text": "Runbook"},
		{"href": "https://db01.example.com"},
	}
	want.Images = []map[string]string{
		{"src": "https://graphs.example.com/db01-disk.png", "href": "https://graphs.example.com/db01", "alt": "Disk usage"},
		{"src": "https://graphs.example.com/db01-io.png"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("links and images (-want +got):\n%s", diff)
	}
	if reqs[0].Verdict != emulator.VerdictAccepted {
		t.Errorf("verdict %s, want accepted", reqs[0].Verdict)
	}
}
