package e2e

// A server that must refuse to start.

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"os/exec"
	"sync"
	"time"
)

// RefusesToStart starts cmd, its output captured, and waits until it
// exits or until healthURL answers 2xx, bounded by Limit. It holds when the
// process exited with a non-zero status without ever answering; it
// returns the process's output. A process that answered is stopped and is
// an error, and so is one still running at the limit.
func RefusesToStart(cmd *exec.Cmd, healthURL string) (string, error) {
	var out lockedBuffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		return "", err
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	stop := func() { _ = cmd.Process.Kill(); <-exited }
	ctx, cancel := context.WithTimeout(context.Background(), Limit())
	defer cancel()
	for {
		select {
		case err := <-exited:
			var exit *exec.ExitError
			switch {
			case err == nil:
				return out.String(), fmt.Errorf("%s exited with status 0, want a refusal; its output:\n%s", cmd.Path, out.String())
			case !errors.As(err, &exit):
				return out.String(), err
			}
			return out.String(), nil
		case <-ctx.Done():
			stop()
			return out.String(), fmt.Errorf("gave up after %s waiting for %s to refuse to start: it was still running; its output:\n%s", Limit(), cmd.Path, out.String())
		case <-time.After(pollEvery):
		}
		if answers(ctx, healthURL) {
			stop()
			return out.String(), fmt.Errorf("%s started: %s answered 2xx; its output:\n%s", cmd.Path, healthURL, out.String())
		}
	}
}

// answers reports whether url answers 2xx now.
func answers(ctx context.Context, url string) bool {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return false
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return false
	}
	resp.Body.Close()
	return resp.StatusCode/100 == 2
}

// lockedBuffer is a bytes.Buffer safe for the writes of a process's two
// output streams and a reader.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}
