package delivery_test

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/fluxpd/fluxpd/internal/delivery"
	"github.com/fluxpd/fluxpd/internal/emulator"
)

// TestSender_Send_Redirect checks that a 3xx answer is a failed send that
// is never followed, never retried, and names its target without userinfo
// or query string, whatever the Doer.
func TestSender_Send_Redirect(t *testing.T) {
	for _, status := range []int{301, 302, 303, 307, 308} {
		for _, client := range []string{"*http.Client", "other Doer"} {
			t.Run(http.StatusText(status)+" via "+client, func(t *testing.T) {
				target := newEmulator(t)
				location := strings.Replace(target.EventsURL(), "http://", "http://user:hunter2@", 1) + "?routing_key=" + routingKey
				from := newEmulator(t, times(2, emulator.Fault{Status: status, Header: map[string]string{"Location": location}, Body: "moved"})...)
				sender := newSender(t, newFakeClock())
				hc := sender.Client.(*http.Client)
				if client == "other Doer" {
					sender.Client = doerFunc(func(r *http.Request) (*http.Response, error) { return hc.Transport.RoundTrip(r) })
				}
				resp, err := sender.Send(context.Background(), from.EventsURL(), eventBody, routingKey)

				if n := len(target.Requests()); n != 0 {
					t.Errorf("the redirect target received %d requests, want none", n)
				}
				if n := len(from.Requests()); n != 1 {
					t.Errorf("the URL received %d requests, want 1 (no retry)", n)
				}
				if resp == nil || resp.StatusCode != status || resp.Attempts != 1 {
					t.Errorf("Send() response = %+v, want status %d after 1 attempt", resp, status)
				}
				e := asError(t, err)
				if e.Kind != delivery.KindRedirect || e.StatusCode != status || e.Attempts != 1 || e.Temporary() || e.Location != target.EventsURL() {
					t.Errorf("Send() error = %#v, want a KindRedirect with Location %s", e, target.EventsURL())
				}
				want := "PagerDuty URL " + from.EventsURL() + " answered " + statusLine(status) + ` redirecting to "` + target.EventsURL() +
					`"; PagerDuty's Events API never redirects, so the URL is probably wrong: the redirect was not followed and the event was not delivered`
				if diff := cmp.Diff(want, err.Error()); diff != "" {
					t.Errorf("Send() error mismatch (-want +got):\n%s", diff)
				}
				if hc.CheckRedirect != nil {
					t.Error("Send() changed the caller's *http.Client")
				}
			})
		}
	}
}

func statusLine(code int) string {
	return strconv.Itoa(code) + " " + http.StatusText(code)
}

// TestSender_Send_RedirectRelative checks a relative Location, which names
// the same server, and a 3xx without Location.
func TestSender_Send_RedirectRelative(t *testing.T) {
	tests := []struct {
		name, location, want string
	}{
		{name: "relative", location: "/v2/elsewhere?token=hunter2", want: ` redirecting to "%s/v2/elsewhere"`},
		{name: "no Location", want: " without a Location"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			header := map[string]string{}
			if tt.location != "" {
				header["Location"] = tt.location
			}
			emu := newEmulator(t, emulator.Fault{Status: 307, Header: header})
			sender := newSender(t, newFakeClock())
			_, err := sender.Send(context.Background(), emu.EventsURL(), eventBody)
			if n := len(emu.Requests()); n != 1 {
				t.Errorf("the server received %d requests, want 1", n)
			}
			base := emu.URL()
			want := strings.Replace(tt.want, "%s", base, 1)
			if err == nil || !strings.Contains(err.Error(), "answered 307 Temporary Redirect"+want+";") || strings.Contains(err.Error(), "hunter2") {
				t.Errorf("Send() error = %v, want it to say %q and hide the query", err, want)
			}
		})
	}
}
