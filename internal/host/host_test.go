package host_test

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/fluxpd/fluxpd/internal/delivery"
	"github.com/fluxpd/fluxpd/internal/emulator"
	"github.com/fluxpd/fluxpd/internal/emulator/emulatortest"
	"github.com/fluxpd/fluxpd/internal/host"
	"github.com/fluxpd/fluxpd/internal/testwait"
)

// changeBody is a valid change event.
var changeBody = []byte(`{"routing_key":"` + rk + `","payload":{"summary":"deployed v2","source":"host-test"}}`)

// A diverted host sends every request to the emulator, whatever URL the
// call resolved to, on the Events API path the URL is for; what it reports
// names the resolved URL, without userinfo or query.
func TestHost_Send_Divert(t *testing.T) {
	tests := []struct {
		name, url, function string
		body                []byte
		fault               *emulator.Fault
		wantPath, wantURL   string
		want                host.Outcome
	}{
		{name: "PagerDuty's alert URL", url: "https://events.pagerduty.com/v2/enqueue", function: "sendEvent", body: alertBody("db01/cpu", 1),
			wantPath: emulator.EventsPath, wantURL: "https://events.pagerduty.com/v2/enqueue", want: host.Accepted},
		{name: "PagerDuty's EU change URL", url: "https://events.eu.pagerduty.com/v2/change/enqueue", function: "sendChangeEvent", body: changeBody,
			wantPath: emulator.ChangePath, wantURL: "https://events.eu.pagerduty.com/v2/change/enqueue", want: host.Accepted},
		{name: "a relay with credentials and a token", url: "http://user:secret@relay.test:8788/v2/enqueue?token=abc", function: "endpoint", body: alertBody("db01/cpu", 2),
			wantPath: emulator.EventsPath, wantURL: "http://relay.test:8788/v2/enqueue", want: host.Accepted},
		{name: "rejected: the failure names the resolved URL", url: "https://events.pagerduty.com/v2/enqueue?x=1", function: "sendEvent", body: alertBody("db01/cpu", 3),
			fault: &emulator.Fault{Status: 400, Body: invalidBody}, wantPath: emulator.EventsPath, wantURL: "https://events.pagerduty.com/v2/enqueue", want: host.Rejected},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := emulatortest.New(t)
			if tt.fault != nil {
				s.Inject(*tt.fault)
			}
			to, _ := url.Parse(s.URL())
			var rec recorder
			h := &host.Host{Divert: to}
			rec.wire(h)
			m := host.Message{Function: tt.function, URL: tt.url, Body: tt.body, RoutingKey: rk}
			snd := sender()
			snd.UserAgent = "host-test/1"
			h.Send(t.Context(), snd, m)
			reqs := s.Requests()
			if len(reqs) != 1 {
				t.Fatalf("the emulator received %d requests, want 1", len(reqs))
			}
			if got := []string{reqs[0].Path, string(reqs[0].Body), reqs[0].Header.Get("User-Agent")}; !cmp.Equal(got, []string{tt.wantPath, string(tt.body), "host-test/1"}) {
				t.Errorf("the emulator received path, body and user agent %q; want %s, the body as sent, host-test/1", got, tt.wantPath)
			}
			failures, sents, _, _ := rec.get()
			if len(sents) != 1 || sents[0].URL != tt.wantURL || sents[0].Outcome != tt.want {
				t.Errorf("Sent %+v; want one %s, naming %s", sents, tt.want, tt.wantURL)
			}
			for _, f := range failures {
				if f.URL != tt.wantURL || !strings.Contains(f.String(), " from "+tt.wantURL) {
					t.Errorf("the failure %q names %s, want %s", f, f.URL, tt.wantURL)
				}
			}
			checkNoKey(t, rec.texts()...)
		})
	}
}

// Host.Sender keeps the sender's policy, validator, user agent, clock and
// randomness when it diverts, and changes nothing when it does not.
func TestHost_Sender(t *testing.T) {
	to, _ := url.Parse("http://127.0.0.1:9")
	s := &delivery.Sender{Client: loopbackClient(), Policy: delivery.Policy{MaxRetries: 7}, UserAgent: "ua",
		Validate: func(*url.URL) error { return nil }, Clock: &stillClock{}, Rand: func() float64 { return 0.25 }}
	if got := (&host.Host{}).Sender(s); got != s {
		t.Errorf("a host that does not divert changed the sender")
	}
	if got := (&host.Host{Divert: to}).Sender(nil); got != nil {
		t.Errorf("Sender(nil) = %+v, want nil", got)
	}
	got := (&host.Host{Divert: to}).Sender(s)
	if got == s || got.Client == s.Client {
		t.Fatalf("a diverting host did not divert the sender's client")
	}
	if got.Policy != s.Policy || got.UserAgent != s.UserAgent || got.Validate == nil || got.Clock != s.Clock || got.Rand == nil || got.Rand() != 0.25 {
		t.Errorf("the diverted sender lost the original's settings: %+v", got)
	}
}

