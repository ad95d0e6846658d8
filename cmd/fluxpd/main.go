// Command fluxpd runs Flux scripts with fluxpd's native pagerduty package
// against a built-in PagerDuty emulator, and serves that emulator on its own.
//
// Usage:
//
//	fluxpd run [flags] FILE.flux   run a script ("-" reads standard input)
//	fluxpd emulator [flags]        serve the PagerDuty Events API v2 emulator
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
	"syscall"

	"github.com/fluxpd/fluxpd/internal/version"
)

const usage = `fluxpd runs Flux scripts with a native PagerDuty package.

Usage:
  fluxpd run [flags] FILE.flux   run a script ("-" reads standard input)
  fluxpd emulator [flags]        serve the PagerDuty Events API v2 emulator
  fluxpd version                 print fluxpd's and Flux's versions

Run "fluxpd COMMAND -h" for the flags of a command.
`

// errUsage marks a command-line mistake; the usage has been printed.
var errUsage = errors.New("usage")

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// run dispatches to a command and turns its error into an exit code:
// 0 success, 1 failure, 2 command-line mistake.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return 2
	}
	var err error
	switch args[0] {
	case "run":
		err = runCommand(ctx, args[1:], stdin, stdout, stderr)
	case "emulator":
		err = emulatorCommand(ctx, args[1:], stdout, stderr)
	case "version":
		fmt.Fprintf(stdout, "fluxpd %s (flux %s)\n", version.Version, version.Flux())
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
	default:
		fmt.Fprintf(stderr, "fluxpd: %v\n", err)
		return 1
	}
}
