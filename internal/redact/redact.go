// Package redact hides secrets before anything is printed: routing keys are
// masked and URLs lose their userinfo and query string.
package redact

import (
	"net/url"
	"strings"
	"unicode/utf8"
)

// Key masks a routing key so that it can be told apart from others without
// being usable: the first 4 and the last 2 characters stay, the rest become
// '*'. Keys of 8 characters or fewer are masked whole, since showing 6 of
// them would give most of the key away.
func Key(key string) string {
	n := utf8.RuneCountInString(key)
	if n == 0 {
		return ""
	}
	if n <= 8 {
		return strings.Repeat("*", n)
	}
	r := []rune(key)
	return string(r[:4]) + strings.Repeat("*", n-6) + string(r[n-2:])
}

// Unparseable is what URL returns for a URL that does not parse.
const Unparseable = "<unparseable URL>"

// MaxURL bounds the runes of a URL as URL returns it: a script may build a
// URL of any length, and a 100 KB URL would make a 100 KB log line.
const MaxURL = 200

// URL returns rawURL without userinfo, query string and fragment, so that a
// URL can be shown in an error without leaking credentials or tokens, cut
// to MaxURL runes (ending in "…"). A URL that does not parse is replaced by
// a fixed placeholder rather than echoed.
func URL(rawURL string) string {
	u, err := url.Parse(rawURL)
	if err != nil {
		return Unparseable
	}
	u.User = nil
	u.RawQuery = ""
	u.ForceQuery = false
	u.Fragment = ""
	u.RawFragment = ""
	return cut(u.String(), MaxURL)
}

// cut is s cut to max runes, ending in "…" when cut.
func cut(s string, max int) string {
	if len(s) <= max { // fewer bytes than max: fewer runes too
		return s
	}
	r := []rune(s)
	if len(r) <= max {
		return s
	}
	return string(r[:max-1]) + "…"
}

// minSecretLen is the shortest secret String masks inside other text.
// Replacing every "k" of a message because a test used the routing key "k"
// would garble it without protecting anything: real routing keys have 32
// characters.
const minSecretLen = 6

// String replaces every occurrence of each secret in s by its masked form.
// It is the last line of defence for text that may quote a secret, such as
// an error from a third-party library. Secrets shorter than 6 characters are
// left alone.
func String(s string, secrets ...string) string {
	for _, secret := range secrets {
		if len(secret) >= minSecretLen {
			s = strings.ReplaceAll(s, secret, Key(secret))
		}
	}
	return s
}
