package e2e

// Keeping what the servers answered, for KEEP_TMP=1 and the routing key
// scan (NoSecrets).

import (
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
)

// maxAnswerName caps the part of a saved answer's file name that comes
// from its request, in bytes.
const maxAnswerName = 60

// Answers saves answers in Dir, one file each, numbered in the order
// saved. A nil *Answers saves nothing.
type Answers struct {
	Dir string

	mu sync.Mutex
	n  int
}

// Save writes b to a new file of Dir named after name (such as
// "GET /api/v2/tasks?limit=5" or "a-crit-web-1.csv") and returns its
// path. A file that cannot be written is only reported on stderr: the
// answer was already read, and the check that reads it decides.
func (a *Answers) Save(name string, b []byte) string {
	if a == nil {
		return ""
	}
	a.mu.Lock()
	a.n++
	n := a.n
	a.mu.Unlock()
	safe := strings.Map(func(r rune) rune {
		if r == '.' || r == '-' || r == '_' || 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9' {
			return r
		}
		return '_'
	}, name)
	if len(safe) > maxAnswerName {
		safe = safe[:maxAnswerName]
	}
	path := filepath.Join(a.Dir, fmt.Sprintf("%04d-%s", n, safe))
	if err := os.WriteFile(path, b, 0o644); err != nil {
		fmt.Fprintf(os.Stderr, "e2e: saving an answer: %v\n", err)
	}
	return path
}

// Do sends req with client, saves the answer under the request's method
// and path, and returns its status and body; a transport error is
// returned as is.
func (a *Answers) Do(client *http.Client, req *http.Request) (int, []byte, error) {
	resp, err := client.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return resp.StatusCode, b, fmt.Errorf("%s %s: reading the answer: %w", req.Method, req.URL.Path, err)
	}
	a.Save(req.Method+" "+strings.TrimPrefix(req.URL.RequestURI(), "/"), b)
	return resp.StatusCode, b, nil
}
