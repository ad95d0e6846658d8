// Package secrets looks up secrets such as PagerDuty routing keys for
// secrets.get(key:): first in an optional secrets file, then in the
// environment. Errors name a secret, never show its value.
//
// Store satisfies flux's secret.Service interface by its method set, so
// this package needs no Flux import.
package secrets

import (
	"context"
	"fmt"
	"os"
	"strings"
	"sync"

	"github.com/fluxpd/fluxpd/internal/redact"
)

// Store looks secrets up in a file's entries, then in the environment.
type Store struct {
	// File holds the entries of the secrets file, if one was given.
	File map[string]string
	// FileName names the secrets file in errors; "" when there is none.
	FileName string
	// FileHint says how a user gives a secrets file, for the hint of a
	// missing secret; "" means fluxpd run's "--secrets FILE".
	FileHint string
	// LookupEnv reads the environment; nil means os.LookupEnv. Set it to a
	// function that finds nothing to turn the environment off.
	LookupEnv func(string) (string, bool)

	mu     sync.Mutex
	handed map[string]bool
}

// LoadSecret returns the secret called key.
func (s *Store) LoadSecret(_ context.Context, key string) (string, error) {
	if v, ok := s.File[key]; ok {
		return s.remember(v), nil
	}
	lookup := s.LookupEnv
	if lookup == nil {
		lookup = os.LookupEnv
	}
	if v, ok := lookup(key); ok {
		return s.remember(v), nil
	}
	hint := s.FileHint
	if hint == "" {
		hint = "--secrets FILE"
	}
	return "", &NotFoundError{Key: key, FileName: s.FileName, FileHint: hint}
}

// NotFoundError reports a secret found nowhere, and where fluxpd looked.
type NotFoundError struct {
	Key      string
	FileName string
	FileHint string // how to give a secrets file, e.g. "--secrets FILE"
}

func (e *NotFoundError) Error() string {
	where := "the environment variable " + e.Key
	if e.FileName != "" {
		where = "the secrets file " + e.FileName + " and " + where
	}
	hint := "set it, e.g. export " + e.Key + "=..., or give a secrets file with " + e.FileHint + " holding a line " + e.Key + "=..."
	return fmt.Sprintf("secret %q not found: looked in %s (hint: %s)", e.Key, where, hint)
}

// Handed returns every secret value LoadSecret has handed out so far, so
// that output can be masked before it is printed.
func (s *Store) Handed() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]string, 0, len(s.handed))
	for v := range s.handed {
		out = append(out, v)
	}
	return out
}

// Mask returns text with every secret the store has handed out masked.
func (s *Store) Mask(text string) string {
	return redact.String(text, s.Handed()...)
}

func (s *Store) remember(v string) string {
	if strings.TrimSpace(v) == "" {
		return v
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.handed == nil {
		s.handed = make(map[string]bool)
	}
	s.handed[v] = true
	return v
}
