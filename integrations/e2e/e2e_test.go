package e2e

import (
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestParseCSV(t *testing.T) {
	const answer = "#datatype,string,long,string\r\n#group,false,false,true\r\n#default,_result,,\r\n,result,table,host\r\n,,0,a\r\n,,1,b\r\n\r\n,result,table,x\r\n,,0,1\r\n"
	got, err := ParseCSV([]byte(answer))
	if err != nil {
		t.Fatal(err)
	}
	want := []map[string]string{
		{"result": "", "table": "0", "host": "a"},
		{"result": "", "table": "1", "host": "b"},
		{"result": "", "table": "0", "x": "1"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("rows (-want +got):\n%s", diff)
	}
	_, err = ParseCSV([]byte("#datatype,string,string\n,error,reference\n,boom,\n"))
	if err == nil || !strings.Contains(err.Error(), "the query failed") {
		t.Errorf("error table: err = %v", err)
	}
}

func TestWait(t *testing.T) {
	var asked atomic.Bool
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !asked.Swap(true) {
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	}))
	defer srv.Close()
	if err := Wait(srv.URL, Limit(), 0); err != nil {
		t.Fatal(err)
	}
	port, err := FreePort()
	if err != nil {
		t.Fatal(err)
	}
	url := "http://127.0.0.1:" + strconv.Itoa(port)
	err = Wait(url, 300*time.Millisecond, 0)
	want := "gave up after 300ms waiting for " + url + " to answer 2xx; last seen: "
	// What was seen: the refused connection (or, should the machine be too
	// busy to try once within the limit, the limit itself).
	if err == nil || !strings.HasPrefix(err.Error(), want) ||
		!strings.Contains(err.Error(), "connection refused") && !strings.Contains(err.Error(), "deadline exceeded") {
		t.Errorf("closed port: err = %v, want %q and the connection's error", err, want)
	}
}

// A server that never answers: Wait abandons the request at its limit.
func TestWait_Hung(t *testing.T) {
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}))
	defer srv.Close()
	defer close(release)
	err := Wait(srv.URL, 200*time.Millisecond, 0)
	want := "gave up after 200ms waiting for " + srv.URL + " to answer 2xx; last seen: "
	if err == nil || !strings.HasPrefix(err.Error(), want) || !strings.Contains(err.Error(), "deadline exceeded") {
		t.Errorf("hung server: err = %v, want %q and the request's deadline", err, want)
	}
}
