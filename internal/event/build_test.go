package event_test

import (
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"

	"github.com/fluxpd/fluxpd/internal/event"
)

// routingKey is a made-up 32-character integration key.
const routingKey = "R0123456789abcdef0123456789abcde"

// Error messages of Build, copied from build.go so that a change of wording
// is a deliberate change of these tests.
const (
	errRoutingKey = `routingKey is empty; set it to the integration key of an Events API v2 integration (hint: routingKey: secrets.get(key: "PAGERDUTY_ROUTING_KEY"))`
	errSummary    = "summary is empty; a trigger needs a short description of the problem"
	errSource     = "source is empty; a trigger needs the affected system, preferably a hostname or FQDN"
)

func errAction(got string) string {
	return `eventAction must be one of trigger, acknowledge, resolve; got "` + got + `" (hint: pagerduty.actionFromLevel(level: r._level) maps monitoring levels to actions)`
}

func errSeverity(got string) string {
	return `severity must be one of critical, error, warning, info; got "` + got + `" (hint: pagerduty.severityFromLevel(level: "` + got + `") maps monitoring levels such as crit, warn, info and ok to PagerDuty severities)`
}

func errDedupKeyEmpty(action string) string {
	return "dedupKey is empty; " + action + " needs the dedupKey of the alert it acts on (the one its trigger used or got back)"
}

const errDedupKeyTooLong = "dedupKey is 256 characters long; PagerDuty accepts at most 255 (it is not cut, because a shorter key would address a different alert)"

// trigger returns a valid minimal trigger input.
func trigger() event.Input {
	return event.Input{
		RoutingKey:  routingKey,
		EventAction: "trigger",
		Summary:     "DISK at 99% on prod-datapipe03",
		Source:      "prod-datapipe03.example.com",
		Severity:    "critical",
	}
}

// with returns a copy of in changed by fn.
func with(in event.Input, fn func(*event.Input)) event.Input {
	fn(&in)
	return in
}

