package event_test

import (
	"strings"
	"testing"

	"github.com/fluxpd/fluxpd/internal/event"
)

// keyRule is the end of every message about a damaged 32-character key,
// copied from routingkey.go so that a change of wording is deliberate.
const keyRule = "an integration key is 32 printable ASCII characters (letters and digits) without white space"

// TestBuild_RoutingKeyCharacters refuses 32-character keys that PagerDuty
// cannot hold, with a message saying what is wrong and never showing the
// key, for alert and change events alike.
func TestBuild_RoutingKeyCharacters(t *testing.T) {
	const base = "0123456789abcdef0123456789abcdef" // a valid key to damage
	tests := []struct {
		name, key, want string
	}{
		{"leading space", " " + base[1:], "routingKey starts or ends with white space; " + keyRule +
			" (hint: a key read from a file or copied from a page often brings a newline or a space along)"},
		{"trailing newline", base[:31] + "\n", "routingKey starts or ends with white space; " + keyRule +
			" (hint: a key read from a file or copied from a page often brings a newline or a space along)"},
		{"leading no-break space", "\u00a0" + base[1:], "routingKey starts or ends with white space; " + keyRule +
			" (hint: a key read from a file or copied from a page often brings a newline or a space along)"},
		{"NUL", base[:16] + "\x00" + base[17:], "routingKey contains a control character (U+0000) at character 17 of 32; " + keyRule},
		{"trailing NUL", base[:31] + "\x00", "routingKey contains a control character (U+0000) at character 32 of 32; " + keyRule},
		{"tab inside", base[:5] + "\t" + base[6:], "routingKey contains a control character (U+0009) at character 6 of 32; " + keyRule},
		{"DEL", "\x7f" + base[1:], "routingKey contains a control character (U+007F) at character 1 of 32; " + keyRule},
		{"escape", base[:10] + "\x1b" + base[11:], "routingKey contains a control character (U+001B) at character 11 of 32; " + keyRule},
		{"C1 control inside", base[:3] + "\u0085" + base[4:], "routingKey contains a control character (U+0085) at character 4 of 32; " + keyRule},
		{"32 é", strings.Repeat("é", 32), "routingKey contains non-ASCII characters (it is 32 characters but 64 bytes); " + keyRule},
		{"one é", base[:31] + "é", "routingKey contains non-ASCII characters (it is 32 characters but 33 bytes); " + keyRule},
		{"emoji", "🙂" + base[1:], "routingKey contains non-ASCII characters (it is 32 characters but 35 bytes); " + keyRule},
		{"space inside", base[:16] + " " + base[17:], "routingKey contains a space at character 17 of 32; " + keyRule},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if n := len([]rune(tt.key)); n != event.RoutingKeyRunes {
				t.Fatalf("the test key has %d characters, want %d", n, event.RoutingKeyRunes)
			}
			_, _, err := event.Build(with(trigger(), func(in *event.Input) { in.RoutingKey = tt.key }))
			checkKeyError(t, "Build", err, tt.want, tt.key)
			_, _, err = event.BuildChange(event.ChangeInput{RoutingKey: tt.key, Summary: "Deployed api v1.4.2"})
			checkKeyError(t, "BuildChange", err, tt.want, tt.key)
		})
	}
}

func checkKeyError(t *testing.T, fn string, err error, want, key string) {
	t.Helper()
	if err == nil {
		t.Fatalf("%s accepted the key, want %q", fn, want)
	}
	if got := err.Error(); got != want {
		t.Errorf("%s error:\ngot  %q\nwant %q", fn, got, want)
	}
	if strings.Contains(err.Error(), strings.TrimSpace(key)) {
		t.Errorf("%s error shows the key: %q", fn, err)
	}
}

// TestBuild_RoutingKeyPrintable accepts every printable ASCII character
// other than the space, as the emulator does.
func TestBuild_RoutingKeyPrintable(t *testing.T) {
	for _, key := range []string{"0123456789ABCDEFGHIJKLMNOPQRSTUV", "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~"} {
		if _, _, err := event.Build(with(trigger(), func(in *event.Input) { in.RoutingKey = key })); err != nil {
			t.Errorf("Build refused a key of printable ASCII characters: %v", err)
		}
	}
}
