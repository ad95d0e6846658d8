package e2e

import (
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
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
	ready := false
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !ready {
			ready = true
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	}))
	defer srv.Close()
	if err := Wait(srv.URL, 5*time.Second, 0); err != nil {
		t.Fatal(err)
	}
	port, err := FreePort()
	if err != nil {
		t.Fatal(err)
	}
	err = Wait("http://127.0.0.1:"+strconv.Itoa(port), 300*time.Millisecond, 0)
	if err == nil || !strings.Contains(err.Error(), "not ready after 300ms") {
		t.Errorf("closed port: err = %v", err)
	}
}
