package e2e

import (
	"net/http"
	"net/http/httptest"
	"os/exec"
	"strconv"
	"strings"
	"testing"
)

func TestRefusesToStart(t *testing.T) {
	if _, err := exec.LookPath("sh"); err != nil {
		t.Skip("no sh to start:", err)
	}
	port, err := FreePort()
	if err != nil {
		t.Fatal(err)
	}
	closed := "http://127.0.0.1:" + strconv.Itoa(port) + "/health"
	out, err := RefusesToStart(exec.Command("sh", "-c", "echo 'refusing to start: bad URL' >&2; exit 3"), closed)
	if err != nil || out != "refusing to start: bad URL\n" {
		t.Errorf("a refusal: %q, %v", out, err)
	}
	if _, err := RefusesToStart(exec.Command("sh", "-c", "echo started"), closed); err == nil || !strings.Contains(err.Error(), "exited with status 0, want a refusal; its output:\nstarted") {
		t.Errorf("exit 0: %v", err)
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	defer srv.Close()
	cmd := exec.Command("sleep", "600")
	if _, err := RefusesToStart(cmd, srv.URL); err == nil || !strings.Contains(err.Error(), "started: "+srv.URL+" answered 2xx") {
		t.Errorf("a server that answers: %v", err)
	}
	if cmd.ProcessState == nil {
		t.Error("the process that started was not stopped and awaited")
	}
}
