package relay_test

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"
	"testing"

	"github.com/fluxpd/fluxpd/internal/host"
	"github.com/fluxpd/fluxpd/internal/relay"
	"github.com/fluxpd/fluxpd/internal/testwait"
)

// Environment of a relay child process (see runChild): the test binary
// re-executed serves a relay on this outbox file and upstream.
const (
	childOutboxEnv   = "FLUXPD_RELAY_TEST_CHILD_OUTBOX"
	childUpstreamEnv = "FLUXPD_RELAY_TEST_CHILD_UPSTREAM"
)

func TestMain(m *testing.M) {
	if path := os.Getenv(childOutboxEnv); path != "" {
		os.Exit(runChild(path, os.Getenv(childUpstreamEnv)))
	}
	os.Exit(m.Run())
}

// runChild serves a relay as fluxpd relay does: the same line on standard
// output once it accepts, logs on standard error, a graceful stop on
// SIGTERM or SIGINT with exit code 0. The backoff comes from
// $FLUXPD_OUTBOX_RETRY, as fluxpd relay reads it.
func runChild(path, upstream string) int {
	retry, err := host.RetryFromEnv()
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, os.Interrupt)
	defer stop()
	s, err := relay.Start(ctx, relay.Options{
		Addr: "127.0.0.1:0", OutboxPath: path, Upstream: upstream, Rate: relay.RateOff,
		GroupCommit: true, Retry: retry, Log: os.Stderr, LockTimeout: testwait.Limit(),
	})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	fmt.Printf("fluxpd relay listening on %s (upstream %s, outbox %s)\n", s.URL(), s.Upstream(), s.OutboxPath())
	<-ctx.Done()
	if err := s.Close(context.Background()); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	return 0
}