func TestBuild(t *testing.T) {
	at := time.Date(2016, 7, 17, 8, 42, 58, 315_000_000, time.FixedZone("CEST", 2*60*60))
	minimalPayload := func() *event.Payload {
		return &event.Payload{Summary: "DISK at 99% on prod-datapipe03", Source: "prod-datapipe03.example.com", Severity: "critical"}
	}
	tests := []struct {
		name string
		in   event.Input
		want *event.Event
	}{
		{
			name: "minimal trigger",
			in:   trigger(),
			want: &event.Event{RoutingKey: routingKey, EventAction: "trigger", Payload: minimalPayload()},
		},
		{
			name: "full trigger",
			in: event.Input{
				RoutingKey: routingKey, EventAction: "trigger", DedupKey: "srv01/HTTP",
				Client: "Sample Monitoring Service", ClientURL: "https://monitoring.example.com",
				Summary: "DISK at 99% on prod-datapipe03", Source: "prod-datapipe03.example.com", Severity: "error",
				Timestamp: event.TimestampAt(at), Component: "mysql", Group: "prod-datapipe", Class: "disk",
				CustomDetails: event.Details{{Key: "ping time", Value: "1500ms"}, {Key: "load avg", Value: 0.75}},
				Links:         []event.Link{{Href: "https://example.com/runbook", Text: "Runbook"}},
				Images:        []event.Image{{Src: "https://example.com/graph.png", Href: "https://example.com", Alt: "graph"}},
			},
			want: &event.Event{
				RoutingKey: routingKey, EventAction: "trigger", DedupKey: "srv01/HTTP",
				Client: "Sample Monitoring Service", ClientURL: "https://monitoring.example.com",
				Payload: &event.Payload{
					Summary: "DISK at 99% on prod-datapipe03", Source: "prod-datapipe03.example.com", Severity: "error",
					Timestamp: "2016-07-17T06:42:58.315Z", Component: "mysql", Group: "prod-datapipe", Class: "disk",
					CustomDetails: event.Details{{Key: "ping time", Value: "1500ms"}, {Key: "load avg", Value: 0.75}},
				},
				Links:  []event.Link{{Href: "https://example.com/runbook", Text: "Runbook"}},
				Images: []event.Image{{Src: "https://example.com/graph.png", Href: "https://example.com", Alt: "graph"}},
			},
		},
		{
			name: "action and severity in upper case",
			in:   with(trigger(), func(in *event.Input) { in.EventAction, in.Severity = "TRIGGER", "Critical" }),
			want: &event.Event{RoutingKey: routingKey, EventAction: "trigger", Payload: minimalPayload()},
		},
		{
			name: "every severity in mixed case",
			in:   with(trigger(), func(in *event.Input) { in.Severity = "wArNiNg" }),
			want: &event.Event{RoutingKey: routingKey, EventAction: "trigger", Payload: func() *event.Payload {
				p := minimalPayload()
				p.Severity = "warning"
				return p
			}()},
		},
		{
			name: "acknowledge has no payload",
			in:   event.Input{RoutingKey: routingKey, EventAction: "Acknowledge", DedupKey: "srv01/HTTP"},
			want: &event.Event{RoutingKey: routingKey, EventAction: "acknowledge", DedupKey: "srv01/HTTP"},
		},
		{
			name: "resolve has no payload",
			in:   event.Input{RoutingKey: routingKey, EventAction: "RESOLVE", DedupKey: "srv01/HTTP"},
			want: &event.Event{RoutingKey: routingKey, EventAction: "resolve", DedupKey: "srv01/HTTP"},
		},
		{
			name: "resolve carries the payload of its trigger",
			in:   with(trigger(), func(in *event.Input) { in.EventAction, in.DedupKey = "resolve", "srv01/HTTP" }),
			want: &event.Event{RoutingKey: routingKey, EventAction: "resolve", DedupKey: "srv01/HTTP", Payload: minimalPayload()},
		},
		{
			name: "acknowledge carries the payload of its trigger, severity in lower case",
			in: with(trigger(), func(in *event.Input) {
				in.EventAction, in.DedupKey, in.Severity, in.Class = "acknowledge", "srv01/HTTP", "Critical", "disk"
				in.Timestamp = event.TimestampAt(at)
			}),
			want: &event.Event{RoutingKey: routingKey, EventAction: "acknowledge", DedupKey: "srv01/HTTP", Payload: func() *event.Payload {
				p := minimalPayload()
				p.Class, p.Timestamp = "disk", "2016-07-17T06:42:58.315Z"
				return p
			}()},
		},
		{
			name: "dedupKey of 255 multi-byte runes",
			in:   with(trigger(), func(in *event.Input) { in.DedupKey = strings.Repeat("é", 255) }),
			want: &event.Event{RoutingKey: routingKey, EventAction: "trigger", DedupKey: strings.Repeat("é", 255), Payload: minimalPayload()},
		},
		{
			name: "image src scheme is case-insensitive",
			in:   with(trigger(), func(in *event.Input) { in.Images = []event.Image{{Src: "HTTPS://example.com/a.png"}} }),
			want: &event.Event{RoutingKey: routingKey, EventAction: "trigger", Payload: minimalPayload(),
				Images: []event.Image{{Src: "HTTPS://example.com/a.png"}}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, notice, err := event.Build(tt.in)
			if err != nil {
				t.Fatalf("Build() error = %v", err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("Build() mismatch (-want +got):\n%s", diff)
			}
			if notice != (event.Notice{}) {
				t.Errorf("Build() notice = %+v, want none", notice)
			}
		})
	}
}

func TestBuild_Errors(t *testing.T) {
	tests := []struct {
		name    string
		in      event.Input
		wantErr string
	}{
		{name: "routingKey empty", in: with(trigger(), func(in *event.Input) { in.RoutingKey = "" }), wantErr: errRoutingKey},
		{name: "routingKey blank", in: with(trigger(), func(in *event.Input) { in.RoutingKey = " \t" }),
			wantErr: "routingKey must be a 32-character integration key; got 2 characters (it starts or ends with white space)"},
		{name: "routingKey of 32 spaces", in: with(trigger(), func(in *event.Input) { in.RoutingKey = strings.Repeat(" ", 32) }),
			wantErr: "routingKey is only white space, not an integration key; PagerDuty refuses a blank key"},
		{name: "routingKey of 31 characters", in: with(trigger(), func(in *event.Input) { in.RoutingKey = routingKey[1:] }),
			wantErr: "routingKey must be a 32-character integration key; got 31 characters"},
		{name: "routingKey of 33 characters", in: with(trigger(), func(in *event.Input) { in.RoutingKey = routingKey + "0" }),
			wantErr: "routingKey must be a 32-character integration key; got 33 characters"},
		{name: "routingKey with a leading space is not trimmed", in: with(trigger(), func(in *event.Input) { in.RoutingKey = " " + routingKey }),
			wantErr: "routingKey must be a 32-character integration key; got 33 characters (it starts or ends with white space)"},
		{name: "eventAction of 100000 characters is quoted in short", in: with(trigger(), func(in *event.Input) { in.EventAction = strings.Repeat("x", 100000) }),
			wantErr: `eventAction must be one of trigger, acknowledge, resolve; got "` + strings.Repeat("x", 99) + `…" (100000 characters) (hint: pagerduty.actionFromLevel(level: r._level) maps monitoring levels to actions)`},
		{name: "resolve with a bad severity is not refused for it", in: with(trigger(), func(in *event.Input) {
			in.EventAction, in.DedupKey, in.Severity, in.Links = "resolve", "", "crit", []event.Link{{}}
		}),
			wantErr: errDedupKeyEmpty("resolve") + "\nlinks[0].href is empty; every link needs an href"},
		{name: "eventAction ack", in: with(trigger(), func(in *event.Input) { in.EventAction = "ack" }), wantErr: errAction("ack")},
		{name: "eventAction empty", in: with(trigger(), func(in *event.Input) { in.EventAction = "" }), wantErr: errAction("")},
		{name: "eventAction with spaces", in: with(trigger(), func(in *event.Input) { in.EventAction = " trigger" }), wantErr: errAction(" trigger")},
		{name: "severity crit", in: with(trigger(), func(in *event.Input) { in.Severity = "crit" }), wantErr: errSeverity("crit")},
		{name: "severity ok", in: with(trigger(), func(in *event.Input) { in.Severity = "ok" }), wantErr: errSeverity("ok")},
		{name: "severity empty", in: with(trigger(), func(in *event.Input) { in.Severity = "" }), wantErr: errSeverity("")},
		{name: "severity keeps the case it was given", in: with(trigger(), func(in *event.Input) { in.Severity = "WARN" }), wantErr: errSeverity("WARN")},
		{name: "summary empty", in: with(trigger(), func(in *event.Input) { in.Summary = "" }), wantErr: errSummary},
		{name: "summary blank", in: with(trigger(), func(in *event.Input) { in.Summary = "  \n" }), wantErr: errSummary},
		{name: "source empty", in: with(trigger(), func(in *event.Input) { in.Source = "" }), wantErr: errSource},
		{
			name:    "dedupKey of 256 runes",
			in:      with(trigger(), func(in *event.Input) { in.DedupKey = strings.Repeat("a", 256) }),
			wantErr: errDedupKeyTooLong,
		},
		{
			name:    "dedupKey of 256 multi-byte runes on resolve",
			in:      event.Input{RoutingKey: routingKey, EventAction: "resolve", DedupKey: strings.Repeat("日", 256)},
			wantErr: errDedupKeyTooLong,
		},
		{
			name:    "acknowledge without dedupKey",
			in:      event.Input{RoutingKey: routingKey, EventAction: "acknowledge"},
			wantErr: errDedupKeyEmpty("acknowledge"),
		},
		{
			name:    "resolve without dedupKey, action in upper case",
			in:      event.Input{RoutingKey: routingKey, EventAction: "RESOLVE"},
			wantErr: errDedupKeyEmpty("resolve"),
		},
		{
			name:    "resolve with a blank dedupKey",
			in:      event.Input{RoutingKey: routingKey, EventAction: "resolve", DedupKey: " \t"},
			wantErr: "dedupKey is blank (only white space); resolve needs the dedupKey of the alert it acts on (the one its trigger used or got back)",
		},
		{
			name:    "link without href",
			in:      with(trigger(), func(in *event.Input) { in.Links = []event.Link{{Href: "https://a"}, {Href: " ", Text: "x"}} }),
			wantErr: "links[1].href is empty; every link needs an href",
		},
		{
			name:    "image over http",
			in:      with(trigger(), func(in *event.Input) { in.Images = []event.Image{{Src: "http://example.com/a.png"}} }),
			wantErr: `images[0].src must be an https URL; got "http://example.com/a.png"`,
		},
		{
			name:    "image without src",
			in:      with(trigger(), func(in *event.Input) { in.Images = []event.Image{{Src: "https://a/b.png"}, {Href: "https://a"}} }),
			wantErr: `images[1].src must be an https URL; got ""`,
		},
		{
			name:    "image with https but no host",
			in:      with(trigger(), func(in *event.Input) { in.Images = []event.Image{{Src: "https://"}} }),
			wantErr: `images[0].src must be an https URL; got "https://"`,
		},
		{
			name:    "image whose host has a space",
			in:      with(trigger(), func(in *event.Input) { in.Images = []event.Image{{Src: "https://graphs example.com/a.png"}} }),
			wantErr: `images[0].src must be an https URL; got "https://graphs example.com/a.png"`,
		},
		{
			name: "image scheme in upper case is accepted",
			in: with(trigger(), func(in *event.Input) {
				in.Images = []event.Image{{Src: "HTTPS://graphs.example.com/a.png"}, {Src: "x"}}
			}),
			wantErr: `images[1].src must be an https URL; got "x"`,
		},
		{
			name: "only the first bad link and image are reported",
			in: with(trigger(), func(in *event.Input) {
				in.Links = []event.Link{{}, {}}
				in.Images = []event.Image{{Src: "ftp://a"}, {Src: "ftp://b"}}
			}),
			wantErr: "links[0].href is empty; every link needs an href\n" + `images[0].src must be an https URL; got "ftp://a"`,
		},
		{
			name: "custom detail NaN",
			in: with(trigger(), func(in *event.Input) {
				in.CustomDetails = event.Details{{Key: "load", Value: nan()}}
			}),
			wantErr: "customDetails.load is NaN, which JSON cannot represent; replace it with null or a number, for example with a conditional in map()",
		},
		{
			name: "every problem of a trigger, in order",
			in: event.Input{
				EventAction: "Trigger", DedupKey: strings.Repeat("k", 256), Severity: "crit",
				Timestamp:     event.TimestampString("yesterday"),
				CustomDetails: event.Details{{Key: "ping time", Value: inf(1)}},
				Links:         []event.Link{{Text: "no href"}},
				Images:        []event.Image{{Src: "http://a"}},
			},
			wantErr: strings.Join([]string{
				errRoutingKey,
				errDedupKeyTooLong,
				errSummary,
				errSource,
				errSeverity("crit"),
				errTimestamp("yesterday"),
				`customDetails["ping time"] is +Inf, which JSON cannot represent; replace it with null or a number, for example with a conditional in map()`,
				"links[0].href is empty; every link needs an href",
				`images[0].src must be an https URL; got "http://a"`,
			}, "\n"),
		},
		{
			// An unknown action cannot tell which fields it needs, so
			// payload fields and the dedupKey rule are not checked.
			name:    "bad action hides payload problems",
			in:      event.Input{RoutingKey: "", EventAction: "ack"},
			wantErr: errRoutingKey + "\n" + errAction("ack"),
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, notice, err := event.Build(tt.in)
			if err == nil {
				t.Fatalf("Build() = %+v, want error %q", got, tt.wantErr)
			}
			if err.Error() != tt.wantErr {
				t.Errorf("Build() error mismatch (-want +got):\n%s", cmp.Diff(tt.wantErr, err.Error()))
			}
			if got != nil || notice != (event.Notice{}) {
				t.Errorf("Build() = %+v, %+v with an error, want nil and no notice", got, notice)
			}
		})
	}
}

