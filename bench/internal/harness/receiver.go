package harness

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"sync"
	"time"
)

// Receiver is a minimal stand-in for PagerDuty's /v2/enqueue on loopback.
// It answers as PagerDuty and fluxpd's emulator do, 202 with
// {"status":"success","message":"Event processed","dedup_key":...}, and
// checks every event as PagerDuty documents it; per dedup key, a resolve
// must follow an open trigger, or it counts as out of order.
//
// It exists because the emulator keeps every request and decodes it into
// a generic tree under a lock, work that would be counted against every
// sender sharing the 2 cores with it. To cost even less while a sender is
// timed, a deferred Receiver only copies each body into an arena and
// checks them all when Stats is called; Stats must then be called after
// the timed part. A Receiver that is not deferred checks every event as it
// arrives and keeps no bodies, so its memory does not grow with the
// events: that is the mode for measuring a sender's peak RSS.
type Receiver struct {
	srv      *http.Server
	url      string
	deferred bool

	mu      sync.Mutex
	latency time.Duration
	stats   Stats
	open    map[string]bool // dedup key -> alert open
	seen    map[string]bool // dedup keys received
	arena   []byte          // deferred bodies, back to back
	ends    []int           // end of each body in arena, in arrival order
}

// Stats is what a Receiver got since its last Reset.
type Stats struct {
	Requests   int      `json:"requests"`
	Valid      int      `json:"valid"`
	Triggers   int      `json:"triggers"`
	Resolves   int      `json:"resolves"`
	Keys       int      `json:"keys"`
	OutOfOrder int      `json:"out_of_order"`
	Problems   []string `json:"problems,omitempty"` // the first few
}

const maxProblems = 5

// maxBody is PagerDuty's limit on an event's size.
const maxBody = 512000

var bufPool = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// StartReceiver serves a Receiver on 127.0.0.1 at a free port.
func StartReceiver(deferred bool) (*Receiver, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	r := &Receiver{url: "http://" + ln.Addr().String() + "/v2/enqueue", deferred: deferred}
	r.Reset(0)
	r.srv = &http.Server{Handler: r, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = r.srv.Serve(ln) }()
	return r, nil
}

// URL is the events URL.
func (r *Receiver) URL() string { return r.url }

// Close stops the server.
func (r *Receiver) Close() error { return r.srv.Close() }

// SetLatency makes every answer wait d.
func (r *Receiver) SetLatency(d time.Duration) {
	r.mu.Lock()
	r.latency = d
	r.mu.Unlock()
}

// Reset forgets what was received and, when deferred, makes room for n
// events' bodies so that the arena does not grow while a sender is timed.
func (r *Receiver) Reset(n int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.stats = Stats{}
	r.open = make(map[string]bool)
	r.seen = make(map[string]bool)
	r.arena, r.ends = nil, nil
	if r.deferred {
		r.arena, r.ends = make([]byte, 0, n*512), make([]int, 0, n)
	}
}

// Stats checks the deferred bodies, if any, and returns what was received
// since the last Reset.
func (r *Receiver) Stats() Stats {
	r.mu.Lock()
	defer r.mu.Unlock()
	start := 0
	for _, end := range r.ends {
		var ev wireEvent
		r.record(checkBody(r.arena[start:end], &ev), ev)
		start = end
	}
	r.arena, r.ends = r.arena[:0], r.ends[:0]
	s := r.stats
	s.Keys = len(r.seen)
	s.Problems = append([]string(nil), s.Problems...)
	return s
}

// wireEvent is the part of an alert event the Receiver checks.
type wireEvent struct {
	RoutingKey  string `json:"routing_key"`
	EventAction string `json:"event_action"`
	DedupKey    string `json:"dedup_key"`
	Payload     *struct {
		Summary   string `json:"summary"`
		Source    string `json:"source"`
		Severity  string `json:"severity"`
		Timestamp string `json:"timestamp"`
	} `json:"payload"`
}

func (r *Receiver) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	buf := bufPool.Get().(*bytes.Buffer)
	defer bufPool.Put(buf)
	buf.Reset()
	_, err := buf.ReadFrom(io.LimitReader(req.Body, maxBody+1))
	if err == nil {
		err = checkRequest(req)
	}
	body := buf.Bytes()
	var ev wireEvent
	r.mu.Lock()
	latency := r.latency
	r.stats.Requests++
	switch {
	case err != nil:
		r.record(err, ev)
	case r.deferred:
		r.arena = append(r.arena, body...)
		r.ends = append(r.ends, len(r.arena))
		ev.DedupKey = scanDedupKey(body)
	default:
		r.record(checkBody(body, &ev), ev)
	}
	r.mu.Unlock()
	if latency > 0 {
		t := time.NewTimer(latency)
		select {
		case <-t.C:
		case <-req.Context().Done():
			t.Stop()
			return
		}
	}
	w.Header().Set("Content-Type", "application/json")
	if err != nil {
		w.WriteHeader(http.StatusBadRequest)
		b, _ := json.Marshal(map[string]any{"status": "invalid event", "message": "Event object is invalid", "errors": []string{err.Error()}})
		_, _ = w.Write(append(b, '\n'))
		return
	}
	// Like PagerDuty, a resolve with no open alert is still answered 202
	// (and dropped); Stats counts it out of order.
	w.WriteHeader(http.StatusAccepted)
	_, _ = io.WriteString(w, `{"status":"success","message":"Event processed","dedup_key":"`+ev.DedupKey+"\"}\n")
}

// record applies one checked event, or notes why its check failed. It
// runs under r.mu.
func (r *Receiver) record(err error, ev wireEvent) {
	if err == nil {
		err = r.apply(ev)
	}
	if err != nil && len(r.stats.Problems) < maxProblems {
		r.stats.Problems = append(r.stats.Problems, err.Error())
	}
}

// apply updates the per-key state for a valid event. It runs under r.mu.
func (r *Receiver) apply(ev wireEvent) error {
	r.seen[ev.DedupKey] = true
	r.stats.Valid++
	if ev.EventAction == "trigger" {
		r.open[ev.DedupKey] = true
		r.stats.Triggers++
		return nil
	}
	r.stats.Resolves++
	if !r.open[ev.DedupKey] {
		r.stats.OutOfOrder++
		return fmt.Errorf("resolve of dedup_key %s before its trigger", ev.DedupKey)
	}
	r.open[ev.DedupKey] = false
	return nil
}
