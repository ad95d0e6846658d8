package delivery_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/fluxpd/fluxpd/internal/delivery"
)

// BenchmarkSender_Send compares the success path with a raw net/http POST
// that reads the same answer; the difference is Sender's overhead.
func BenchmarkSender_Send(b *testing.B) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		w.WriteHeader(http.StatusAccepted)
		_, _ = io.WriteString(w, acceptedBody)
	}))
	defer srv.Close()
	url := srv.URL + "/v2/enqueue"
	tr := &http.Transport{}
	defer tr.CloseIdleConnections()
	client := &http.Client{Transport: tr}

	b.Run("raw", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			req, err := http.NewRequestWithContext(context.Background(), http.MethodPost, url, bytes.NewReader(eventBody))
			if err != nil {
				b.Fatal(err)
			}
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("Accept", "application/vnd.pagerduty+json;version=2")
			req.Header.Set("User-Agent", "fluxpd")
			resp, err := client.Do(req)
			if err != nil {
				b.Fatal(err)
			}
			if _, err := io.ReadAll(resp.Body); err != nil {
				b.Fatal(err)
			}
			_ = resp.Body.Close()
		}
	})
	// The caller's context can be canceled, as a Flux query's is.
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	b.Run("sender", func(b *testing.B) {
		s := &delivery.Sender{Client: client, Policy: delivery.DefaultPolicy()}
		b.ReportAllocs()
		for b.Loop() {
			if _, err := s.Send(ctx, url, eventBody, routingKey); err != nil {
				b.Fatal(err)
			}
		}
	})
	// As the Flux binding sends: a Sender per event, to a checked Target.
	b.Run("binding", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			target, err := delivery.ParseTarget("pagerdutyURL", url, delivery.DefaultURL)
			if err != nil {
				b.Fatal(err)
			}
			s := &delivery.Sender{Client: client, Policy: delivery.DefaultPolicy(), UserAgent: "fluxpd/bench"}
			if _, err := s.SendTo(ctx, target, eventBody, routingKey); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkDecodeAnswer is the reading of PagerDuty's answer to an
// accepted event, against encoding/json.
func BenchmarkDecodeAnswer(b *testing.B) {
	body := []byte(acceptedBody)
	b.Run("json.Unmarshal", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			var w struct {
				Message  string   `json:"message"`
				Errors   []string `json:"errors"`
				DedupKey string   `json:"dedup_key"`
			}
			if err := json.Unmarshal(body, &w); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("decodeAnswer", func(b *testing.B) {
		text := string(body) // readResponse has made the Body string already
		b.ReportAllocs()
		for b.Loop() {
			if w := delivery.DecodeAnswerForBench(text); w == "" {
				b.Fatal("no dedup key")
			}
		}
	})
}
