package e2e

// The subcommand plumbing of both e2echeck programs: dispatch, flag
// parsing, and the freeport and wait subcommands they both have.

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
)

// Command is one subcommand of an e2echeck program. Run gets the arguments
// after the subcommand's name and prints what it checked on stdout.
type Command struct {
	Name string
	Run  func(args []string) error
}

// ErrUsage is what a Command returns for a misuse it has already reported.
var ErrUsage = errors.New("usage")

// Main runs the subcommand named by os.Args[1] and exits with the status
// Run gives.
func Main(cmds ...Command) {
	os.Exit(Run(os.Args[1:], os.Stderr, cmds...))
}

// Run runs the subcommand named by args[0] with the rest of args and
// returns the exit status: 0 when it succeeds, 1 when it fails (the error
// is written to stderr), 2 on misuse (no or an unknown subcommand,
// flag.ErrHelp or ErrUsage).
func Run(args []string, stderr io.Writer, cmds ...Command) int {
	names := make([]string, len(cmds))
	for i, c := range cmds {
		names[i] = c.Name
	}
	if len(args) < 1 {
		fmt.Fprintf(stderr, "usage: e2echeck %s [flags]\n", strings.Join(names, "|"))
		return 2
	}
	for _, c := range cmds {
		if c.Name != args[0] {
			continue
		}
		if err := c.Run(args[1:]); err != nil {
			if errors.Is(err, flag.ErrHelp) || errors.Is(err, ErrUsage) {
				return 2
			}
			fmt.Fprintf(stderr, "e2echeck %s: %v\n", c.Name, err)
			return 1
		}
		return 0
	}
	fmt.Fprintf(stderr, "e2echeck: unknown subcommand %q\n", args[0])
	return 2
}

// ParseFlags parses args with fs and reports (on stderr, returning
// ErrUsage) the first of the required flags left empty.
func ParseFlags(fs *flag.FlagSet, args []string, required ...string) error {
	if err := fs.Parse(args); err != nil {
		return err
	}
	for _, name := range required {
		if fs.Lookup(name).Value.String() == "" {
			fmt.Fprintf(os.Stderr, "e2echeck %s: -%s is required\n", fs.Name(), name)
			return ErrUsage
		}
	}
	return nil
}

// FreePortCommand is "e2echeck freeport": print a TCP port that is free on
// 127.0.0.1.
var FreePortCommand = Command{Name: "freeport", Run: func([]string) error {
	port, err := FreePort()
	if err != nil {
		return err
	}
	fmt.Println(port)
	return nil
}}

// WaitCommand is "e2echeck wait -url URL [-timeout D] [-pid PID]": poll
// URL until it answers 2xx; fail after D (default Limit) or when PID exits.
var WaitCommand = Command{Name: "wait", Run: func(args []string) error {
	fs := flag.NewFlagSet("wait", flag.ContinueOnError)
	url := fs.String("url", "", "URL to poll")
	timeout := fs.Duration("timeout", Limit(), "give up after this long (a bound against hangs)")
	pid := fs.Int("pid", 0, "fail early when this process is gone")
	if err := ParseFlags(fs, args, "url"); err != nil {
		return err
	}
	return Wait(*url, *timeout, *pid)
}}
