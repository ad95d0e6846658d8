package host_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/fluxpd/fluxpd/internal/host"
)

// receiver records the requests it gets.
type receiver struct {
	mu  sync.Mutex
	got []string // method, host, path and query, body
}

func (r *receiver) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	b, _ := io.ReadAll(req.Body)
	r.mu.Lock()
	r.got = append(r.got, req.Method+" "+req.Host+" "+req.URL.RequestURI()+" "+string(b))
	r.mu.Unlock()
	w.WriteHeader(http.StatusAccepted)
}

func TestDivert(t *testing.T) {
	rec := &receiver{}
	srv := httptest.NewServer(rec)
	t.Cleanup(srv.Close)
	to, _ := url.Parse(srv.URL)
	d := &host.Divert{To: to}
	hostPort := to.Host
	tests := []struct{ url, want string }{
		{"https://events.pagerduty.com/v2/enqueue", "POST " + hostPort + " /v2/enqueue {}"},
		{"https://events.eu.pagerduty.com/v2/change/enqueue", "POST " + hostPort + " /v2/change/enqueue {}"},
		{"http://relay.test:8788/v2/enqueue?token=x", "POST " + hostPort + " /v2/enqueue {}"},
		{"http://127.0.0.1:1/proxy/pd/v2/change/enqueue/", "POST " + hostPort + " /v2/change/enqueue {}"},
		{"http://user:pw@[::1]:9/custom", "POST " + hostPort + " /v2/enqueue {}"},
	}
	clients := map[string]func(*http.Request) (*http.Response, error){
		"Client":    d.Client(&http.Client{}).Do,
		"RoundTrip": (&host.Divert{To: to}).RoundTrip,
	}
	for name, do := range clients {
		for _, tt := range tests {
			t.Run(name+" "+tt.url, func(t *testing.T) {
				rec.mu.Lock()
				rec.got = nil
				rec.mu.Unlock()
				req, err := http.NewRequest(http.MethodPost, tt.url, strings.NewReader("{}"))
				if err != nil {
					t.Fatal(err)
				}
				res, err := do(req)
				if err != nil {
					t.Fatalf("the diverted request failed: %v", err)
				}
				res.Body.Close()
				rec.mu.Lock()
				defer rec.mu.Unlock()
				if len(rec.got) != 1 || rec.got[0] != tt.want {
					t.Errorf("the receiver got %q, want [%q]", rec.got, tt.want)
				}
				if req.URL.String() != tt.url {
					t.Errorf("the caller's request was changed to %s", req.URL)
				}
			})
		}
	}
}
