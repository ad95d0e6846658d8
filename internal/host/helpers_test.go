package host_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"

	"github.com/fluxpd/fluxpd/internal/delivery"
	"github.com/fluxpd/fluxpd/internal/host"
	"github.com/fluxpd/fluxpd/internal/outbox"
	"github.com/fluxpd/fluxpd/internal/redact"
	"github.com/fluxpd/fluxpd/internal/testwait"
)

// rk is a made-up 32-character routing key; it must never show unmasked
// in anything the host reports.
const rk = "K0UT1NGK3Y0123456789abcdefABCDEF"

// maskedRK is rk as every report must show it.
var maskedRK = redact.Key(rk)

// alertBody is a valid trigger for dedupKey; seq makes every body unique.
func alertBody(dedupKey string, seq int) []byte {
	b, _ := json.Marshal(map[string]any{
		"routing_key": rk, "event_action": "trigger", "dedup_key": dedupKey,
		"payload": map[string]any{"summary": fmt.Sprintf("%s #%d", dedupKey, seq), "source": "host-test", "severity": "critical"},
	})
	return b
}

// alert is a sendEvent message for dedupKey to url.
func alert(url, dedupKey string, seq int) host.Message {
	return host.Message{
		Function: "sendEvent", URL: url, Body: alertBody(dedupKey, seq), RoutingKey: rk, DedupKey: dedupKey,
		Action: "trigger", Summary: fmt.Sprintf("%s #%d", dedupKey, seq),
	}
}

// sender retries twice at once (three attempts in all) and waits for each
// answer as long as a test waits for anything.
func sender() *delivery.Sender {
	return &delivery.Sender{Client: loopbackClient(), Policy: delivery.Policy{MaxRetries: 2, AttemptTimeout: testwait.Limit()}}
}

// loopbackClient refuses any request that is not to 127.0.0.1, so that a
// test whose divert failed cannot reach PagerDuty.
func loopbackClient() *http.Client {
	return &http.Client{Transport: loopbackOnly{}}
}

type loopbackOnly struct{}

func (loopbackOnly) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.URL.Hostname() != "127.0.0.1" {
		return nil, fmt.Errorf("the test refused a request to %s: only 127.0.0.1 may be contacted", req.URL.Host)
	}
	return http.DefaultTransport.RoundTrip(req)
}

// recorder keeps everything a Host tells.
type recorder struct {
	mu       sync.Mutex
	failures []host.Failure
	sent     []host.Sent
	notes    []host.Note
	logs     []string
}

// wire sets h's Report, Sent, Note and Log to r.
func (r *recorder) wire(h *host.Host) {
	h.Report = func(f host.Failure) { r.mu.Lock(); r.failures = append(r.failures, f); r.mu.Unlock() }
	h.Sent = func(s host.Sent) { r.mu.Lock(); r.sent = append(r.sent, s); r.mu.Unlock() }
	h.Note = func(n host.Note) { r.mu.Lock(); r.notes = append(r.notes, n); r.mu.Unlock() }
	h.Log = func(l string) { r.mu.Lock(); r.logs = append(r.logs, l); r.mu.Unlock() }
}

// get returns copies of what r was told.
func (r *recorder) get() ([]host.Failure, []host.Sent, []host.Note, []string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.failures), slices.Clone(r.sent), slices.Clone(r.notes), slices.Clone(r.logs)
}

// texts is every text r was told, for leak checks.
func (r *recorder) texts() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []string
	for _, f := range r.failures {
		out = append(out, f.String(), f.URL, f.DedupKey, f.Reason)
	}
	for _, s := range r.sent {
		out = append(out, s.URL, s.DedupKey, s.Summary, s.Reason)
	}
	for _, n := range r.notes {
		out = append(out, n.String(), n.DedupKey, n.Text)
	}
	return append(out, r.logs...)
}

// checkNoKey fails t if any of texts shows rk unmasked.
func checkNoKey(t testing.TB, texts ...string) {
	t.Helper()
	for _, s := range texts {
		if strings.Contains(s, rk) {
			t.Errorf("the routing key leaked: %q", strings.ReplaceAll(s, rk, "<THE KEY>"))
		}
	}
}

// openOutbox opens a fresh outbox in a temporary directory that waits for
// its lock and leases as long as a test waits for anything; its log goes to
// the test's log, rk masked.
func openOutbox(t testing.TB, opts outbox.Options) *outbox.Outbox {
	t.Helper()
	if opts.LockTimeout == 0 {
		opts.LockTimeout = testwait.Limit()
	}
	if opts.LeaseTTL == 0 {
		opts.LeaseTTL = testwait.Limit()
	}
	if opts.Log == nil {
		opts.Log = func(s string) { t.Log(redact.String(s, rk)) } // test output masks keys too
	}
	ob, err := outbox.Open(filepath.Join(t.TempDir(), "outbox.db"), opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = ob.Close() })
	return ob
}

// registry returns fresh metrics registered in a fresh registry, with ob's
// gauges when ob is not nil.
func registry(t testing.TB, ob *outbox.Outbox) (*host.Metrics, *prometheus.Registry) {
	t.Helper()
	m, reg := host.NewMetrics(), prometheus.NewRegistry()
	if err := m.Register(reg, ob); err != nil {
		t.Fatalf("registering the metrics: %v", err)
	}
	return m, reg
}

// gathered is what a registry holds: metric name to its samples.
type gathered map[string][]*dto.Metric

func gather(t testing.TB, reg prometheus.Gatherer) gathered {
	t.Helper()
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatalf("gathering the metrics: %v", err)
	}
	g := gathered{}
	for _, mf := range mfs {
		g[mf.GetName()] = mf.GetMetric()
	}
	return g
}

// value is the counter or gauge name whose labels are labelPairs (name,
// value, name, value...); 0 when no such sample exists.
func (g gathered) value(name string, labelPairs ...string) float64 {
	for _, m := range g[name] {
		if hasLabels(m, labelPairs) {
			if c := m.GetCounter(); c != nil {
				return c.GetValue()
			}
			return m.GetGauge().GetValue()
		}
	}
	return 0
}

// events is the count of fluxpd_pagerduty_events_total for function and
// outcome.
func (g gathered) events(function string, o host.Outcome) float64 {
	return g.value(host.MetricEvents, "function", function, "outcome", o.String())
}

// histogram is the duration histogram's sample, nil when none.
func (g gathered) histogram() *dto.Histogram {
	if ms := g[host.MetricDuration]; len(ms) == 1 {
		return ms[0].GetHistogram()
	}
	return nil
}

func hasLabels(m *dto.Metric, pairs []string) bool {
	have := map[string]string{}
	for _, l := range m.GetLabel() {
		have[l.GetName()] = l.GetValue()
	}
	for i := 0; i+1 < len(pairs); i += 2 {
		if have[pairs[i]] != pairs[i+1] {
			return false
		}
	}
	return true
}
