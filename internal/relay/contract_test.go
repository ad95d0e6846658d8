package relay_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/fluxpd/fluxpd/internal/contract"
	"github.com/fluxpd/fluxpd/internal/event"
	"github.com/fluxpd/fluxpd/internal/relay"
)

// TestRelay_ContractAgreement holds the relay's validation to every case
// of the contract table (internal/contract/testdata/events.txt), as the
// sender and the emulator are held. The relay judges a body as written,
// as PagerDuty does, and repairs nothing: a valid case is answered 202
// and the emulator behind the relay accepts what it delivers; an invalid
// case, and a fixed one (invalid as written; only the sender repairs it),
// is answered 400, or 413 when the body is over 512000 bytes, and is not
// delivered. One exception, the relay's own: a valid trigger without
// dedup key with no room left for the key the relay must give it is
// answered 413 (see noRoomForKey).
func TestRelay_ContractAgreement(t *testing.T) {
	cases, err := contract.Events()
	if err != nil {
		t.Fatal(err)
	}
	r := start(t, relay.Options{MaxPending: len(cases)})
	valid := 0
	for _, c := range cases {
		path := event.AlertPath
		if c.Kind == contract.KindChange {
			path = event.ChangePath
		}
		got := post(t, r.URL(), path, c.Body)
		want := http.StatusAccepted
		switch {
		case c.Verdict == contract.Valid && noRoomForKey(c):
			want = http.StatusRequestEntityTooLarge
		case c.Verdict == contract.Valid:
			valid++
		case len(c.Body) > event.MaxBodyBytes:
			want = http.StatusRequestEntityTooLarge
		default:
			want = http.StatusBadRequest
		}
		if got.Code != want {
			t.Errorf("line %d %s (%s): relay answered %d %q, want %d", c.Line, c.Name, c.Verdict, got.Code, got.Errors, want)
		}
	}
	reqs := waitReceived(t, r.emu, valid)
	if n := len(r.emu.Requests()); n != valid {
		for _, q := range r.emu.Requests() {
			if q.Status != http.StatusAccepted {
				t.Errorf("the emulator answered %d %q to an event the relay accepted", q.Status, q.Errors)
			}
		}
		t.Errorf("upstream received %d requests, %d accepted; want the %d valid cases, each accepted once", n, len(reqs), valid)
	}
	if t.Failed() {
		t.Log(fmt.Sprintf("%d cases, %d valid", len(cases), valid))
	}
}

// assignedKeyRoom is what the relay's dedup key adds to a body:
// ,"dedup_key":"<32 hex characters>".
const assignedKeyRoom = len(`,"dedup_key":""`) + 32

// noRoomForKey reports whether c is a trigger without dedup key too large
// to be given one.
func noRoomForKey(c contract.Event) bool {
	var ev struct {
		EventAction string  `json:"event_action"`
		DedupKey    *string `json:"dedup_key"`
	}
	if c.Kind != contract.KindAlert || json.Unmarshal(c.Body, &ev) != nil {
		return false
	}
	return ev.EventAction == "trigger" && (ev.DedupKey == nil || strings.TrimSpace(*ev.DedupKey) == "") && len(c.Body)+assignedKeyRoom > event.MaxBodyBytes
}
