package delivery_test

import (
	"context"
	"errors"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/fluxpd/fluxpd/internal/delivery"
	"github.com/fluxpd/fluxpd/internal/emulator"
)

// countingValidator refuses the calls whose numbers (from 1) are in refuse.
type countingValidator struct {
	mu     sync.Mutex
	calls  int
	refuse map[int]bool
	urls   []string
}

func (v *countingValidator) validate(u *url.URL) error {
	v.mu.Lock()
	defer v.mu.Unlock()
	v.calls++
	v.urls = append(v.urls, u.String())
	if v.refuse[v.calls] {
		// Quote the URL as some validators do; Send must scrub it.
		return errors.New("url " + u.String() + " connects to a private IP")
	}
	return nil
}

func TestSender_Send_Validator(t *testing.T) {
	tests := []struct {
		name         string
		refuse       map[int]bool
		faults       []emulator.Fault // then the emulator's 202
		wantCalls    int
		wantRequests int
		wantKind     delivery.Kind
		wantStatus   int // of the response returned, 0 for none
	}{
		{name: "refused at once", refuse: map[int]bool{1: true},
			wantCalls: 1, wantRequests: 0, wantKind: delivery.KindRefused},
		{name: "refused on the retry", refuse: map[int]bool{2: true}, faults: times(5, emulator.Fault{Status: 503}),
			wantCalls: 2, wantRequests: 1, wantKind: delivery.KindRefused, wantStatus: 503},
		{name: "checked before every attempt", faults: times(5, emulator.Fault{Status: 503}),
			wantCalls: 4, wantRequests: 4, wantKind: delivery.KindHTTP, wantStatus: 503},
		{name: "accepted", faults: []emulator.Fault{{Status: 500}},
			wantCalls: 2, wantRequests: 2, wantStatus: 202},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			emu := newEmulator(t, tt.faults...)
			v := &countingValidator{refuse: tt.refuse}
			sender := newSender(t, newFakeClock())
			sender.Validate = v.validate
			resp, err := sender.Send(context.Background(), emu.EventsURL()+"?token=s3cr3t", eventBody)
			if v.calls != tt.wantCalls || len(emu.Requests()) != tt.wantRequests {
				t.Errorf("validator called %d times, %d requests; want %d, %d", v.calls, len(emu.Requests()), tt.wantCalls, tt.wantRequests)
			}
			if gotStatus := statusOf(resp); gotStatus != tt.wantStatus {
				t.Errorf("Send() response status = %d, want %d", gotStatus, tt.wantStatus)
			}
			if tt.wantKind == 0 {
				if err != nil {
					t.Errorf("Send() error = %v, want nil", err)
				}
				return
			}
			e := asError(t, err)
			if e.Kind != tt.wantKind || e.Attempts != tt.wantRequests || e.Temporary() != (tt.wantKind == delivery.KindHTTP) {
				t.Errorf("Send() error = %v (%+v), want %v after %d attempts", err, e, tt.wantKind, tt.wantRequests)
			}
			if tt.wantKind == delivery.KindRefused {
				want := "PagerDuty URL " + emu.EventsURL() + " refused by URL validator: url " + emu.EventsURL() + " connects to a private IP"
				if err.Error() != want {
					t.Errorf("Send() error = %q, want %q", err, want)
				}
			}
		})
	}
}

func statusOf(r *delivery.Response) int {
	if r == nil {
		return 0
	}
	return r.StatusCode
}

