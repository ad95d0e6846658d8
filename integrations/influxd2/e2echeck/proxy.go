package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/fluxpd/fluxpd/integrations/e2e"
)

// recorded is one event body that reached the proxy, routing key masked.
type recorded struct {
	Time     time.Time       `json:"time"`
	Path     string          `json:"path"`
	Status   int             `json:"status"`
	Rejected bool            `json:"rejected"` // answered by the proxy (the -reject-key key)
	Event    json.RawMessage `json:"event"`
}

// event is the part of a PagerDuty Events API v2 body the scenario checks.
type event struct {
	RoutingKey  string `json:"routing_key"`
	EventAction string `json:"event_action"`
	DedupKey    string `json:"dedup_key"`
	Client      string `json:"client"`
	ClientURL   string `json:"client_url"`
	Payload     *struct {
		Summary   string `json:"summary"`
		Source    string `json:"source"`
		Severity  string `json:"severity"`
		Timestamp string `json:"timestamp"`
		Component string `json:"component"`
		Group     string `json:"group"`
		Class     string `json:"class"`
		// CustomDetails holds the run's scheduledFor in pd-task's events.
		CustomDetails map[string]any `json:"custom_details"`
	} `json:"payload"`
}

func mask(key string) string {
	if len(key) <= 4 {
		return "****"
	}
	return "****" + key[len(key)-4:]
}

func proxy(args []string) error {
	fs := flag.NewFlagSet("proxy", flag.ContinueOnError)
	listen := fs.String("listen", "", "address to listen on (127.0.0.1:PORT)")
	to := fs.String("to", "", "emulator base URL")
	reject := fs.String("reject-key", "", "routing key answered with 400 as an unknown integration key")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if !strings.HasPrefix(*listen, "127.0.0.1:") {
		return fmt.Errorf("-listen must be a 127.0.0.1 address")
	}
	var (
		mu  sync.Mutex
		got []recorded
	)
	client := &http.Client{Timeout: e2e.Limit()} // stops a hang; the sender bounds its own wait
	mux := http.NewServeMux()
	mux.HandleFunc("/_proxy/events", func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		b, _ := json.MarshalIndent(got, "", "  ")
		mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		w.Write(b)
	})
	mux.HandleFunc("/_proxy/ready", func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "ok\n") })
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		var raw map[string]any
		var key string
		if json.Unmarshal(body, &raw) == nil {
			key, _ = raw["routing_key"].(string)
		}
		masked := body
		if key != "" {
			masked = bytes.ReplaceAll(body, []byte(key), []byte(mask(key)))
		}
		rec := recorded{Time: time.Now().UTC(), Path: r.URL.Path, Event: json.RawMessage(masked)}
		if !json.Valid(masked) {
			rec.Event, _ = json.Marshal(string(masked))
		}
		if *reject != "" && key == *reject {
			rec.Status, rec.Rejected = http.StatusBadRequest, true
			mu.Lock()
			got = append(got, rec)
			mu.Unlock()
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusBadRequest)
			io.WriteString(w, `{"status":"invalid event","message":"Event object is invalid","errors":["Invalid routing key"]}`)
			return
		}
		req, err := http.NewRequestWithContext(r.Context(), r.Method, strings.TrimSuffix(*to, "/")+r.URL.RequestURI(), bytes.NewReader(body))
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		req.Header = r.Header.Clone()
		resp, err := client.Do(req)
		if err != nil {
			log.Printf("proxy: %s %s: %v", r.Method, r.URL.Path, err)
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		defer resp.Body.Close()
		answer, _ := io.ReadAll(resp.Body)
		rec.Status = resp.StatusCode
		mu.Lock()
		got = append(got, rec)
		mu.Unlock()
		for k, vs := range resp.Header {
			for _, v := range vs {
				w.Header().Add(k, v)
			}
		}
		w.WriteHeader(resp.StatusCode)
		w.Write(answer)
		log.Printf("proxy: %s %s -> %d (routing key %s)", r.Method, r.URL.Path, resp.StatusCode, mask(key))
	})
	log.Printf("proxy: listening on %s, forwarding to %s", *listen, *to)
	return http.ListenAndServe(*listen, mux)
}
