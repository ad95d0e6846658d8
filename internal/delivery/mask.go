package delivery

import (
	"net/url"
	"slices"
	"strings"

	"github.com/fluxpd/fluxpd/internal/redact"
)

// newMask returns the func that hides what one Send was handed, in
// everything the Send returns: the request body (replaced whole), the raw
// URL (replaced by its redacted form), the URL's password, user name and
// query string, and the secrets passed to Send. It finds nothing by itself:
// a routing key that the caller did not pass is not masked.
//
// It is a func, not a list of secrets, so that printing an *Error with %#v
// cannot show them.
func newMask(rawURL string, body []byte, secrets []string) func(string) string {
	secrets = slices.Clone(secrets)
	if u, err := url.Parse(rawURL); err == nil {
		secrets = appendLong(secrets, u.RawQuery)
		if u.User != nil {
			p, _ := u.User.Password()
			secrets = appendLong(secrets, u.User.Username(), p)
		}
	}
	redacted := redact.URL(rawURL)
	return func(text string) string {
		if len(body) > 0 && len(text) >= len(body) && strings.Contains(text, string(body)) {
			text = strings.ReplaceAll(text, string(body), "<request body>")
		}
		if rawURL != "" && rawURL != redacted {
			text = strings.ReplaceAll(text, rawURL, redacted)
		}
		return redact.String(text, secrets...)
	}
}

// minURLSecret is the shortest URL part masked wherever it appears: the
// URL itself is already redacted, and masking every "pw" or "a=1" in a
// message would garble it.
const minURLSecret = 6

func appendLong(secrets []string, parts ...string) []string {
	for _, p := range parts {
		if len(p) >= minURLSecret {
			secrets = append(secrets, p)
		}
	}
	return secrets
}

// maskResponse masks what an answer may echo, such as a routing key quoted
// in PagerDuty's "errors", since callers show the answer (the _body column).
func maskResponse(r *Response, mask func(string) string) {
	r.Body, r.Message, r.DedupKey = mask(r.Body), mask(r.Message), mask(r.DedupKey)
	for i, s := range r.Errors {
		r.Errors[i] = mask(s)
	}
}
