package outbox

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"strconv"
	"strings"
)

// Lease owners read "host/pid/token" (a flush appends "/token"): the host
// and pid let a flusher tell that the process holding a lease on this host
// is gone (killed), so that its claims are void at once instead of after
// Options.LeaseTTL.

var hostname = func() string {
	h, err := os.Hostname()
	if err != nil || h == "" {
		return "unknown-host"
	}
	return strings.ReplaceAll(h, "/", "_")
}()

func newToken() string {
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

func newOwner() string {
	return fmt.Sprintf("%s/%d/%s", hostname, os.Getpid(), newToken())
}

// leaseAlive reports whether the holder of a lease, owner, may still be
// running, as seen from the Outbox self. Only a process of this host other
// than the current one, which no longer exists, is known to be gone.
func leaseAlive(owner, self string) bool {
	parts := strings.SplitN(owner, "/", 3)
	if len(parts) < 3 || parts[0] != hostname {
		return true
	}
	pid, err := strconv.Atoi(parts[1])
	if err != nil || pid <= 0 || pid == os.Getpid() {
		return true
	}
	return processExists(pid)
}