func TestBuild_Summary(t *testing.T) {
	tests := []struct {
		name          string
		summary       string
		want          string
		wantTruncated bool
	}{
		{name: "short", summary: "disk full", want: "disk full"},
		{name: "1024 ASCII", summary: strings.Repeat("a", 1024), want: strings.Repeat("a", 1024)},
		{name: "1025 ASCII", summary: strings.Repeat("a", 1025), want: strings.Repeat("a", 1023) + "…", wantTruncated: true},
		{name: "1024 two-byte runes", summary: strings.Repeat("é", 1024), want: strings.Repeat("é", 1024)},
		{name: "1025 two-byte runes", summary: strings.Repeat("é", 1025), want: strings.Repeat("é", 1023) + "…", wantTruncated: true},
		{name: "1025 three-byte runes", summary: strings.Repeat("日", 1025), want: strings.Repeat("日", 1023) + "…", wantTruncated: true},
		{name: "1025 four-byte runes", summary: strings.Repeat("😀", 1025), want: strings.Repeat("😀", 1023) + "…", wantTruncated: true},
		{
			name:    "cut falls inside a multi-byte rune",
			summary: strings.Repeat("a", 1023) + "😀😀",
			want:    strings.Repeat("a", 1023) + "…", wantTruncated: true,
		},
		{
			name:    "mixed widths, far too long",
			summary: "a" + strings.Repeat("é日😀", 2000),
			want:    "a" + strings.Repeat("é日😀", 340) + "é日" + "…", wantTruncated: true,
		},
		{
			name:    "1024 runes ending in an ellipsis stay",
			summary: strings.Repeat("b", 1023) + "…",
			want:    strings.Repeat("b", 1023) + "…",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := with(trigger(), func(in *event.Input) { in.Summary = tt.summary })
			ev, notice, err := event.Build(in)
			if err != nil {
				t.Fatalf("Build() error = %v", err)
			}
			got := ev.Payload.Summary
			if got != tt.want {
				t.Errorf("Build() summary mismatch (-want +got):\n%s", cmp.Diff(tt.want, got))
			}
			if !utf8.ValidString(got) || utf8.RuneCountInString(got) > event.MaxSummaryRunes {
				t.Errorf("Build() summary is %d runes, valid UTF-8 %v; want at most %d runes of valid UTF-8",
					utf8.RuneCountInString(got), utf8.ValidString(got), event.MaxSummaryRunes)
			}
			if want := (event.Notice{SummaryTruncated: tt.wantTruncated}); notice != want {
				t.Errorf("Build() notice = %+v, want %+v", notice, want)
			}
		})
	}
}

