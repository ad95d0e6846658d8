package host_test

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/fluxpd/fluxpd/internal/host"
)

// levels records the lines a LogFuncs is given, each as "LEVEL msg".
type levels struct {
	mu    sync.Mutex
	lines []string
}

func (l *levels) funcs(withError bool) host.LogFuncs {
	at := func(level string) func(string) {
		return func(msg string) {
			l.mu.Lock()
			defer l.mu.Unlock()
			l.lines = append(l.lines, level+" "+msg)
		}
	}
	f := host.LogFuncs{Info: at("INFO"), Warn: at("WARN")}
	if withError {
		f.Error = at("ERROR")
	}
	return f
}

func (l *levels) get() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]string(nil), l.lines...)
}

// Before SetLogger every line goes to standard error, error lines marked
// and held; SetLogger replays the held error lines once, at error level
// (at warning level when the logger has none), and later lines go to the
// logger only, each at its level.
func TestLog_BeforeAndAfterSetLogger(t *testing.T) {
	for _, withError := range []bool{true, false} {
		t.Run(fmt.Sprintf("logger has Error: %v", withError), func(t *testing.T) {
			var stderr bytes.Buffer
			g := &host.Log{Stderr: &stderr}
			g.Info("starting")
			g.Warn("slow disk")
			g.Error("outbox moved aside")
			g.Error("an event was lost")
			wantStderr := "fluxpd: starting\nfluxpd: slow disk\nfluxpd: error: outbox moved aside\nfluxpd: error: an event was lost\n"
			if got := stderr.String(); got != wantStderr {
				t.Errorf("standard error before SetLogger:\n%s\nwant\n%s", got, wantStderr)
			}

			var l levels
			g.SetLogger(l.funcs(withError))
			g.Info("ready")
			g.Warn("retrying")
			g.Error("another event was lost")
			g.SetLogger(l.funcs(withError)) // nothing held any more: nothing replayed

			errLevel := "ERROR"
			if !withError {
				errLevel = "WARN"
			}
			want := []string{
				errLevel + " outbox moved aside", errLevel + " an event was lost",
				"INFO ready", "WARN retrying", errLevel + " another event was lost",
			}
			if diff := cmp.Diff(want, l.get()); diff != "" {
				t.Errorf("the logger's lines (-want +got):\n%s", diff)
			}
			if got := stderr.String(); got != wantStderr {
				t.Errorf("standard error changed after SetLogger:\n%s", got)
			}
		})
	}
}

// Report and Note write a failure as a warning and a note as information,
// as their String methods say them.
func TestLog_ReportAndNote(t *testing.T) {
	g := &host.Log{Stderr: io.Discard}
	var l levels
	g.SetLogger(l.funcs(true))
	f := host.Failure{Function: "sendEvent", URL: "https://events.pagerduty.com/v2/enqueue", Status: 400, Attempts: 1, Reason: "Event object is invalid"}
	n := host.Note{Function: "endpoint", DedupKey: "db01/cpu", Text: "summary cut to 1024 characters"}
	g.Report(f)
	g.Note(n)
	want := []string{"WARN " + f.String(), "INFO " + n.String()}
	if diff := cmp.Diff(want, l.get()); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

// A zero Log writes to the process's standard error.
func TestLog_ZeroValueWritesToStderr(t *testing.T) {
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	old := os.Stderr
	os.Stderr = w
	var g host.Log
	g.Warn("to the real standard error")
	g.Error("held and written")
	os.Stderr = old
	w.Close()
	got, _ := io.ReadAll(r)
	if want := "fluxpd: to the real standard error\nfluxpd: error: held and written\n"; string(got) != want {
		t.Errorf("standard error got %q, want %q", got, want)
	}
}

// Error lines written while another goroutine sets the logger reach the
// logger exactly once each: replayed if held, or written to it directly.
func TestLog_ConcurrentSetLogger(t *testing.T) {
	const writers, each = 4, 50
	g := &host.Log{Stderr: io.Discard}
	var l levels
	var wg sync.WaitGroup
	for w := 0; w < writers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < each; i++ {
				g.Error(fmt.Sprintf("line %d.%d", w, i))
			}
		}()
	}
	g.SetLogger(l.funcs(true))
	wg.Wait()
	got := l.get()
	sort.Strings(got)
	var want []string
	for w := 0; w < writers; w++ {
		for i := 0; i < each; i++ {
			want = append(want, fmt.Sprintf("ERROR line %d.%d", w, i))
		}
	}
	sort.Strings(want)
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("error lines reaching the logger (-want +got):\n%s", diff)
	}
	for _, line := range got {
		if strings.Contains(line, "error: ") {
			t.Errorf("a line reached the logger with standard error's prefix: %q", line)
		}
	}
}
