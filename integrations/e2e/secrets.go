package e2e

// Checking that no routing key was written where people read.

import (
	"bytes"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/fluxpd/fluxpd/internal/redact"
)

// NoSecrets checks that none of secrets appears in the files at paths
// (files, or directories read whole). It returns how many files it read;
// its error names each file a secret appears in and the secret masked,
// never the secret.
func NoSecrets(paths []string, secrets ...string) (int, error) {
	var leaks []string
	n := 0
	for _, root := range paths {
		err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return err
			}
			b, err := os.ReadFile(path)
			if err != nil {
				return err
			}
			n++
			for _, s := range secrets {
				if s != "" && bytes.Contains(b, []byte(s)) {
					leaks = append(leaks, fmt.Sprintf("%s holds the routing key %s", path, redact.Key(s)))
				}
			}
			return nil
		})
		if err != nil {
			return n, err
		}
	}
	if len(leaks) > 0 {
		slices.Sort(leaks)
		return n, fmt.Errorf("%s", strings.Join(leaks, "\n"))
	}
	return n, nil
}
