package redact_test

import (
	"strings"
	"testing"

	"github.com/fluxpd/fluxpd/internal/redact"
)

func TestKey(t *testing.T) {
	tests := []struct {
		name, key, want string
	}{
		{name: "empty", key: "", want: ""},
		{name: "short", key: "abcd", want: "****"},
		{name: "eight", key: "abcdefgh", want: "********"},
		{name: "nine", key: "abcdefghi", want: "abcd***hi"},
		{name: "integration key", key: "0123456789abcdef0123456789abcdef", want: "0123**************************ef"},
		{name: "runes", key: "ééééééééééé", want: "éééé*****éé"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := redact.Key(tt.key); got != tt.want {
				t.Errorf("Key(%q) = %q, want %q", tt.key, got, tt.want)
			}
		})
	}
}

func TestURL(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{name: "plain", in: "https://events.pagerduty.com/v2/enqueue", want: "https://events.pagerduty.com/v2/enqueue"},
		{name: "userinfo", in: "https://user:pass@example.com/x", want: "https://example.com/x"},
		{name: "query and fragment", in: "http://127.0.0.1:1/v2/enqueue?token=secret#frag", want: "http://127.0.0.1:1/v2/enqueue"},
		{name: "unparseable", in: "http://[::1", want: "<unparseable URL>"},
		{name: "at the bound", in: "http://h/" + strings.Repeat("p", redact.MaxURL-len("http://h/")), want: "http://h/" + strings.Repeat("p", redact.MaxURL-len("http://h/"))},
		{name: "100 KB", in: "http://h/" + strings.Repeat("é", 50_000) + "?k=v", want: "http://h/" + strings.Repeat("%C3%A9", (redact.MaxURL-len("http://h/")-1)/6) + "%C3%…"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := redact.URL(tt.in); got != tt.want {
				t.Errorf("URL(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestString(t *testing.T) {
	const key = "0123456789abcdef0123456789abcdef"
	got := redact.String("dial failed for "+key+" twice "+key, key, "")
	want := "dial failed for 0123**************************ef twice 0123**************************ef"
	if got != want {
		t.Errorf("String() = %q, want %q", got, want)
	}
}

func TestString_ShortSecretsLeftAlone(t *testing.T) {
	if got := redact.String("lookup failed", "k"); got != "lookup failed" {
		t.Errorf("String() = %q, want the text unchanged", got)
	}
}
