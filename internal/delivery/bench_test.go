package delivery_test

import (
	"bytes"
	"context"
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
	b.Run("sender", func(b *testing.B) {
		s := &delivery.Sender{Client: client}
		b.ReportAllocs()
		for b.Loop() {
			if _, err := s.Send(context.Background(), url, eventBody, routingKey); err != nil {
				b.Fatal(err)
			}
		}
	})
}
