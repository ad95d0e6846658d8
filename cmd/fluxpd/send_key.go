package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/fluxpd/fluxpd/internal/secrets"
)

// routingKey is the routing key of "fluxpd send" and where it came from.
type routingKey struct {
	value string
	// from names the source for messages, such as
	// "--routing-key-file pd.key"; never the key.
	from string
	// store has handed the key out, so that every output masked with it
	// hides the key.
	store *secrets.Store
}

// noEnv is a LookupEnv that finds nothing: a --secrets file is read
// alone, so that a test of the file never sends the environment's key.
func noEnv(string) (string, bool) { return "", false }

// loadRoutingKey reads the routing key from --routing-key-file, --secrets or
// the environment, in that order of the flags given. The errors say where it
// looked and never show a key. A key given nowhere is a usage error.
func loadRoutingKey(ctx context.Context, f sendFlags, stderr io.Writer) (routingKey, error) {
	warn := func(w string) { fmt.Fprintln(stderr, "fluxpd: "+w) }
	var k routingKey
	switch {
	case f.keyFile != "":
		v, err := readKeyFile(f.keyFile, warn)
		if err != nil {
			return k, err
		}
		k.from = "--routing-key-file " + f.keyFile
		k.store = &secrets.Store{File: map[string]string{f.keyName: v}, FileName: f.keyFile, LookupEnv: noEnv}
	case f.secretsFile != "":
		store, err := secrets.Load(f.secretsFile, warn)
		if err != nil {
			return k, err
		}
		store.LookupEnv = noEnv
		if _, ok := store.File[f.keyName]; !ok {
			return k, fmt.Errorf("no routing key: the secrets file %s (--secrets) has no line %s=...; add one, or name the line holding the key with --key-name (the environment is not read when --secrets is given)", f.secretsFile, f.keyName)
		}
		k.from = "--secrets " + f.secretsFile + " (" + f.keyName + ")"
		k.store = store
	default:
		if v, ok := os.LookupEnv(f.keyName); !ok || v == "" {
			state := "not set"
			if ok {
				state = "empty"
			}
			fmt.Fprintf(stderr, "fluxpd send: no routing key: looked for the environment variable %s, which is %s, as neither --routing-key-file nor --secrets was given; "+
				"give the key with --routing-key-file FILE (the key alone), --secrets FILE (a line %s=...) or export %s=...\n",
				f.keyName, state, f.keyName, f.keyName)
			return k, errUsage
		}
		k.from = "the environment variable " + f.keyName
		k.store = &secrets.Store{}
	}
	v, err := k.store.LoadSecret(ctx, f.keyName) // hands the key out: it is masked from now on
	if err != nil {
		return k, err
	}
	if v == "" {
		return k, fmt.Errorf("the routing key from %s is empty; PagerDuty needs the 32-character integration key of an Events API v2 integration", k.from)
	}
	k.value = v
	return k, nil
}

// readKeyFile returns the content of a --routing-key-file without one
// trailing newline ("\n" or "\r\n"). Any other white space stays, and
// makes the key invalid, as event.Build says: a key is never trimmed.
// A file others may read draws a warning, as a secrets file does.
func readKeyFile(path string, warn func(string)) (string, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return "", fmt.Errorf("cannot read the routing key (--routing-key-file): %w", err)
	}
	if info, err := os.Stat(path); err == nil {
		if w := secrets.PermissionWarning(path, info.Mode()); w != "" {
			warn(strings.Replace(w, "secrets file", "routing key file", 1))
		}
	}
	s := string(b)
	if t, ok := strings.CutSuffix(s, "\n"); ok {
		s = strings.TrimSuffix(t, "\r")
	}
	return s, nil
}
