package outbox_test

import (
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/fluxpd/fluxpd/internal/outbox"
)

// BenchmarkEnqueue measures queueing one event: one bbolt transaction,
// committed and fsynced, with the file opened and closed around it (the
// default, which lets other processes share the file).
func BenchmarkEnqueue(b *testing.B) {
	for _, keep := range []bool{false, true} {
		b.Run(map[bool]string{false: "open-per-operation", true: "kept-open"}[keep], func(b *testing.B) {
			ob, _, _ := open(b, outbox.Options{KeepOpen: keep})
			e := event{routingKey(1), "bench", "trigger", 1}.entry("http://127.0.0.1:1/v2/enqueue")
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				if _, err := ob.Enqueue(e); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkFlush10000 measures flushing 10000 queued events (100 dedup
// keys of 100 events each) to a loopback receiver that answers 202, with
// the default concurrency of 16.
func BenchmarkFlush10000(b *testing.B) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusAccepted)
		_, _ = io.WriteString(w, `{"status":"success","message":"Event processed","dedup_key":"x"}`)
	}))
	defer srv.Close()
	entries := make([]outbox.Entry, 0, 10000)
	for i := 0; i < 10000; i++ {
		entries = append(entries, event{routingKey(i % 5), "dk-" + string(rune('a'+i%100/26)) + string(rune('a'+i%26)), "trigger", i}.entry(srv.URL))
	}
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		ob, _, _ := open(b, outbox.Options{})
		if _, err := ob.EnqueueBatch(entries); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		rep, err := ob.Flush(b.Context(), outbox.FlushOptions{})
		if err != nil || rep.Delivered != 10000 {
			b.Fatalf("Flush = %s, %v", rep, err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/10000, "ns/event")
}

// BenchmarkOpen_Locked measures how long Open takes to give up on a file
// another Outbox holds, with a LockTimeout of 200ms: bbolt tries every
// 50ms and gives up once more than 150ms has passed, so about 200ms.
func BenchmarkOpen_Locked(b *testing.B) {
	_, path, _ := open(b, outbox.Options{KeepOpen: true})
	for b.Loop() {
		if _, err := outbox.Open(path, outbox.Options{LockTimeout: 200 * time.Millisecond}); !errors.Is(err, outbox.ErrLocked) {
			b.Fatalf("Open of a held file: %v, want ErrLocked", err)
		}
	}
}
