package emulator_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/fluxpd/fluxpd/internal/emulator"
)

// TestEmulator_RoutingKeyBytes refuses 32-character keys that hold a byte
// no integration key holds, on both events endpoints, saying what is wrong
// without quoting the key.
func TestEmulator_RoutingKeyBytes(t *testing.T) {
	const rule = " (must be 32 printable ASCII characters without white space)"
	tests := []struct{ name, key, want string }{
		{"leading space", " " + key[1:], "'routing_key' has leading or trailing white space" + rule},
		{"trailing newline", key[:31] + "\n", "'routing_key' has leading or trailing white space" + rule},
		{"leading no-break space", "\u00a0" + key[1:], "'routing_key' has leading or trailing white space" + rule},
		{"NUL", key[:16] + "\x00" + key[17:], "'routing_key' contains a control character" + rule},
		{"tab inside", key[:5] + "\t" + key[6:], "'routing_key' contains a control character" + rule},
		{"DEL", "\x7f" + key[1:], "'routing_key' contains a control character" + rule},
		{"32 é", strings.Repeat("é", 32), "'routing_key' contains non-ASCII characters" + rule},
		{"one é", key[:31] + "é", "'routing_key' contains non-ASCII characters" + rule},
		{"space inside", key[:16] + " " + key[17:], "'routing_key' contains a space" + rule},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, c := range []struct{ path, body string }{
				{emulator.EventsPath, trigger(set("routing_key", tt.key))},
				{emulator.ChangePath, change(set("routing_key", tt.key))},
			} {
				e := emulator.New(emulator.Options{})
				res, got := serve(t, e, http.MethodPost, c.path, c.body)
				if res.StatusCode != http.StatusBadRequest {
					t.Errorf("%s: status %d, want 400", c.path, res.StatusCode)
				}
				if diff := cmp.Diff(invalid(tt.want), got); diff != "" {
					t.Errorf("%s: response mismatch (-want +got):\n%s", c.path, diff)
				}
			}
		})
	}
}

// TestEmulator_RoutingKeyPrintable accepts a key of any printable ASCII
// characters other than the space, as the sender does.
func TestEmulator_RoutingKeyPrintable(t *testing.T) {
	e := emulator.New(emulator.Options{})
	printable := "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~"
	if res, got := serve(t, e, http.MethodPost, emulator.EventsPath, trigger(set("routing_key", printable))); res.StatusCode != http.StatusAccepted {
		t.Errorf("status %d, errors %q; want 202", res.StatusCode, got.Errors)
	}
}
