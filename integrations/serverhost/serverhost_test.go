package serverhost

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/influxdata/flux/ast"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/fluxpd/fluxpd/internal/host"
	"github.com/fluxpd/fluxpd/stdlib/pagerduty"
)

// clearEnv unsets every variable FromEnv reads, for the test's duration.
func clearEnv(t *testing.T) {
	t.Helper()
	for _, v := range []string{host.URLEnv, host.ChangeURLEnv, host.OutboxEnv, host.OutboxRetryEnv, host.OutboxRetryMaxEnv} {
		t.Setenv(v, "")
	}
}

// noDir is an outboxDir for servers whose arguments do not parse.
func noDir() (string, bool) { return "", false }

func dirOf(d string) func() (string, bool) { return func() (string, bool) { return d, true } }

func closeOutbox(t *testing.T, s *Server) {
	t.Helper()
	if s.Host.Outbox != nil {
		if err := s.Host.Outbox.Close(); err != nil {
			t.Error(err)
		}
	}
}

func TestDefaults(t *testing.T) {
	clearEnv(t)
	data := filepath.Join(t.TempDir(), "not", "yet")
	s, err := FromEnv(dirOf(data))
	if err != nil {
		t.Fatal(err)
	}
	defer closeOutbox(t, s)
	if s.Host.URL != "" || s.Host.ChangeURL != "" || s.Host.Report == nil || s.Host.Note == nil || s.Host.Metrics == nil || s.Host.Log == nil {
		t.Errorf("host = %+v, want no URLs, a reporter, a note taker, metrics and an error log", s.Host)
	}
	if got, want := s.URL(), "(package default)"; got != want {
		t.Errorf("URL() = %q, want %q", got, want)
	}
	if got, want := s.ChangeURL(), "(package default)"; got != want {
		t.Errorf("ChangeURL() = %q, want %q", got, want)
	}
	want := filepath.Join(data, OutboxFile)
	if got := s.OutboxPath(); got != want {
		t.Errorf("OutboxPath() = %q, want %q", got, want)
	}
	if _, err := os.Stat(want); err != nil {
		t.Errorf("outbox file: %v", err)
	}
	if fi, err := os.Stat(data); err != nil || fi.Mode().Perm() != 0o700 {
		t.Errorf("created dir: %v %v, want mode 0700", fi, err)
	}
	if s.Interval != host.DefaultFlushInterval {
		t.Errorf("Interval = %v, want %v", s.Interval, host.DefaultFlushInterval)
	}
	s.StartOutbox()() // starts and stops the flusher, closes the outbox
	s.Host.Outbox = nil
}

func TestURLs(t *testing.T) {
	clearEnv(t)
	t.Setenv(host.OutboxEnv, "off")
	t.Setenv(host.URLEnv, "http://127.0.0.1:9/v2/enqueue")
	t.Setenv(host.ChangeURLEnv, "http://127.0.0.1:9/v2/change/enqueue")
	s, err := FromEnv(noDir)
	if err != nil {
		t.Fatal(err)
	}
	if s.URL() != "http://127.0.0.1:9/v2/enqueue" || s.ChangeURL() != "http://127.0.0.1:9/v2/change/enqueue" {
		t.Errorf("URLs = %q, %q", s.URL(), s.ChangeURL())
	}
}

func TestBadURLNamesTheVariables(t *testing.T) {
	for _, env := range []string{host.URLEnv, host.ChangeURLEnv} {
		t.Run(env, func(t *testing.T) {
			clearEnv(t)
			t.Setenv(env, "ftp://example.com/x")
			dir := t.TempDir()
			_, err := FromEnv(dirOf(dir))
			if err == nil {
				t.Fatal("no error")
			}
			for _, want := range []string{"refusing to start", "$" + host.URLEnv, "$" + host.ChangeURLEnv} {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error %q lacks %q", err, want)
				}
			}
			// Refused before anything is opened.
			if _, err := os.Stat(filepath.Join(dir, OutboxFile)); !os.IsNotExist(err) {
				t.Errorf("outbox opened despite the bad URL: %v", err)
			}
		})
	}
}

func TestOff(t *testing.T) {
	for _, v := range []string{"off", " OFF ", "Off"} {
		clearEnv(t)
		t.Setenv(host.OutboxEnv, v)
		called := false
		s, err := FromEnv(func() (string, bool) { called = true; return t.TempDir(), true })
		if err != nil {
			t.Fatal(err)
		}
		if s.Host.Outbox != nil || s.OutboxPath() != "off" || called {
			t.Errorf("%s=%q: outbox %v (dir asked: %v), want off", host.OutboxEnv, v, s.OutboxPath(), called)
		}
		s.StartOutbox()() // a no-op
	}
}