// stillClock is a delivery.Clock that never moves.
type stillClock struct{}

func (*stillClock) Now() time.Time                                   { return time.Time{} }
func (*stillClock) Sleep(ctx context.Context, _ time.Duration) error { return ctx.Err() }

// A diverted sender follows no redirect, whatever client it was given: the
// event goes to the emulator only, never to where a 3xx points.
func TestHost_Send_DivertFollowsNoRedirect(t *testing.T) {
	clients := map[string]delivery.Doer{
		"the default client":            nil,
		"an http.Client that redirects": loopbackClient(),
	}
	for name, client := range clients {
		t.Run(name, func(t *testing.T) {
			s, elsewhere := emulatortest.New(t), emulatortest.New(t)
			s.Inject(emulator.Fault{Status: http.StatusTemporaryRedirect, Header: map[string]string{"Location": elsewhere.EventsURL()}})
			to, _ := url.Parse(s.URL())
			h := &host.Host{Divert: to}
			snd := &delivery.Sender{Client: client, Policy: delivery.Policy{AttemptTimeout: testwait.Limit()}}
			// A name that never resolves: should the divert fail, the
			// default client cannot reach anyone.
			r := h.Send(t.Context(), snd, host.Message{Function: "sendEvent", URL: "https://events.pagerduty.invalid/v2/enqueue", Body: alertBody("db01/cpu", 1), RoutingKey: rk})
			if n := len(elsewhere.Requests()); n != 0 {
				t.Errorf("the redirect was followed: its target received %d requests", n)
			}
			var de *delivery.Error
			if r.Status != http.StatusTemporaryRedirect || !errors.As(r.Err, &de) || de.Kind != delivery.KindRedirect {
				t.Errorf("Result %+v; want the 307 and a redirect error", r)
			}
		})
	}
}

func TestHost_Validate(t *testing.T) {
	const (
		alertDefault  = "https://events.pagerduty.com/v2/enqueue"
		changeDefault = "https://events.pagerduty.com/v2/change/enqueue"
	)
	tests := []struct {
		name, url, changeURL string
		want                 []string // in the error; nil: no error
	}{
		{name: "package defaults"},
		{name: "both set", url: "http://127.0.0.1:8788/v2/enqueue", changeURL: "https://relay.test/v2/change/enqueue"},
		{name: "bad URL", url: "ftp://relay.test/v2/enqueue",
			want: []string{"the default PagerDuty URL must be an absolute http or https URL such as " + alertDefault, `"ftp://relay.test/v2/enqueue"`}},
		{name: "bad change URL, no scheme", changeURL: rk,
			want: []string{"the default PagerDuty change URL must be an absolute http or https URL such as " + changeDefault, "not shown in case it is a secret"}},
		{name: "both bad", url: "relay.test", changeURL: "mailto:x@y",
			want: []string{"the default PagerDuty URL must", "the default PagerDuty change URL must"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := (&host.Host{URL: tt.url, ChangeURL: tt.changeURL}).Validate(alertDefault, changeDefault)
			if (err != nil) != (tt.want != nil) {
				t.Fatalf("Validate = %v; want an error: %v", err, tt.want != nil)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("the error lacks %q:\n%v", w, err)
				}
			}
			if err != nil {
				checkNoKey(t, err.Error())
			}
		})
	}
}

// Divert.Client(nil) diverts a copy of http.DefaultClient, which is left
// as it was.
func TestDivert_ClientNil(t *testing.T) {
	s := emulatortest.New(t)
	to, _ := url.Parse(s.URL())
	before := *http.DefaultClient
	c := (&host.Divert{To: to}).Client(nil)
	if http.DefaultClient.Transport != before.Transport {
		t.Fatalf("Client(nil) changed http.DefaultClient's transport")
	}
	req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, "https://events.pagerduty.invalid/v2/enqueue", strings.NewReader(string(alertBody("db01/cpu", 1))))
	if err != nil {
		t.Fatal(err)
	}
	res, err := c.Do(req)
	if err != nil {
		t.Fatalf("the diverted request failed: %v", err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusAccepted || len(s.Requests()) != 1 {
		t.Errorf("answer %d, the emulator received %d requests; want 202 and one", res.StatusCode, len(s.Requests()))
	}
}
