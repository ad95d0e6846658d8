package e2e

import (
	"bytes"
	"errors"
	"flag"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"strconv"
	"strings"
	"testing"
)

func TestRun(t *testing.T) {
	var got []string
	cmds := []Command{
		{Name: "ok", Run: func(args []string) error { got = args; return nil }},
		{Name: "fail", Run: func([]string) error { return errors.New("it does not hold") }},
		{Name: "misuse", Run: func([]string) error { return ErrUsage }},
		{Name: "help", Run: func([]string) error { return flag.ErrHelp }},
	}
	for _, tc := range []struct {
		args   []string
		code   int
		stderr string
	}{
		{args: []string{"ok", "-x", "1"}, code: 0},
		{args: []string{"fail"}, code: 1, stderr: "e2echeck fail: it does not hold\n"},
		{args: []string{"misuse"}, code: 2},
		{args: []string{"help"}, code: 2},
		{args: nil, code: 2, stderr: "usage: e2echeck ok|fail|misuse|help [flags]\n"},
		{args: []string{"nope"}, code: 2, stderr: "e2echeck: unknown subcommand \"nope\"\n"},
	} {
		var stderr bytes.Buffer
		if code := Run(tc.args, &stderr, cmds...); code != tc.code || stderr.String() != tc.stderr {
			t.Errorf("Run(%q) = %d, stderr %q; want %d, %q", tc.args, code, stderr.String(), tc.code, tc.stderr)
		}
	}
	if strings.Join(got, " ") != "-x 1" {
		t.Errorf("ok got args %q, want the ones after its name", got)
	}
}

func TestParseFlags(t *testing.T) {
	fs := flag.NewFlagSet("csv", flag.ContinueOnError)
	fs.String("file", "", "")
	fs.String("col", "", "")
	if err := ParseFlags(fs, []string{"-file", "a.csv", "-col", "x"}, "file", "col"); err != nil {
		t.Fatalf("all required flags given: %v", err)
	}
	fs = flag.NewFlagSet("csv", flag.ContinueOnError)
	fs.String("file", "", "")
	fs.String("col", "", "")
	if err := ParseFlags(fs, []string{"-file", "a.csv"}, "file", "col"); !errors.Is(err, ErrUsage) {
		t.Errorf("-col missing: err = %v, want ErrUsage", err)
	}
}

// stdout runs f and returns what it printed on os.Stdout.
func stdout(t *testing.T, f func() error) (string, error) {
	t.Helper()
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	saved := os.Stdout
	os.Stdout = w
	ferr := f()
	os.Stdout = saved
	w.Close()
	b, err := io.ReadAll(r)
	if err != nil {
		t.Fatal(err)
	}
	return string(b), ferr
}

func TestFreePortCommand(t *testing.T) {
	out, err := stdout(t, func() error { return FreePortCommand.Run(nil) })
	if err != nil {
		t.Fatal(err)
	}
	port, err := strconv.Atoi(strings.TrimSuffix(out, "\n"))
	if err != nil || port <= 0 || port > 65535 {
		t.Errorf("freeport printed %q, want a port number and a newline", out)
	}
}

func TestWaitCommand(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	defer srv.Close()
	if err := WaitCommand.Run([]string{"-url", srv.URL}); err != nil {
		t.Errorf("ready server: %v", err)
	}
	if err := WaitCommand.Run([]string{"-timeout", "1m"}); !errors.Is(err, ErrUsage) {
		t.Errorf("no -url: err = %v, want ErrUsage", err)
	}
}
