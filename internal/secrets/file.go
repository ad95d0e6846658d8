package secrets

import (
	"bufio"
	"fmt"
	"io"
	"io/fs"
	"os"
	"regexp"
	"strings"
)

// validName is what a secret may be called: the same as an environment
// variable name, so one name works in both places.
var validName = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

// Parse reads a secrets file: one KEY=value per line; blank lines and lines
// starting with # are ignored; the value is everything after the first '='
// (spaces around the key and '=' are trimmed), optionally in matching
// single or double quotes. name labels errors, which give the line number
// and never the value.
func Parse(name string, r io.Reader) (map[string]string, error) {
	entries := make(map[string]string)
	sc := bufio.NewScanner(r)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		key, value, ok := strings.Cut(line, "=")
		key = strings.TrimSpace(strings.TrimPrefix(key, "export "))
		switch {
		case !ok:
			return nil, fmt.Errorf("secrets file %s: line %d: expected KEY=value, found no '='", name, n)
		case !validName.MatchString(key):
			return nil, fmt.Errorf("secrets file %s: line %d: %q is not a valid secret name (letters, digits and _, not starting with a digit)", name, n, key)
		}
		if _, dup := entries[key]; dup {
			return nil, fmt.Errorf("secrets file %s: line %d: %s is defined twice", name, n, key)
		}
		entries[key] = unquote(strings.TrimSpace(value))
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("secrets file %s: %w", name, err)
	}
	return entries, nil
}

func unquote(v string) string {
	if len(v) >= 2 && (v[0] == '"' || v[0] == '\'') && v[len(v)-1] == v[0] {
		return v[1 : len(v)-1]
	}
	return v
}

// Load reads the secrets file at path. warn, when not nil, is told when the
// file is readable or writable by anyone but its owner.
func Load(path string, warn func(string)) (*Store, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("cannot open the secrets file: %w", err)
	}
	defer f.Close()
	if info, err := f.Stat(); err == nil && warn != nil {
		if w := PermissionWarning(path, info.Mode()); w != "" {
			warn(w)
		}
	}
	entries, err := Parse(path, f)
	if err != nil {
		return nil, err
	}
	return &Store{File: entries, FileName: path}, nil
}

// PermissionWarning returns a warning when mode lets anyone but the owner
// read or write the file, and "" otherwise.
func PermissionWarning(path string, mode fs.FileMode) string {
	if mode.Perm()&0o077 == 0 {
		return ""
	}
	return fmt.Sprintf("warning: secrets file %s has permissions %04o; anyone but its owner may read it (fix: chmod 600 %s)", path, mode.Perm(), path)
}
