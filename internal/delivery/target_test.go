package delivery_test

import (
	"context"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/fluxpd/fluxpd/internal/delivery"
)

func TestParseTarget(t *testing.T) {
	urls := []string{
		"https://events.pagerduty.com/v2/enqueue",
		"http://127.0.0.1:8787/v2/enqueue",
		"https://events.pagerduty.com/v2/enqueue", // again, after another one
		"",
		"ftp://user:hunter2@example.com/x?token=hunter2",
		"hunter2hunter2hunter2hunter2hunt",
		"https://example.com:65536/v2/enqueue",
	}
	for _, raw := range urls {
		target, err := delivery.ParseTarget("pagerdutyURL", raw, delivery.DefaultURL)
		wantErr := delivery.CheckURL("pagerdutyURL", raw, delivery.DefaultURL)
		if diff := cmp.Diff(errText(wantErr), errText(err)); diff != "" {
			t.Errorf("ParseTarget(%q) error mismatch (-CheckURL +ParseTarget):\n%s", raw, diff)
		}
		want := raw
		if wantErr != nil {
			want = ""
		}
		if target.String() != want || target.IsZero() != (want == "") {
			t.Errorf("ParseTarget(%q) = %q (zero: %v), want %q", raw, target.String(), target.IsZero(), want)
		}
	}
}

// TestSender_SendTo: sending to a Target is sending to its URL, and the
// zero Target is refused as the empty URL is.
func TestSender_SendTo(t *testing.T) {
	emu := newEmulator(t)
	sender := newSender(t, newFakeClock())
	target, err := delivery.ParseTarget("pagerdutyURL", emu.EventsURL(), delivery.DefaultURL)
	if err != nil {
		t.Fatal(err)
	}
	wantResp, wantErr := sender.Send(context.Background(), emu.EventsURL(), eventBody, routingKey)
	resp, err := sender.SendTo(context.Background(), target, eventBody, routingKey)
	if diff := cmp.Diff(wantResp, resp); diff != "" || err != nil || wantErr != nil {
		t.Errorf("SendTo() = %v; Send() error = %v; response mismatch (-Send +SendTo):\n%s", err, wantErr, diff)
	}
	if got := requests(emu); len(got) != 2 || got[0] != got[1] {
		t.Errorf("the emulator received %+v; want the same request twice", got)
	}

	_, wantErr = sender.Send(context.Background(), "", eventBody, routingKey)
	_, err = sender.SendTo(context.Background(), delivery.Target{}, eventBody, routingKey)
	if diff := cmp.Diff(errText(wantErr), errText(err)); diff != "" || err == nil {
		t.Errorf("SendTo(zero Target) error mismatch (-Send(\"\") +SendTo):\n%s", diff)
	}
}

func errText(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}
