package e2e

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestAlerts(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/_emulator/alerts" {
			http.NotFound(w, r)
			return
		}
		w.Write([]byte(`[{"dedup_key":"web-1","status":"resolved","severity":"critical","summary":"CPU at 97%","source":"web-1","count":2,"incident_key":"ignored",
			"history":[{"action":"trigger","severity":"critical","summary":"CPU at 97%"},{"action":"resolve"}]}]`))
	}))
	defer srv.Close()
	emu := Emulator{URL: srv.URL + "/", Client: &http.Client{Timeout: Limit()}} // a trailing slash is dropped
	got, err := emu.Alerts()
	if err != nil {
		t.Fatal(err)
	}
	want := []Alert{{
		DedupKey: "web-1", Status: "resolved", Severity: "critical", Summary: "CPU at 97%", Source: "web-1", Count: 2,
		History: []AlertEvent{{Action: "trigger", Severity: "critical", Summary: "CPU at 97%"}, {Action: "resolve"}},
	}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("alerts (-want +got):\n%s", diff)
	}
	if got := strings.Join(Actions(got[0].History), ","); got != "trigger,resolve" {
		t.Errorf("Actions = %q, want trigger,resolve", got)
	}
	if got := Actions(nil); len(got) != 0 {
		t.Errorf("Actions(nil) = %q, want none", got)
	}
}

func TestGetJSON(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/missing":
			http.Error(w, "no such thing", http.StatusNotFound)
		case "/text":
			w.Write([]byte("not json"))
		default:
			w.Write([]byte(`{"n": 3}`))
		}
	}))
	defer srv.Close()
	client := &http.Client{Timeout: Limit()}
	var v struct{ N int }
	if err := GetJSON(client, srv.URL+"/ok", &v); err != nil || v.N != 3 {
		t.Errorf("GetJSON = %v, %+v; want nil, N=3", err, v)
	}
	err := GetJSON(client, srv.URL+"/missing", &v)
	if err == nil || !strings.Contains(err.Error(), "404 Not Found: no such thing") {
		t.Errorf("404: err = %v, want one quoting the status and the body", err)
	}
	err = GetJSON(client, srv.URL+"/text", &v)
	if err == nil || !strings.Contains(err.Error(), ": not json") {
		t.Errorf("not JSON: err = %v, want one quoting the body", err)
	}
}

func TestPretty(t *testing.T) {
	if got, want := Pretty(map[string]int{"a": 1}), "{\n  \"a\": 1\n}"; got != want {
		t.Errorf("Pretty = %q, want %q", got, want)
	}
}
