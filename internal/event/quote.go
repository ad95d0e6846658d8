package event

import (
	"strconv"
	"unicode/utf8"
)

// MaxQuotedRunes is how much of a bad value an error message quotes. A
// value is shown so that the user recognises it, not to echo it back: a
// 100000-character timestamp must not turn into a 100 KB error line.
const MaxQuotedRunes = 100

// Quote returns s quoted for an error message, as strconv.Quote does, but
// cut to MaxQuotedRunes runes ending in '…', followed by its length, when
// it is longer: "2016-07-17T08…" (100000 characters). Every message of
// fluxpd that quotes a caller's value goes through Quote.
func Quote(s string) string {
	n := utf8.RuneCountInString(s)
	if n <= MaxQuotedRunes {
		return strconv.Quote(s)
	}
	cut, _ := TruncateRunes(s, MaxQuotedRunes)
	return strconv.Quote(cut) + " (" + strconv.Itoa(n) + " characters)"
}