func TestSender_Send_InvalidURL(t *testing.T) {
	tests := []struct {
		name, url, want string
	}{
		{name: "unparseable", url: "http://user:hunter2@[::1", want: `invalid PagerDuty URL <unparseable URL>: missing ']' in host`},
		{name: "scheme", url: "ftp://127.0.0.1/v2/enqueue", want: `invalid PagerDuty URL ftp://127.0.0.1/v2/enqueue: scheme must be http or https, was "ftp"`},
		{name: "relative", url: "/v2/enqueue", want: `invalid PagerDuty URL: it has no scheme (not shown in case it is a secret); it must start with http:// or https://`},
		{name: "routing key as URL", url: "hunter2hunter2hunter2hunter2hunt", want: `invalid PagerDuty URL: it has no scheme (not shown in case it is a secret); it must start with http:// or https://`},
		{name: "no host", url: "http:///v2/enqueue?token=hunter2", want: `invalid PagerDuty URL http:///v2/enqueue: host is empty`},
		{name: "empty", url: "", want: `invalid PagerDuty URL: the URL is empty`},
		{name: "port over 65535", url: "http://127.0.0.1:99999/v2/enqueue?token=hunter2", want: `invalid PagerDuty URL http://127.0.0.1:99999/v2/enqueue: port "99999" is out of range (1 to 65535)`},
		{name: "port 0", url: "http://127.0.0.1:0/v2/enqueue", want: `invalid PagerDuty URL http://127.0.0.1:0/v2/enqueue: port "0" is out of range (1 to 65535)`},
		{name: "port not numeric", url: "http://127.0.0.1:http/v2/enqueue", want: `invalid PagerDuty URL <unparseable URL>: invalid port ":http" after host`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := &countingValidator{}
			sender := newSender(t, newFakeClock())
			sender.Validate = v.validate
			resp, err := sender.Send(context.Background(), tt.url, eventBody)
			e := asError(t, err)
			if resp != nil || e.Kind != delivery.KindInvalidURL || e.Attempts != 0 || e.Temporary() || v.calls != 0 {
				t.Errorf("Send() = %+v, %+v; want an invalid-URL error before validation", resp, e)
			}
			if err.Error() != tt.want {
				t.Errorf("Send() error = %q, want %q", err, tt.want)
			}
			if strings.Contains(err.Error(), "hunter2") {
				t.Errorf("Send() error %q leaks the URL's secret", err)
			}
		})
	}
}

func TestCheckURL(t *testing.T) {
	const (
		alert  = "pagerdutyURL"
		prefix = "pagerdutyURL must be an absolute http or https URL such as https://events.pagerduty.com/v2/enqueue; got "
	)
	long := "ftp://example.com/" + strings.Repeat("a", 200)
	tests := []struct {
		name, param, url, example, want string
	}{
		{name: "alert URL", url: "https://events.pagerduty.com/v2/enqueue"},
		{name: "loopback with port", url: "http://127.0.0.1:8787/v2/enqueue"},
		{name: "IPv6 with port 65535", url: "http://[::1]:65535/v2/enqueue"},
		{name: "empty port means the default", url: "https://events.pagerduty.com:/v2/enqueue"},
		{name: "empty", url: "", want: "pagerdutyURL is empty; set it to an absolute http or https URL such as https://events.pagerduty.com/v2/enqueue"},
		{name: "routing key passed as URL is not shown", url: "hunter2hunter2hunter2hunter2hunt",
			want: prefix + "a value without a scheme (not shown in case it is a secret)"},
		{name: "scheme", url: "ftp://user:hunter2@example.com/x?token=hunter2", want: prefix + `"ftp://example.com/x" (scheme must be http or https, was "ftp")`},
		{name: "no host", url: "https:///v2/enqueue", want: prefix + `"https:///v2/enqueue" (host is empty)`},
		{name: "port over 65535", url: "https://example.com:65536/v2/enqueue", want: prefix + `"https://example.com:65536/v2/enqueue" (port "65536" is out of range (1 to 65535))`},
		{name: "port 0", url: "https://example.com:0/v2/enqueue", want: prefix + `"https://example.com:0/v2/enqueue" (port "0" is out of range (1 to 65535))`},
		{name: "port not numeric", url: "https://example.com:https/v2/enqueue", want: prefix + `<unparseable URL> (invalid port ":https" after host)`},
		{name: "unparseable", url: "http://user:hunter2@[::1", want: prefix + `<unparseable URL> (missing ']' in host)`},
		{name: "long URL quoted in short", url: long, want: prefix + `"` + long[:99] + `…" (more than 200 characters) (scheme must be http or https, was "ftp")`},
		{name: "URL of 150 characters", url: long[:150], want: prefix + `"` + long[:99] + `…" (150 characters) (scheme must be http or https, was "ftp")`},
		{name: "change URL example", param: "pagerdutyURL", url: "", example: "https://events.pagerduty.com/v2/change/enqueue",
			want: "pagerdutyURL is empty; set it to an absolute http or https URL such as https://events.pagerduty.com/v2/change/enqueue"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			param, example := tt.param, tt.example
			if param == "" {
				param = alert
			}
			if example == "" {
				example = delivery.DefaultURL
			}
			err := delivery.CheckURL(param, tt.url, example)
			got := ""
			if err != nil {
				got = err.Error()
			}
			if got != tt.want {
				t.Errorf("CheckURL(%q) error mismatch (-want +got):\n%s", tt.url, cmp.Diff(tt.want, got))
			}
			if strings.Contains(got, "hunter2") {
				t.Errorf("CheckURL() error %q leaks a secret", got)
			}
		})
	}
}
