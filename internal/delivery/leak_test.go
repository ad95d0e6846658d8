package delivery_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/fluxpd/fluxpd/internal/delivery"
	"github.com/fluxpd/fluxpd/internal/emulator"
)

// doerFunc adapts a func to delivery.Doer.
type doerFunc func(*http.Request) (*http.Response, error)

func (f doerFunc) Do(r *http.Request) (*http.Response, error) { return f(r) }

// TestSender_Send_LeaksNoSecret checks every failure path, like
// AssertNotifyLeaksNoSecret in alertmanager's notify/test: neither the
// routing key handed to Send, nor the body, nor the URL's password or query
// string appears in the error or the answer, even when a cause quotes them.
func TestSender_Send_LeaksNoSecret(t *testing.T) {
	const (
		password = "pa55w0rd-xyz"
		token    = "t0ken-value-xyz"
	)
	withSecrets := func(base string) string {
		u, err := url.Parse(base)
		if err != nil {
			t.Fatal(err)
		}
		u.User = url.UserPassword("user", password)
		u.RawQuery = "token=" + token
		return u.String()
	}
	echoKey := `{"status":"invalid event","message":"Event object is invalid","errors":["routing_key ` + routingKey + ` is unknown"]}`
	refused, _ := closedURL(t)
	tests := []struct {
		name     string
		faults   []emulator.Fault // queued in an emulator, unless url is set
		url      string
		doer     delivery.Doer
		validate func(*url.URL) error
		canceled bool
	}{
		{name: "400 echoing the key", faults: []emulator.Fault{{Status: 400, Body: echoKey}}},
		{name: "503 spent", faults: times(5, emulator.Fault{Status: 503, Body: echoKey})},
		{name: "connection refused", url: refused},
		{name: "dropped connection", faults: times(5, emulator.Fault{Drop: true})},
		{name: "validator quoting URL and key", faults: []emulator.Fault{{Status: 202}},
			validate: func(u *url.URL) error { return fmt.Errorf("refused %s for %s", u, routingKey) }},
		{name: "client error quoting everything", url: "http://127.0.0.1:9/v2/enqueue",
			doer: doerFunc(func(r *http.Request) (*http.Response, error) {
				return nil, &url.Error{Op: "Post", URL: r.URL.String(), Err: fmt.Errorf("proxy said %s %s %s", r.URL, routingKey, eventBody)}
			})},
		{name: "canceled", faults: []emulator.Fault{{Status: 503}}, canceled: true},
		{name: "invalid URL", url: "ftp://user:" + password + "@127.0.0.1/?token=" + token},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			target := tt.url
			if tt.url == "" {
				target = newEmulator(t, tt.faults...).EventsURL()
			}
			if !strings.HasPrefix(target, "ftp:") {
				target = withSecrets(target)
			}
			sender := newSender(t, newFakeClock())
			sender.Validate = tt.validate
			if tt.doer != nil {
				sender.Client = tt.doer
			}
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			if tt.canceled {
				cancel()
			}
			// The routing key is handed to Send, as every caller does:
			// Send masks what it is given and looks for nothing itself.
			resp, err := sender.Send(ctx, target, eventBody, routingKey)
			if err == nil {
				t.Fatal("Send() error = nil, want an error")
			}
			assertNoSecret(t, err, resp, routingKey, password, token, `"event_action"`)
			t.Logf("error: %v", err)
		})
	}
}

// assertNoSecret checks every way of printing err, and the answer returned
// with it, for the secrets.
func assertNoSecret(t *testing.T, err error, resp *delivery.Response, secrets ...string) {
	t.Helper()
	texts := []string{err.Error(), fmt.Sprintf("%v", err), fmt.Sprintf("%+v", err), fmt.Sprintf("%#v", err)}
	if resp != nil {
		texts = append(texts, resp.Body, resp.Message, strings.Join(resp.Errors, "\n"))
	}
	for _, text := range texts {
		for _, secret := range secrets {
			if strings.Contains(text, secret) {
				t.Errorf("text %q contains %q", text, secret)
			}
		}
	}
}

// TestSender_Send_MasksCallerSecrets checks the secrets argument.
func TestSender_Send_MasksCallerSecrets(t *testing.T) {
	const secret = "another-secret-value"
	doer := doerFunc(func(*http.Request) (*http.Response, error) {
		return nil, errors.New("upstream said " + secret)
	})
	sender := newSender(t, newFakeClock())
	sender.Client = doer
	sender.Policy.MaxRetries = 0
	_, err := sender.Send(context.Background(), "http://127.0.0.1:9/v2/enqueue", []byte(`{}`), secret)
	want := "failed to post event to PagerDuty at http://127.0.0.1:9/v2/enqueue after 1 attempt: upstream said anot**************ue"
	if err == nil || err.Error() != want {
		t.Errorf("Send() error = %v, want %q", err, want)
	}
}
