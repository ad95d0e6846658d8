package harness_test

import (
	"bytes"
	"net/http"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/influxdata/flux/ast"
	"github.com/influxdata/flux/parser"

	"github.com/fluxpd/fluxpd/bench/internal/harness"
)

func TestRoutingKey_Is32Characters(t *testing.T) {
	if got := len(harness.RoutingKey); got != 32 {
		t.Errorf("len(RoutingKey) = %d, want 32", got)
	}
}

func TestExpected(t *testing.T) {
	rows := harness.Rows(10)
	want := harness.Expect{Events: 10, Triggers: 8, Resolves: 2, Keys: 8}
	if diff := cmp.Diff(want, harness.Expected(rows)); diff != "" {
		t.Errorf("Expected(Rows(10)) mismatch (-want +got):\n%s", diff)
	}
	if rows[4].Host != rows[3].Host || rows[4].Action() != "resolve" || rows[3].Action() != "trigger" {
		t.Errorf("row 4 should resolve row 3's alert: %+v, %+v", rows[3], rows[4])
	}
}

func TestScripts_Parse(t *testing.T) {
	data := harness.CSV(harness.Rows(5), true)
	tests := []struct {
		name, src string
	}{
		{"sendevent", harness.SendEventScript("http://127.0.0.1:1/v2/enqueue", harness.CSV(harness.Rows(5), false))},
		{"endpoint", harness.EndpointScript("http://127.0.0.1:1/v2/enqueue", data, 0)},
		{"endpoint concurrency", harness.EndpointScript("http://127.0.0.1:1/v2/enqueue", data, 3)},
		{"nosend", harness.NoSendScript(data)},
		{"mapconst", harness.MapConstScript(data)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if pkg := parser.ParseSource(tt.src); ast.Check(pkg) > 0 {
				t.Errorf("script does not parse: %v\n%s", ast.GetError(pkg), tt.src)
			}
		})
	}
}

func TestCSV_GroupedStartsATablePerHost(t *testing.T) {
	lines := strings.Split(strings.TrimSpace(harness.CSV(harness.Rows(5), true)), "\n")[4:]
	var tables []string
	for _, l := range lines {
		tables = append(tables, strings.Split(l, ",")[2])
	}
	if diff := cmp.Diff([]string{"0", "1", "2", "3", "3"}, tables); diff != "" {
		t.Errorf("table column mismatch (-want +got):\n%s", diff)
	}
}

func TestReceiver(t *testing.T) {
	rows := harness.Rows(10)
	bodies := harness.Bodies(rows)
	tests := []struct {
		name     string
		deferred bool
		order    []int // indexes of the bodies to send, in order
		wantErr  string
	}{
		{name: "deferred, all valid", deferred: true, order: seq(10)},
		{name: "inline, all valid", order: seq(10)},
		{name: "resolve before trigger", deferred: true, order: []int{0, 1, 2, 4, 3, 5, 6, 7, 8, 9}, wantErr: "1 resolves arrived before their trigger"},
		{name: "one event missing", order: seq(9), wantErr: "receiver got 9 requests, 9 valid; want 10 valid"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := harness.StartReceiver(tt.deferred)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { _ = r.Close() })
			r.Reset(len(rows))
			for _, i := range tt.order {
				if got := post(t, r.URL(), bodies[i]); got != http.StatusAccepted {
					t.Fatalf("event %d answered %d, want 202", i, got)
				}
			}
			err = r.Stats().Check(harness.Expected(rows))
			if tt.wantErr == "" && err != nil {
				t.Errorf("Check() = %v, want nil", err)
			}
			if tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)) {
				t.Errorf("Check() = %v, want an error containing %q", err, tt.wantErr)
			}
		})
	}
}

func TestReceiver_RejectsAnInvalidEvent(t *testing.T) {
	r, err := harness.StartReceiver(true)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = r.Close() })
	r.Reset(1)
	body := bytes.Replace(harness.Bodies(harness.Rows(1))[0], []byte(`"critical"`), []byte(`"crit"`), 1)
	post(t, r.URL(), body)
	err = r.Stats().Check(harness.Expect{Events: 1, Triggers: 1, Keys: 1})
	if err == nil || !strings.Contains(err.Error(), `payload.severity "crit"`) {
		t.Errorf("Check() = %v, want an error about payload.severity", err)
	}
}

func TestReceiverCost(t *testing.T) {
	r, err := harness.StartReceiver(true)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = r.Close() })
	allocs, bytes, err := harness.ReceiverCost(r, harness.Bodies(harness.Rows(50)))
	if err != nil {
		t.Fatal(err)
	}
	if allocs <= 0 || bytes <= 0 {
		t.Errorf("ReceiverCost() = %v allocs, %v bytes per request, want both > 0", allocs, bytes)
	}
}

func post(t *testing.T, url string, body []byte) int {
	t.Helper()
	resp, err := http.Post(url, "application/json", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	_ = resp.Body.Close()
	return resp.StatusCode
}

func seq(n int) []int {
	s := make([]int, n)
	for i := range s {
		s[i] = i
	}
	return s
}
