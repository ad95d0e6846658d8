package e2e

import (
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

func TestAnswers(t *testing.T) {
	a := &Answers{Dir: t.TempDir()}
	if got := filepath.Base(a.Save("GET /api/v2/tasks?limit=5&x=é", []byte("one"))); got != "0001-GET__api_v2_tasks_limit_5_x__" {
		t.Errorf("first answer saved as %q", got)
	}
	long := a.Save(strings.Repeat("x", 100), nil)
	if got := filepath.Base(long); got != "0002-"+strings.Repeat("x", maxAnswerName) {
		t.Errorf("long name saved as %q", got)
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusTeapot)
		w.Write([]byte("short and stout"))
	}))
	defer srv.Close()
	req, _ := http.NewRequest(http.MethodPost, srv.URL+"/brew?pot=1", nil)
	code, b, err := a.Do(srv.Client(), req)
	saved, _ := os.ReadFile(filepath.Join(a.Dir, "0003-POST_brew_pot_1"))
	if code != http.StatusTeapot || string(b) != "short and stout" || err != nil || string(saved) != "short and stout" {
		t.Errorf("Do = %d, %q, %v; saved %q", code, b, err, saved)
	}
	var none *Answers
	if none.Save("x", nil) != "" {
		t.Error("a nil *Answers saved something")
	}
}

func TestNoSecrets(t *testing.T) {
	dir := t.TempDir()
	os.MkdirAll(filepath.Join(dir, "sub"), 0o755)
	os.WriteFile(filepath.Join(dir, "clean.txt"), []byte("masked "+testKeyMask), 0o644)
	os.WriteFile(filepath.Join(dir, "sub", "leak.csv"), []byte("x,"+testKey+"\n"), 0o644)
	log := filepath.Join(t.TempDir(), "server.log")
	os.WriteFile(log, []byte("nothing"), 0o644)
	n, err := NoSecrets([]string{dir, log}, testKey, "")
	want := filepath.Join(dir, "sub", "leak.csv") + " holds the routing key " + testKeyMask
	if n != 3 || err == nil || err.Error() != want || strings.Contains(err.Error(), testKey) {
		t.Errorf("NoSecrets = %d, %v; want 3 files read and %q", n, err, want)
	}
	if _, err := NoSecrets([]string{filepath.Join(dir, "missing")}, testKey); err == nil {
		t.Error("a missing path is not an error")
	}
}

func TestOutboxOnByDefault(t *testing.T) {
	dir := t.TempDir()
	outbox, log := filepath.Join(dir, "fluxpd-outbox.db"), filepath.Join(dir, "influxd.log")
	os.WriteFile(outbox, nil, 0o600)
	os.WriteFile(log, []byte("ts=1 lvl=info msg=\"fluxpd native pagerduty\" service=pagerduty default_url=x outbox="+outbox+"\n"), 0o644)
	if seen, err := OutboxOnByDefault(outbox, log); err != nil || !strings.Contains(seen, "(mode 600)") {
		t.Errorf("holding: %q, %v", seen, err)
	}
	os.Chmod(outbox, 0o644)
	if _, err := OutboxOnByDefault(outbox, log); err == nil || !strings.Contains(err.Error(), "has mode 644, want 600") {
		t.Errorf("mode 644: %v", err)
	}
	os.Chmod(outbox, 0o600)
	os.WriteFile(log, []byte("msg=\"fluxpd native pagerduty\" outbox=/elsewhere.db\n"), 0o644)
	if _, err := OutboxOnByDefault(outbox, log); err == nil || !strings.Contains(err.Error(), "no \"fluxpd native pagerduty\" line naming outbox=") {
		t.Errorf("another outbox in the log: %v", err)
	}
}

// fakeFluxpd writes a shell script that prints out and exits with code.
func fakeFluxpd(t *testing.T, out string, code int) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "fluxpd")
	script := "#!/bin/sh\nprintf '%s' '" + out + "'\nexit " + string(rune('0'+code)) + "\n"
	if err := os.WriteFile(path, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestOutboxStats(t *testing.T) {
	if _, err := exec.LookPath("sh"); err != nil {
		t.Skip("no sh to stand in for fluxpd:", err)
	}
	for _, tt := range []struct {
		out     string
		code    int
		drained bool
		err     string
	}{
		{out: "pending: 0 (0 being sent)\ndead: 0\n", drained: true},
		{out: "pending: 2 (1 being sent)\n"},
		{out: "cannot open", code: 1, err: "outbox stats --outbox x.db: exit status 1: cannot open"},
	} {
		stats, drained, err := OutboxStats(fakeFluxpd(t, tt.out, tt.code), "x.db")
		if drained != tt.drained || (err == nil) != (tt.err == "") || err != nil && !strings.Contains(err.Error(), tt.err) || err == nil && stats != tt.out {
			t.Errorf("%q: %q, %v, %v; want drained %v, error %q", tt.out, stats, drained, err, tt.drained, tt.err)
		}
	}
}
