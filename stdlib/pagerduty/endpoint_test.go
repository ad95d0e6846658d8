package pagerduty_test

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/fluxpd/fluxpd/internal/emulator"
	"github.com/fluxpd/fluxpd/internal/emulator/emulatortest"
)

// hostKey is the dedup key dedupKey gives a table grouped by host (and
// _level, which is excluded), computed here from its definition.
func hostKey(host string) string {
	sum := sha256.Sum256([]byte("host\n" + host + "\n"))
	return hex.EncodeToString(sum[:])
}

// endpointCall pipes data into endpoint with args, a mapFn sending a
// trigger or resolve per _level with summary "seq <seq>".
func endpointCall(data, args string) string {
	return fmt.Sprintf(`csv.from(csv: %q)
    |> pagerduty.endpoint(%s)(mapFn: (r) => ({
        routingKey: %q,
        client: "fluxpd-test",
        clientURL: "",
        class: "",
        group: "",
        severity: pagerduty.severityFromLevel(level: r._level),
        eventAction: pagerduty.actionFromLevel(level: r._level),
        source: r.host,
        summary: "seq " + r.seq,
        timestamp: "",
    }))()
`, data, args, testKey)
}

// monitoringData is a check's output: per host a crit table of two rows
// (seq 0 and 1), then, after every host's crit table, an ok table (seq 2).
// Every table holds one host and level, as after a monitoring check.
func monitoringData(hosts int) (string, []string) {
	var rows [][]string
	var order []string
	for _, level := range []string{"crit", "ok"} {
		for h := range hosts {
			host := fmt.Sprintf("web%02d", h)
			seqs := []string{"0", "1"}
			if level == "ok" {
				seqs = []string{"2"}
			}
			for _, seq := range seqs {
				rows = append(rows, []string{host, level, seq})
				order = append(order, host+"/"+seq)
			}
		}
	}
	return csvData([]string{"host", "_level", "seq"}, []string{"host", "_level"}, rows...), order
}

func TestEndpoint_ConcurrentAndOrderedPerKey(t *testing.T) {
	const hosts, concurrency = 8, 4
	emu := emulator.New(emulator.Options{Latency: 40 * time.Millisecond})
	// The first request waits for a second: concurrency is seen however
	// slowly the senders are scheduled.
	gauge := newInFlight(t, emu, 2)
	srv := httptest.NewServer(gauge)
	t.Cleanup(srv.Close)

	data, order := monitoringData(hosts)
	url := srv.URL + emulator.EventsPath
	rows := mustQuery(t, endpointCall(data, fmt.Sprintf("url: %q, concurrency: %d", url, concurrency)))

	var gotOrder []string
	for _, r := range rows {
		gotOrder = append(gotOrder, r["host"]+"/"+r["seq"])
		if r["_sent"] != "true" || r["_status"] != "202" || r["_pagerdutyDedupKey"] != hostKey(r["host"]) {
			t.Errorf("row %s/%s: _sent %s, _status %s, key %s; want true, 202, %s",
				r["host"], r["seq"], r["_sent"], r["_status"], r["_pagerdutyDedupKey"], hostKey(r["host"]))
		}
	}
	if diff := cmp.Diff(order, gotOrder); diff != "" {
		t.Errorf("output rows out of input order (-want +got):\n%s", diff)
	}
	all, perKey := gauge.peaks()
	t.Logf("peak in flight: %d overall, %d per dedup key", all, perKey)
	if all < 2 || all > concurrency {
		t.Errorf("%d requests were in flight at most; want between 2 and %d", all, concurrency)
	}
	if perKey != 1 {
		t.Errorf("%d requests with the same dedup key were in flight at once; want 1", perKey)
	}
	arrivals := arrivalsByKey(emu)
	for h := range hosts {
		host := fmt.Sprintf("web%02d", h)
		// A resolve carries the payload its fields describe, as a trigger does.
		want := []string{"trigger seq 0", "trigger seq 1", "resolve seq 2"}
		if diff := cmp.Diff(want, arrivals[hostKey(host)]); diff != "" {
			t.Errorf("arrival order for %s (-want +got):\n%s", host, diff)
		}
	}
	for _, a := range emu.Alerts() {
		if a.Status != emulator.StatusResolved || a.Count != 2 {
			t.Errorf("alert %s: status %s after %d triggers; want resolved after 2", a.Source, a.Status, a.Count)
		}
	}
}

// arrivalsByKey lists, per dedup key, the requests the emulator received
// in arrival order, as "<action> <summary>" (a resolve has no summary).
func arrivalsByKey(emu interface{ Requests() []emulator.Request }) map[string][]string {
	got := map[string][]string{}
	for _, r := range emu.Requests() {
		got[r.DedupKey] = append(got[r.DedupKey], strings.TrimSpace(r.Action+" "+r.Summary))
	}
	return got
}

func TestEndpoint_ManyRowsAcrossWindows(t *testing.T) {
	const n, keys = 2500, 40 // more rows than one window (1000)
	emu := emulatortest.New(t)
	var rows [][]string
	for i := range n {
		rows = append(rows, []string{strconv.Itoa(i), fmt.Sprintf("key%02d", i%keys)})
	}
	data := csvData([]string{"i", "k"}, nil, rows...)
	src := fmt.Sprintf(`option pagerduty.defaultURL = %q
csv.from(csv: %q)
    |> pagerduty.endpoint(concurrency: 16)(mapFn: (r) => ({
        routingKey: %q, severity: "info", eventAction: "trigger", source: "batch",
        summary: r.i, dedupKey: r.k,
    }))()
`, emu.EventsURL(), data, testKey)
	out := mustQuery(t, src)
	if len(out) != n {
		t.Fatalf("got %d rows, want %d", len(out), n)
	}
	for i, r := range out {
		if r["i"] != strconv.Itoa(i) || r["_sent"] != "true" || r["_pagerdutyDedupKey"] != r["k"] {
			t.Fatalf("row %d: %v; want i=%d, sent, with the dedup key of mapFn", i, r, i)
		}
	}
	last := map[string]int{}
	for _, r := range emu.Requests() {
		i, _ := strconv.Atoi(r.Summary)
		if prev, ok := last[r.DedupKey]; ok && prev > i {
			t.Fatalf("row %d of key %s arrived after row %d", i, r.DedupKey, prev)
		}
		last[r.DedupKey] = i
	}
	if got := len(emu.Requests()); got != n {
		t.Errorf("the emulator received %d events, want %d", got, n)
	}
}
