package delivery

import (
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/fluxpd/fluxpd/internal/event"
	"github.com/fluxpd/fluxpd/internal/redact"
)

// PagerDuty's Events API v2 URLs, where alert and change events go unless
// a host or a script says otherwise: the package's defaults
// (pagerduty.DefaultURL and DefaultChangeURL are these), fluxpd send's,
// and the examples of CheckURL's messages.
const (
	DefaultURL       = "https://events.pagerduty.com/v2/enqueue"
	DefaultChangeURL = "https://events.pagerduty.com/v2/change/enqueue"
)

// errNoScheme is the cause for a value without a scheme. Such a value is
// never shown: it is more likely a routing key passed as the URL (two
// string parameters swapped) than a URL with a typo.
var errNoScheme = errors.New("it has no scheme (not shown in case it is a secret); it must start with http:// or https://")

// checkURL is the one URL check of fluxpd, used by CheckURL and by
// Sender.Send: raw must be an absolute http or https URL with a host and, if
// it names a port, a port from 1 to 65535. The error is the cause alone; it
// never quotes raw (its scheme and port at most).
func checkURL(raw string) (*url.URL, error) {
	if raw == "" {
		return nil, errors.New("the URL is empty")
	}
	u, err := url.Parse(raw)
	if err != nil {
		return nil, stripURL(err)
	}
	switch {
	case u.Scheme == "":
		return nil, errNoScheme
	case u.Scheme != "http" && u.Scheme != "https":
		return nil, fmt.Errorf("scheme must be http or https, was %s", event.Quote(u.Scheme))
	case u.Host == "":
		return nil, errors.New("host is empty")
	}
	if p := u.Port(); p != "" {
		if n, err := strconv.Atoi(p); err != nil || n < 1 || n > 65535 {
			return nil, fmt.Errorf("port %s is out of range (1 to 65535)", event.Quote(p))
		}
	}
	return u, nil
}

// CheckURL reports whether raw, the value of the URL parameter param, is
// an acceptable PagerDuty URL: an absolute http or https URL with a host
// and a valid port, if any. The error names param and gives example (the
// parameter's own default, such as DefaultURL or DefaultChangeURL) as a
// valid value. It shows raw without userinfo and query string and quoted
// to at most about 100 characters, and not at all when raw has no scheme
// (it may be a routing key passed by mistake). Sender.Send applies the same
// check, so a URL that passes CheckURL is never an invalid-URL error there.
func CheckURL(param, raw, example string) error {
	_, err := ParseTarget(param, raw, example)
	return err
}

// urlError is the error of CheckURL and ParseTarget for raw, which
// checkURL refused for err.
func urlError(param, raw, example string, err error) error {
	switch {
	case raw == "":
		return fmt.Errorf("%s is empty; set it to an absolute http or https URL such as %s", param, example)
	case errors.Is(err, errNoScheme):
		return fmt.Errorf("%s must be an absolute http or https URL such as %s; got a value without a scheme (not shown in case it is a secret)", param, example)
	}
	return fmt.Errorf("%s must be an absolute http or https URL such as %s; got %s (%v)", param, example, shownURL(raw), err)
}

// shownURL is raw as errors may show it: redacted and quoted in short.
// redact.URL cuts a long URL to redact.MaxURL characters, so the length
// Quote would give of a cut one is not the URL's: it is said as a bound.
func shownURL(raw string) string {
	r := redact.URL(raw)
	switch {
	case r == redact.Unparseable:
		return r
	case utf8.RuneCountInString(r) == redact.MaxURL && strings.HasSuffix(r, "…"):
		start, _ := event.TruncateRunes(r, event.MaxQuotedRunes)
		return fmt.Sprintf("%s (more than %d characters)", strconv.Quote(start), redact.MaxURL)
	}
	return event.Quote(r)
}