func TestNoDataDir(t *testing.T) {
	clearEnv(t)
	s, err := FromEnv(noDir)
	if err != nil || s.Host.Outbox != nil {
		t.Errorf("FromEnv = %v, %v; want no outbox, no error (the server reports its arguments)", s.OutboxPath(), err)
	}
}

func TestOutboxPathFromEnv(t *testing.T) {
	clearEnv(t)
	p := filepath.Join(t.TempDir(), "sub", "ob.db")
	t.Setenv(host.OutboxEnv, " "+p+" ")
	s, err := FromEnv(noDir)
	if err != nil {
		t.Fatal(err)
	}
	defer closeOutbox(t, s)
	if s.OutboxPath() != p {
		t.Errorf("OutboxPath() = %q, want %q", s.OutboxPath(), p)
	}
}

func TestOutboxUnopenable(t *testing.T) {
	clearEnv(t)
	file := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(file, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv(host.OutboxEnv, filepath.Join(file, "ob.db")) // its dir is a file
	_, err := FromEnv(noDir)
	if err == nil {
		t.Fatal("no error")
	}
	for _, want := range []string{"refusing to start", "cannot open the pagerduty outbox", "$" + host.OutboxEnv, host.OutboxEnv + "=off"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q lacks %q", err, want)
		}
	}
}

