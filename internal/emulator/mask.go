package emulator

import (
	"log"
	"net/http"
	"os"
	"slices"
	"strings"

	"github.com/fluxpd/fluxpd/internal/redact"
)

// This file masks what a client chose outside the body, where a routing key
// may sit by mistake: the request path (senders of other APIs put the key
// there, as in /v2/enqueue/<key> or /integration/<key>.json) and the method
// (a key pasted into the wrong field of a tool). The body's key is masked
// in views.go and body.go.

// minKeyLikeLen is the shortest run of key-like characters maskKeyLike
// treats as a possible routing key: integration keys have 32 characters,
// and a key cut or padded by mistake is still a secret.
const minKeyLikeLen = 16

// maxMethodShown caps an unknown method as recorded and printed (in
// characters), so that a long string sent as the method cannot fill a log
// line.
const maxMethodShown = 16

// knownMethods are the methods of RFC 9110 and PATCH: recorded as they are.
var knownMethods = []string{
	http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch,
	http.MethodDelete, http.MethodConnect, http.MethodOptions, http.MethodTrace,
}

// maskKeyLike replaces, anywhere in s, every run of at least minKeyLikeLen
// key-like characters (ASCII letters, digits, '-' and '_') by its
// redact.Key form. Whatever separates the run (a '/', a '.', a ';', a '=')
// does not matter: /x/<key>.json and /x;<key> are masked alike.
func maskKeyLike(s string) string {
	var b strings.Builder
	start := -1 // the start of the current run, or -1 outside one
	flush := func(end int) {
		if run := s[start:end]; len(run) >= minKeyLikeLen {
			b.WriteString(redact.Key(run))
		} else {
			b.WriteString(run)
		}
		start = -1
	}
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case keyLikeByte(c) && start < 0:
			start = i
		case !keyLikeByte(c):
			if start >= 0 {
				flush(i)
			}
			b.WriteByte(c)
		}
	}
	if start >= 0 {
		flush(len(s))
	}
	return b.String()
}

func keyLikeByte(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-' || c == '_'
}

// maskPath masks every possible routing key in the path of a request (see
// maskKeyLike) and cuts it to a readable length.
func maskPath(p string) string {
	return shorten(maskKeyLike(p))
}

// safeMethod returns a request's method as the emulator records, prints
// and answers it. The known methods stay as they are, and so does a short
// word of ASCII letters (PROPFIND, PURGE), too short to be a routing key.
// Anything else, which may be a routing key sent as the method, is masked
// whole with redact.Key and cut to maxMethodShown characters.
func safeMethod(m string) string {
	if slices.Contains(knownMethods, m) || (len(m) < minKeyLikeLen && lettersOnly(m)) {
		return m
	}
	r := []rune(redact.Key(m))
	if len(r) <= maxMethodShown {
		return string(r)
	}
	return string(r[:maxMethodShown-1]) + "…"
}

func lettersOnly(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z') {
			return false
		}
	}
	return s != ""
}

// errorLog returns the logger of the emulator's http.Server, for errors
// net/http reports itself (a failed accept, a handler's panic): each line
// goes to Options.Log with possible routing keys masked, or to standard
// error when Log is nil, as net/http's own logger would.
func (e *Emulator) errorLog() *log.Logger {
	return log.New(maskingWriter{e}, "", 0)
}

type maskingWriter struct{ e *Emulator }

func (w maskingWriter) Write(p []byte) (int, error) {
	line := maskKeyLike(strings.TrimSuffix(string(p), "\n"))
	if w.e.opts.Log == nil {
		_, err := os.Stderr.WriteString("fluxpd emulator: " + line + "\n")
		return len(p), err
	}
	w.e.logf("%s", line)
	return len(p), nil
}
