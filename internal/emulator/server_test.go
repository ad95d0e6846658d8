package emulator_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/fluxpd/fluxpd/internal/emulator"
	"github.com/fluxpd/fluxpd/internal/emulator/emulatortest"
	"github.com/fluxpd/fluxpd/internal/testwait"
)

func TestStart(t *testing.T) {
	s, err := emulator.Start("127.0.0.1:0", emulator.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(s.URL(), "http://127.0.0.1:") || s.URL() != "http://"+s.Addr() {
		t.Errorf("URL() = %q, Addr() = %q", s.URL(), s.Addr())
	}
	if s.EventsURL() != s.URL()+"/v2/enqueue" || s.ChangeURL() != s.URL()+"/v2/change/enqueue" {
		t.Errorf("EventsURL() = %q, ChangeURL() = %q", s.EventsURL(), s.ChangeURL())
	}
	if code, body := post(t, s.EventsURL(), trigger()); code != 202 {
		t.Errorf("status %d, body %s", code, body)
	}
	if err := s.Close(); err != nil {
		t.Errorf("Close: %v", err)
	}
	if _, err := http.Post(s.EventsURL(), "application/json", strings.NewReader(trigger())); err == nil {
		t.Errorf("the server still answers after Close")
	}
}

func TestStart_AddressInUse(t *testing.T) {
	s, err := emulator.Start("127.0.0.1:0", emulator.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if _, err := emulator.Start(s.Addr(), emulator.Options{}); err == nil {
		t.Errorf("Start on a busy address succeeded")
	}
}

func TestServer_Shutdown_WaitsForRequests(t *testing.T) {
	s, err := emulator.Start("127.0.0.1:0", emulator.Options{Latency: 100 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan int)
	go func() {
		res, err := http.Post(s.EventsURL(), "application/json", strings.NewReader(trigger()))
		if err != nil {
			t.Errorf("in-flight request: %v", err)
			done <- 0
			return
		}
		res.Body.Close()
		done <- res.StatusCode
	}()
	testwait.Until(t, "the request to be in flight", func() (bool, string) {
		n := len(s.Requests())
		return n > 0, fmt.Sprintf("%d requests received", n)
	})
	ctx, cancel := context.WithTimeout(context.Background(), testwait.Limit())
	defer cancel()
	if err := s.Shutdown(ctx); err != nil {
		t.Errorf("Shutdown: %v", err)
	}
	if code := testwait.Recv(t, "the in-flight request's answer", done); code != 202 {
		t.Errorf("in-flight request: status %d, want 202", code)
	}
}

func TestServer_Connections(t *testing.T) {
	s := emulatortest.New(t)
	tr := &http.Transport{}
	defer tr.CloseIdleConnections()
	client := &http.Client{Transport: tr}
	for range 3 {
		res, err := client.Post(s.EventsURL(), "application/json", strings.NewReader(trigger()))
		if err != nil {
			t.Fatal(err)
		}
		_, _ = io.Copy(io.Discard, res.Body)
		res.Body.Close()
	}
	if got := s.Connections(); got != 1 {
		t.Errorf("Connections() = %d after 3 requests on one kept-alive connection, want 1", got)
	}
	s.Inject(emulator.Fault{Drop: true})
	if _, err := client.Post(s.EventsURL(), "application/json", strings.NewReader(trigger())); err == nil {
		t.Fatal("a dropped connection answered")
	}
	if res, err := client.Post(s.EventsURL(), "application/json", strings.NewReader(trigger())); err != nil {
		t.Fatal(err)
	} else {
		res.Body.Close()
	}
	if got := s.Connections(); got != 2 {
		t.Errorf("Connections() = %d after a dropped connection, want 2", got)
	}
}
