package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
)

// parseInterspersed parses args with fs, flags before, between or after
// the positional arguments ("fluxpd run x.flux --format table" works as
// "fluxpd run --format table x.flux"), and returns the positional ones.
// After "--" every argument is positional; "-" alone is positional (standard
// input).
//
// -h, -help and --help print fs's usage on stdout and return flag.ErrHelp;
// any other mistake prints the error and the usage on fs's output (standard
// error) and returns errUsage.
func parseInterspersed(fs *flag.FlagSet, args []string, stdout io.Writer) ([]string, error) {
	if wantsHelp(args) {
		fs.SetOutput(stdout)
		fs.Usage()
		return nil, flag.ErrHelp
	}
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, usageErr(err)
		}
		rest := fs.Args()
		if len(rest) == 0 {
			return pos, nil
		}
		if len(rest) < len(args) && args[len(args)-len(rest)-1] == "--" {
			return append(pos, rest...), nil
		}
		pos = append(pos, rest[0])
		args = rest[1:]
	}
}

// wantsHelp reports whether args ask for help before any "--".
func wantsHelp(args []string) bool {
	for _, a := range args {
		switch a {
		case "--":
			return false
		case "-h", "-help", "--help":
			return true
		}
	}
	return false
}

// usageErr turns a flag package error into errUsage (the flag package has
// printed it), keeping flag.ErrHelp.
func usageErr(err error) error {
	if errors.Is(err, flag.ErrHelp) {
		return err
	}
	return errUsage
}

// wantArgs checks the number of positional arguments, saying what is wrong
// on w.
func wantArgs(w io.Writer, command, what string, got []string, n int) error {
	if len(got) == n {
		return nil
	}
	switch {
	case len(got) < n:
		fmt.Fprintf(w, "fluxpd %s: missing %s\n", command, what)
	case n == 0:
		fmt.Fprintf(w, "fluxpd %s: takes no arguments (%s); got %s\n", command, what, strings.Join(got, " "))
	default:
		fmt.Fprintf(w, "fluxpd %s: takes %d argument%s (%s); got %d: %s\n", command, n, plural(n), what, len(got), strings.Join(got, " "))
	}
	return errUsage
}