func TestTruncateRunes(t *testing.T) {
	tests := []struct {
		name          string
		s             string
		n             int
		want          string
		wantTruncated bool
	}{
		{name: "empty", s: "", n: 3, want: ""},
		{name: "shorter", s: "ab", n: 3, want: "ab"},
		{name: "exact", s: "héllo", n: 5, want: "héllo"},
		{name: "one over", s: "héllo!", n: 5, want: "héll…", wantTruncated: true},
		{name: "cut after a multi-byte rune", s: "hé😀llo", n: 4, want: "hé😀…", wantTruncated: true},
		{name: "room for the ellipsis only", s: "日本", n: 1, want: "…", wantTruncated: true},
		{name: "no room at all", s: "abc", n: 0, want: "", wantTruncated: true},
		{name: "negative", s: "abc", n: -1, want: "", wantTruncated: true},
		{name: "zero of nothing", s: "", n: 0, want: ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, truncated := event.TruncateRunes(tt.s, tt.n)
			if got != tt.want || truncated != tt.wantTruncated {
				t.Errorf("TruncateRunes(%q, %d) = %q, %v; want %q, %v", tt.s, tt.n, got, truncated, tt.want, tt.wantTruncated)
			}
		})
	}
}

// TestBuild_PayloadOmitted covers acknowledge and resolve events whose
// payload fields are incomplete or invalid: they are sent without payload,
// never refused for it, and the notice says why.
func TestBuild_PayloadOmitted(t *testing.T) {
	resolve := func(fn func(*event.Input)) event.Input {
		return with(trigger(), func(in *event.Input) {
			in.EventAction, in.DedupKey = "resolve", "srv01/HTTP"
			fn(in)
		})
	}
	tests := []struct {
		name       string
		in         event.Input
		wantNotice string
	}{
		{name: "no payload fields at all", in: event.Input{RoutingKey: routingKey, EventAction: "resolve", DedupKey: "srv01/HTTP"}},
		{name: "summary missing", in: resolve(func(in *event.Input) { in.Summary = "" }), wantNotice: errSummary},
		{name: "source missing", in: resolve(func(in *event.Input) { in.Source = "" }), wantNotice: errSource},
		{name: "severity ok is never sent", in: resolve(func(in *event.Input) { in.Severity = "ok" }), wantNotice: errSeverity("ok")},
		{name: "severity empty", in: resolve(func(in *event.Input) { in.Severity = "" }), wantNotice: errSeverity("")},
		{
			name:       "bad timestamp",
			in:         resolve(func(in *event.Input) { in.Timestamp = event.TimestampString("yesterday") }),
			wantNotice: errTimestamp("yesterday"),
		},
		{
			name:       "custom detail NaN",
			in:         resolve(func(in *event.Input) { in.CustomDetails = event.Details{{Key: "load", Value: nan()}} }),
			wantNotice: "customDetails.load is NaN, which JSON cannot represent; replace it with null or a number, for example with a conditional in map()",
		},
		{
			name: "acknowledge with every payload problem",
			in: event.Input{RoutingKey: routingKey, EventAction: "acknowledge", DedupKey: "srv01/HTTP", Severity: "crit",
				CustomDetails: event.Details{{Key: "x", Value: 1}}},
			wantNotice: strings.Join([]string{errSummary, errSource, errSeverity("crit"), "customDetails.x has unsupported type int"}, "\n"),
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, notice, err := event.Build(tt.in)
			if err != nil {
				t.Fatalf("Build() error = %v, want none", err)
			}
			want := &event.Event{RoutingKey: routingKey, EventAction: tt.in.EventAction, DedupKey: "srv01/HTTP"}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("Build() mismatch (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(event.Notice{PayloadOmitted: tt.wantNotice}, notice); diff != "" {
				t.Errorf("Build() notice mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestQuote(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{name: "empty", in: "", want: `""`},
		{name: "short", in: "ack", want: `"ack"`},
		{name: "escapes", in: "a\"b\n", want: `"a\"b\n"`},
		{name: "100 runes", in: strings.Repeat("é", 100), want: `"` + strings.Repeat("é", 100) + `"`},
		{name: "101 runes", in: strings.Repeat("é", 101), want: `"` + strings.Repeat("é", 99) + `…" (101 characters)`},
		{name: "100000 characters", in: "2016-07-17T08" + strings.Repeat("0", 99987), want: `"2016-07-17T08` + strings.Repeat("0", 86) + `…" (100000 characters)`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := event.Quote(tt.in); got != tt.want {
				t.Errorf("Quote() = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestNotice_Messages(t *testing.T) {
	if got := (event.Notice{}).Messages(); len(got) != 0 {
		t.Errorf("empty notice: got %q, want no messages", got)
	}
	n := event.Notice{SummaryTruncated: true, PayloadOmitted: "source is empty\nseverity is bad"}
	got := n.Messages()
	if len(got) != 2 {
		t.Fatalf("got %q, want 2 messages", got)
	}
	if !strings.Contains(got[0], "cut to 1024") {
		t.Errorf("summary message %q does not say it was cut to 1024", got[0])
	}
	if want := "sent without payload, because its payload fields would not make a valid trigger payload: source is empty; severity is bad"; got[1] != want {
		t.Errorf("payload message:\n got %q\nwant %q", got[1], want)
	}
}
