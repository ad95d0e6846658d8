// Command fluxpd runs Flux scripts with fluxpd's native pagerduty package
// against a built-in PagerDuty emulator, sends test events to check an
// integration, and serves that emulator on its own.
//
// Usage:
//
//	fluxpd run [flags] FILE.flux   run a script ("-" reads standard input)
//	fluxpd send [flags]            send a test event to check an integration
//	fluxpd emulator [flags]        serve the PagerDuty Events API v2 emulator
//	fluxpd outbox COMMAND [flags]  list, flush, drop or count events queued for redelivery
//	fluxpd relay [flags]           relay the Events API v2 for any sender: validate, store, deliver in order
//	fluxpd version                 print fluxpd's and Flux's versions
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/fluxpd/fluxpd/internal/version"
)

const usage = `fluxpd runs Flux scripts with a native PagerDuty package.

Usage:
  fluxpd run [flags] FILE.flux   run a script ("-" reads standard input)
  fluxpd send [flags]            send a test event to check an integration
  fluxpd emulator [flags]        serve the PagerDuty Events API v2 emulator
  fluxpd outbox COMMAND [flags]  list, flush, drop or count events queued for redelivery
  fluxpd relay [flags]           relay the Events API v2 for any sender: validate, store, deliver in order
  fluxpd version                 print fluxpd's and Flux's versions

Run "fluxpd COMMAND -h" for the flags of a command.
`

// errUsage marks a command-line mistake; the usage has been printed.
var errUsage = errors.New("usage")

// exitNotAccepted is fluxpd run's exit code when the script ran but an
// event was not accepted (errNotAccepted).
const exitNotAccepted = 3

// Exit codes of a command stopped by a signal, as shells report them.
const (
	exitInterrupted = 130 // 128 + SIGINT
	exitTerminated  = 143 // 128 + SIGTERM
)

func main() {
	args := os.Args[1:]
	ctx, cancel := context.WithCancel(context.Background())
	sigs := make(chan os.Signal, 2)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	done := make(chan int, 1)
	go func() { done <- run(ctx, args, os.Stdin, os.Stdout, os.Stderr) }()
	// Only "fluxpd run" exits at once on SIGTERM: the emulator stops
	// gracefully on it, as servers do.
	hardTerm := len(args) > 0 && args[0] == "run"
	os.Exit(waitCommand(done, sigs, cancel, hardTerm, os.Stderr))
}

// waitCommand waits for the command running in the background to finish and
// returns its exit code, unless signals stop it first. The command runs in a
// goroutine because Flux's start-up and type inference do not watch the
// context: a signal must not wait for them.
//
// The first SIGINT cancels the command's context (graceful: a running query
// stops, the emulator prints its summary). A second signal, or SIGTERM when
// hardTerm, returns at once with 130 (SIGINT) or 143 (SIGTERM).
func waitCommand(done <-chan int, sigs <-chan os.Signal, cancel context.CancelFunc, hardTerm bool, stderr io.Writer) int {
	stopping := false
	for {
		select {
		case code := <-done:
			return code
		case sig := <-sigs:
			if !stopping && (sig != syscall.SIGTERM || !hardTerm) {
				stopping = true
				cancel()
				fmt.Fprintln(stderr, "fluxpd: stopping (interrupt again to quit at once)")
				continue
			}
			cancel()
			if sig == syscall.SIGTERM {
				fmt.Fprintln(stderr, "fluxpd: terminated (SIGTERM); exiting at once")
				return exitTerminated
			}
			fmt.Fprintln(stderr, "fluxpd: interrupted again; exiting at once")
			return exitInterrupted
		}
	}
}

// run dispatches to a command and turns its error into an exit code:
// 0 success, 1 failure, 2 command-line mistake, 3 events not accepted
// (errNotAccepted), 130 stopped by a cancelled ctx (a first Ctrl-C).
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return 2
	}
	var err error
	switch args[0] {
	case "run":
		err = runCommand(ctx, args[1:], stdin, stdout, stderr)
	case "send":
		err = sendCommand(ctx, args[1:], stdout, stderr)
	case "emulator":
		err = emulatorCommand(ctx, args[1:], stdout, stderr)
	case "outbox":
		err = outboxCommand(ctx, args[1:], stdout, stderr)
	case "relay":
		err = relayCommand(ctx, args[1:], stdout, stderr)
	case "version":
		err = versionCommand(args[1:], stdout, stderr)
	case "help", "-h", "-help", "--help":
		fmt.Fprint(stdout, usage)
	default:
		fmt.Fprintf(stderr, "fluxpd: unknown command %q\n\n%s", args[0], usage)
		return 2
	}
	switch {
	case err == nil:
		return 0
	case errors.Is(err, flag.ErrHelp):
		return 0
	case errors.Is(err, errUsage):
		return 2
	case errors.As(err, new(errNotAccepted)):
		fmt.Fprintf(stderr, "fluxpd: %v\n", err)
		return exitNotAccepted
	case ctx.Err() != nil:
		if !errors.Is(err, context.Canceled) && !strings.Contains(err.Error(), context.Canceled.Error()) {
			fmt.Fprintf(stderr, "fluxpd: %v\n", err)
		}
		fmt.Fprintln(stderr, "fluxpd: interrupted")
		return exitInterrupted
	default:
		fmt.Fprintf(stderr, "fluxpd: %v\n", err)
		return 1
	}
}

// versionCommand implements "fluxpd version".
func versionCommand(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("fluxpd version", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "Usage: fluxpd version\n\nPrints fluxpd's version and the version of Flux it is built with.")
	}
	rest, err := parseInterspersed(fs, args, stdout)
	if err != nil {
		return err
	}
	if err := wantArgs(stderr, "version", "nothing to add", rest, 0); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "fluxpd %s (flux %s)\n", version.Version, version.Flux())
	return nil
}
