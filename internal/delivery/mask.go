package delivery

import (
	"net/url"
	"slices"
	"strings"

	"github.com/fluxpd/fluxpd/internal/redact"
)

// mask hides what one Send was handed, in everything the Send returns:
// the request body (replaced whole), the raw URL (replaced by its redacted
// form), the URL's password, user name and query string, and the secrets
// passed to Send. It finds nothing by itself: a routing key that the
// caller did not pass is not masked.
//
// It does no work for text that holds none of them, such as the answer to
// an accepted event: each part is looked for before it is replaced, and
// the redacted URL is made only when the raw URL is found.
type mask struct {
	raw     string
	u       *url.URL // raw parsed; nil when raw does not parse
	body    []byte
	secrets []string // the caller's
}

// newMask returns the mask of a Send to raw, parsed as u (nil: parsed
// here if it can be).
func newMask(raw string, u *url.URL, body []byte, secrets []string) mask {
	if u == nil {
		u, _ = url.Parse(raw)
	}
	return mask{raw: raw, u: u, body: body, secrets: secrets}
}

// apply returns text with everything m hides masked.
func (m *mask) apply(text string) string {
	if text == "" {
		return text
	}
	if len(m.body) > 0 && len(text) >= len(m.body) && strings.Contains(text, string(m.body)) {
		text = strings.ReplaceAll(text, string(m.body), "<request body>")
	}
	if m.raw != "" && strings.Contains(text, m.raw) {
		if redacted := redact.URL(m.raw); redacted != m.raw {
			text = strings.ReplaceAll(text, m.raw, redacted)
		}
	}
	for _, s := range m.secrets {
		text = maskSecret(text, s, minSecret)
	}
	if m.u != nil {
		text = maskSecret(text, m.u.RawQuery, minURLSecret)
		if m.u.User != nil {
			p, _ := m.u.User.Password()
			text = maskSecret(text, m.u.User.Username(), minURLSecret)
			text = maskSecret(text, p, minURLSecret)
		}
	}
	return text
}

// detached returns the func an *Error keeps to mask its text: m with its
// own copy of the caller's secrets, which the caller may reuse after Send
// returns. It is a func, not a list of secrets, so that printing an *Error
// with %#v cannot show them.
func (m *mask) detached() func(string) string {
	cp := *m
	cp.secrets = slices.Clone(m.secrets)
	return cp.apply
}

// minSecret is the shortest secret of the caller's that is masked, as
// redact.String masks none shorter.
const minSecret = 6

// minURLSecret is the shortest URL part masked wherever it appears: the
// URL itself is already redacted, and masking every "pw" or "a=1" in a
// message would garble it.
const minURLSecret = 6

// maskSecret masks secret in text, as redact.String does, if it is at
// least min bytes long and text holds it.
func maskSecret(text, secret string, min int) string {
	if len(secret) < min || !strings.Contains(text, secret) {
		return text
	}
	return redact.String(text, secret)
}

// maskResponse masks what an answer may echo, such as a routing key quoted
// in PagerDuty's "errors", since callers show the answer (the _body column).
func maskResponse(r *Response, m *mask) {
	r.Body, r.Message, r.DedupKey = m.apply(r.Body), m.apply(r.Message), m.apply(r.DedupKey)
	for i, s := range r.Errors {
		r.Errors[i] = m.apply(s)
	}
}