func TestRetry(t *testing.T) {
	for _, c := range []struct {
		base, max string
		interval  time.Duration
		errWants  []string
	}{
		{base: "2s", interval: 2 * time.Second},
		{base: " 1m ", interval: host.DefaultFlushInterval},
		{max: "1s", interval: host.DefaultFlushInterval},
		{base: "1s", max: "5s", interval: time.Second},
		{base: "soon", errWants: []string{"$" + host.OutboxRetryEnv + `="soon"`, "positive duration"}},
		{base: "-1s", errWants: []string{"$" + host.OutboxRetryEnv + `="-1s"`}},
		{base: "0", errWants: []string{"$" + host.OutboxRetryEnv + `="0"`}},
		{max: "x", errWants: []string{"$" + host.OutboxRetryMaxEnv + `="x"`}},
		{base: "5s", max: "1s", errWants: []string{"$" + host.OutboxRetryMaxEnv + " (1s) is shorter than $" + host.OutboxRetryEnv + " (5s)"}},
	} {
		t.Run(c.base+"/"+c.max, func(t *testing.T) {
			clearEnv(t)
			t.Setenv(host.OutboxRetryEnv, c.base)
			t.Setenv(host.OutboxRetryMaxEnv, c.max)
			s, err := FromEnv(dirOf(t.TempDir()))
			if c.errWants != nil {
				if err == nil {
					t.Fatal("no error")
				}
				for _, want := range append(c.errWants, "refusing to start") {
					if !strings.Contains(err.Error(), want) {
						t.Errorf("error %q lacks %q", err, want)
					}
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			defer closeOutbox(t, s)
			if s.Interval != c.interval {
				t.Errorf("Interval = %v, want %v", s.Interval, c.interval)
			}
		})
	}
}

func TestLog(t *testing.T) {
	clearEnv(t)
	t.Setenv(host.OutboxEnv, "off")
	s, err := FromEnv(noDir)
	if err != nil {
		t.Fatal(err)
	}
	var lines []string
	s.Log.SetLogger(host.LogFuncs{
		Info: func(m string) { lines = append(lines, "I "+m) },
		Warn: func(m string) { lines = append(lines, "W "+m) },
	})
	s.Log.Info("a")
	s.Log.Warn("b")
	s.Host.Note(pagerduty.Note{Function: "endpoint", DedupKey: "k", Text: "c"})
	s.Host.Report(pagerduty.Failure{Function: "sendEvent", URL: "http://127.0.0.1:9/v2/enqueue", Reason: "d"})
	if want := `I a|W b|I pagerduty.endpoint (dedup key "k"): c|W pagerduty.sendEvent: not sent to http://127.0.0.1:9/v2/enqueue: d`; strings.Join(lines, "|") != want {
		t.Errorf("lines = %q", lines)
	}
}

func TestPrepareContext(t *testing.T) {
	clearEnv(t)
	t.Setenv(host.OutboxEnv, "off")
	s, err := FromEnv(noDir)
	if err != nil {
		t.Fatal(err)
	}
	type key struct{}
	ctx := context.WithValue(context.Background(), key{}, 1)
	imports := func(paths ...string) *ast.Package {
		f := &ast.File{}
		for _, p := range paths {
			f.Imports = append(f.Imports, &ast.ImportDeclaration{Path: &ast.StringLiteral{Value: p}})
		}
		return &ast.Package{Files: []*ast.File{f}}
	}
	for _, pkg := range []*ast.Package{nil, imports(), imports("strings", "http")} {
		got, err := s.PrepareContext(ctx, pkg)
		if err != nil || got != ctx {
			t.Errorf("a query without pagerduty: context changed (%v)", err)
		}
	}
	got, err := s.PrepareContext(ctx, imports("strings", "pagerduty"))
	if err != nil {
		t.Fatal(err)
	}
	if got == ctx || got.Value(key{}) != 1 {
		t.Error("a query importing pagerduty: want a context derived from the query's")
	}
}

// A damaged outbox does not stop the server: it is moved aside, a fresh
// one takes its place, and the server's log says so at error level, with
// both paths and the salvage command, once it exists.
func TestDamagedOutboxMovedAside(t *testing.T) {
	clearEnv(t)
	dir := t.TempDir()
	path := filepath.Join(dir, OutboxFile)
	if err := os.WriteFile(path, []byte("not an outbox\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	s, err := FromEnv(dirOf(dir))
	if err != nil {
		t.Fatalf("FromEnv on a damaged outbox: %v; want it moved aside", err)
	}
	defer closeOutbox(t, s)
	moved, _ := filepath.Glob(path + ".damaged-*")
	if len(moved) != 1 {
		t.Fatalf("files moved aside: %v; want one", moved)
	}
	if b, err := os.ReadFile(moved[0]); err != nil || string(b) != "not an outbox\n" {
		t.Errorf("%s holds %q (%v); want the damaged file", moved[0], b, err)
	}
	if st, err := s.Host.Outbox.Stats(); err != nil || st.Pending != 0 || s.OutboxPath() != path {
		t.Errorf("the fresh outbox at %s: %+v, %v", s.OutboxPath(), st, err)
	}
	var errs, warns []string
	s.Log.SetLogger(host.LogFuncs{Info: func(string) {}, Warn: func(m string) { warns = append(warns, m) }, Error: func(m string) { errs = append(errs, m) }})
	if len(errs) != 1 || len(warns) != 0 {
		t.Fatalf("after SetLog: errors %q, warnings %q; want the damage once, at error level", errs, warns)
	}
	for _, want := range []string{path + " is damaged (", "moved aside to " + moved[0], "fluxpd outbox salvage " + moved[0] + " --outbox " + path} {
		if !strings.Contains(errs[0], want) {
			t.Errorf("the error line lacks %q:\n%s", want, errs[0])
		}
	}
	s.Log.SetLogger(host.LogFuncs{Info: func(string) {}, Warn: func(m string) { warns = append(warns, m) }})
	s.Log.Error("later")
	if len(warns) != 1 || warns[0] != "later" {
		t.Errorf("with no Error function, an error line went to %q; want Warn", warns)
	}
}

// TestRegisterMetrics: the server's registry serves fluxpd's metrics and
// the outbox's gauges, and a damaged outbox moved aside is counted.
func TestRegisterMetrics(t *testing.T) {
	clearEnv(t)
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, OutboxFile), []byte("not an outbox\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	s, err := FromEnv(dirOf(dir))
	if err != nil {
		t.Fatal(err)
	}
	defer closeOutbox(t, s)
	reg := prometheus.NewRegistry()
	if err := s.RegisterMetrics(reg); err != nil {
		t.Fatal(err)
	}
	s.Host.Metrics.Sent("sendEvent", host.Accepted, 1, time.Millisecond)
	families, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	names := map[string]float64{}
	for _, f := range families {
		for _, m := range f.GetMetric() {
			v := m.GetCounter().GetValue() + m.GetGauge().GetValue() + float64(m.GetHistogram().GetSampleCount())
			names[f.GetName()] += v
		}
	}
	want := map[string]float64{
		host.MetricEvents: 1, host.MetricAttempts: 1, host.MetricDuration: 1, host.MetricDamaged: 1,
		host.MetricPending: 0, host.MetricDead: 0, host.MetricOldest: 0, host.MetricRedelivered: 0, host.MetricStoreErrors: 0,
	}
	for name, v := range want {
		if gv, ok := names[name]; !ok || gv != v {
			t.Errorf("%s = %v (present: %v), want %v; gathered %v", name, gv, ok, v, names)
		}
	}
}
