package secrets_test

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/fluxpd/fluxpd/internal/secrets"
)

const key = "0123456789abcdef0123456789abcdef"

func env(m map[string]string) func(string) (string, bool) {
	return func(k string) (string, bool) { v, ok := m[k]; return v, ok }
}

func TestStore_LoadSecret_Order(t *testing.T) {
	s := &secrets.Store{
		File:      map[string]string{"A": "from-file"},
		FileName:  "s.env",
		LookupEnv: env(map[string]string{"A": "from-env", "B": "env-only"}),
	}
	for _, tt := range []struct{ name, key, want string }{
		{name: "file wins over environment", key: "A", want: "from-file"},
		{name: "environment when not in file", key: "B", want: "env-only"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got, err := s.LoadSecret(context.Background(), tt.key)
			if err != nil || got != tt.want {
				t.Errorf("LoadSecret(%q) = %q, %v; want %q", tt.key, got, err, tt.want)
			}
		})
	}
}

func TestStore_LoadSecret_Missing(t *testing.T) {
	tests := []struct {
		name  string
		store *secrets.Store
		want  string
	}{
		{
			name:  "no file",
			store: &secrets.Store{LookupEnv: env(nil)},
			want:  `secret "PAGERDUTY_ROUTING_KEY" not found: looked in the environment variable PAGERDUTY_ROUTING_KEY (hint: set it, e.g. export PAGERDUTY_ROUTING_KEY=..., or give a secrets file with --secrets FILE holding a line PAGERDUTY_ROUTING_KEY=...)`,
		},
		{
			name:  "with file",
			store: &secrets.Store{File: map[string]string{"OTHER": key}, FileName: "my.secrets", LookupEnv: env(nil)},
			want:  `secret "PAGERDUTY_ROUTING_KEY" not found: looked in the secrets file my.secrets and the environment variable PAGERDUTY_ROUTING_KEY (hint: set it, e.g. export PAGERDUTY_ROUTING_KEY=..., or give a secrets file with --secrets FILE holding a line PAGERDUTY_ROUTING_KEY=...)`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := tt.store.LoadSecret(context.Background(), "PAGERDUTY_ROUTING_KEY")
			var nf *secrets.NotFoundError
			if !errors.As(err, &nf) {
				t.Fatalf("error %v is not a *NotFoundError", err)
			}
			if got := err.Error(); got != tt.want {
				t.Errorf("error (-want +got):\n%s", cmp.Diff(tt.want, got))
			}
			if strings.Contains(err.Error(), key) {
				t.Error("the error shows a secret value")
			}
		})
	}
}

func TestParse(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		want    map[string]string
		wantErr string
	}{
		{name: "empty", in: "", want: map[string]string{}},
		{
			name: "entries comments quotes",
			in:   "# comment\n\nA=1\n  B = two words \nexport C=\"quoted = x\"\nD='single'\nE=\n",
			want: map[string]string{"A": "1", "B": "two words", "C": "quoted = x", "D": "single", "E": ""},
		},
		{name: "no equals", in: "A=1\nPAGERDUTY_ROUTING_KEY " + key + "\n", wantErr: "secrets file f: line 2: expected KEY=value, found no '='"},
		{name: "bad name", in: "\n\n1A=x\n", wantErr: `secrets file f: line 3: "1A" is not a valid secret name (letters, digits and _, not starting with a digit)`},
		{name: "duplicate", in: "A=1\nA=" + key + "\n", wantErr: "secrets file f: line 2: A is defined twice"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := secrets.Parse("f", strings.NewReader(tt.in))
			if tt.wantErr != "" {
				if err == nil || err.Error() != tt.wantErr {
					t.Fatalf("error = %v, want %q", err, tt.wantErr)
				}
				if strings.Contains(err.Error(), key) {
					t.Error("the error shows a secret value")
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("Parse() (-want +got):\n%s", diff)
			}
		})
	}
}

func TestLoad_PermissionWarning(t *testing.T) {
	dir := t.TempDir()
	for _, tt := range []struct {
		name string
		mode os.FileMode
		warn bool
	}{
		{name: "owner only", mode: 0o600, warn: false},
		{name: "group readable", mode: 0o640, warn: true},
		{name: "world readable", mode: 0o644, warn: true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(dir, tt.name)
			if err := os.WriteFile(path, []byte("K="+key+"\n"), tt.mode); err != nil {
				t.Fatal(err)
			}
			if err := os.Chmod(path, tt.mode); err != nil { // umask may have narrowed it
				t.Fatal(err)
			}
			var warnings []string
			s, err := secrets.Load(path, func(w string) { warnings = append(warnings, w) })
			if err != nil {
				t.Fatal(err)
			}
			if got, _ := s.LoadSecret(context.Background(), "K"); got != key {
				t.Errorf("K = %q", got)
			}
			if got := len(warnings) > 0; got != tt.warn {
				t.Fatalf("warned = %v (%q), want %v", got, warnings, tt.warn)
			}
			if tt.warn && !strings.Contains(warnings[0], "chmod 600 "+path) {
				t.Errorf("warning %q lacks the fix", warnings[0])
			}
		})
	}
}

func TestMaskWriter(t *testing.T) {
	s := &secrets.Store{LookupEnv: env(map[string]string{"K": key})}
	if _, err := s.LoadSecret(context.Background(), "K"); err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	m := &secrets.MaskWriter{W: &out, Store: s}
	// The secret arrives in pieces and the last line has no newline.
	for _, p := range []string{"a," + key[:10], key[10:] + "\nb,", key} {
		if _, err := m.Write([]byte(p)); err != nil {
			t.Fatal(err)
		}
	}
	if err := m.Flush(); err != nil {
		t.Fatal(err)
	}
	want := "a,0123**************************ef\nb,0123**************************ef"
	if got := out.String(); got != want {
		t.Errorf("masked output (-want +got):\n%s", cmp.Diff(want, got))
	}
}
