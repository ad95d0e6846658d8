package event_test

import (
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"

	"github.com/fluxpd/fluxpd/internal/event"
)

// changeKey is a made-up 32-character integration key.
const changeKey = "c0ffee0123456789abcdef0123456789"

func changeInput() event.ChangeInput {
	return event.ChangeInput{RoutingKey: changeKey, Summary: "Deployed api v1.4.2", Source: "ci.example.com"}
}

func TestBuildChange(t *testing.T) {
	at := time.Date(2024, 5, 6, 7, 8, 9, 0, time.FixedZone("CEST", 2*3600))
	for _, tc := range []struct {
		name string
		in   func(*event.ChangeInput)
		want *event.ChangeEvent
	}{
		{
			name: "minimal",
			in:   func(in *event.ChangeInput) { in.Source = "" },
			want: &event.ChangeEvent{RoutingKey: changeKey, Payload: &event.ChangePayload{Summary: "Deployed api v1.4.2"}},
		},
		{
			name: "every field",
			in: func(in *event.ChangeInput) {
				in.Timestamp = event.TimestampAt(at)
				in.CustomDetails = event.Details{{Key: "version", Value: "v1.4.2"}}
				in.Links = []event.Link{{Href: "https://ci.example.com/42", Text: "build 42"}}
			},
			want: &event.ChangeEvent{
				RoutingKey: changeKey,
				Payload: &event.ChangePayload{
					Summary: "Deployed api v1.4.2", Source: "ci.example.com", Timestamp: "2024-05-06T05:08:09Z",
					CustomDetails: event.Details{{Key: "version", Value: "v1.4.2"}},
				},
				Links: []event.Link{{Href: "https://ci.example.com/42", Text: "build 42"}},
			},
		},
		{
			name: "string timestamp kept as given",
			in:   func(in *event.ChangeInput) { in.Timestamp = event.TimestampString("2015-07-17T08:42:58.315+0000") },
			want: &event.ChangeEvent{RoutingKey: changeKey, Payload: &event.ChangePayload{
				Summary: "Deployed api v1.4.2", Source: "ci.example.com", Timestamp: "2015-07-17T08:42:58.315+0000",
			}},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			in := changeInput()
			tc.in(&in)
			got, notice, err := event.BuildChange(in)
			if err != nil {
				t.Fatalf("BuildChange: %v", err)
			}
			if notice.SummaryTruncated {
				t.Error("summary reported truncated")
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("BuildChange (-want +got):\n%s", diff)
			}
		})
	}
}

func TestBuildChange_Errors(t *testing.T) {
	const (
		errKey     = `routingKey is empty; set it to the integration key of an Events API v2 integration (hint: routingKey: secrets.get(key: "PAGERDUTY_ROUTING_KEY"))`
		errSummary = `summary is empty; a change event needs a short description of the change, such as "Deployed api v1.4.2"`
	)
	for _, tc := range []struct {
		name string
		in   func(*event.ChangeInput)
		want string
	}{
		{name: "no routing key", in: func(in *event.ChangeInput) { in.RoutingKey = "" }, want: errKey},
		{
			name: "blank routing key",
			in:   func(in *event.ChangeInput) { in.RoutingKey = " " },
			want: "routingKey must be a 32-character integration key; got 1 character (it starts or ends with white space)",
		},
		{
			name: "31-character routing key",
			in:   func(in *event.ChangeInput) { in.RoutingKey = changeKey[1:] },
			want: "routingKey must be a 32-character integration key; got 31 characters",
		},
		{
			name: "ruleset key",
			in:   func(in *event.ChangeInput) { in.RoutingKey = "R" + changeKey[1:] },
			want: "routingKey looks like a ruleset (event orchestration) key, which change events do not accept; use the service's integration key",
		},
		{
			name: "100000-character timestamp is quoted in short",
			in: func(in *event.ChangeInput) {
				in.Timestamp = event.TimestampString("2016-07-17T08" + strings.Repeat("9", 100000-13))
			},
			want: `timestamp must be a time or an ISO 8601 date-time such as 2016-07-17T08:42:58.315+0000 or 2016-07-17T08:42:58Z; got "2016-07-17T08` +
				strings.Repeat("9", 86) + `…" (100000 characters) (hint: pass now() or a time column such as r._time)`,
		},
		{name: "no summary", in: func(in *event.ChangeInput) { in.Summary = "\t" }, want: errSummary},
		{
			name: "bad timestamp",
			in:   func(in *event.ChangeInput) { in.Timestamp = event.TimestampString("yesterday") },
			want: `timestamp must be a time or an ISO 8601 date-time such as 2016-07-17T08:42:58.315+0000 or 2016-07-17T08:42:58Z; got "yesterday" (hint: pass now() or a time column such as r._time)`,
		},
		{
			name: "link without href",
			in:   func(in *event.ChangeInput) { in.Links = []event.Link{{Href: "https://a.example"}, {Text: "b"}} },
			want: "links[1].href is empty; every link needs an href",
		},
		{
			name: "detail JSON cannot carry",
			in:   func(in *event.ChangeInput) { in.CustomDetails = event.Details{{Key: "ratio", Value: func() {}}} },
			want: "customDetails.ratio has unsupported type func()",
		},
		{
			name: "every problem at once",
			in:   func(in *event.ChangeInput) { in.RoutingKey, in.Summary = "", "" },
			want: errKey + "\n" + errSummary,
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			in := changeInput()
			tc.in(&in)
			got, _, err := event.BuildChange(in)
			if err == nil {
				t.Fatalf("BuildChange returned %+v, want error %q", got, tc.want)
			}
			if err.Error() != tc.want {
				t.Errorf("BuildChange error:\n got %q\nwant %q", err, tc.want)
			}
			if strings.Contains(err.Error(), changeKey) {
				t.Error("the error quotes the routing key")
			}
		})
	}
}

func TestBuildChange_SummaryTruncated(t *testing.T) {
	in := changeInput()
	in.Summary = strings.Repeat("é", event.MaxSummaryRunes+10)
	got, notice, err := event.BuildChange(in)
	if err != nil {
		t.Fatalf("BuildChange: %v", err)
	}
	if !notice.SummaryTruncated {
		t.Error("truncation not reported")
	}
	if n := utf8.RuneCountInString(got.Payload.Summary); n != event.MaxSummaryRunes {
		t.Errorf("summary has %d runes, want %d", n, event.MaxSummaryRunes)
	}
	if !strings.HasSuffix(got.Payload.Summary, "…") {
		t.Error("a cut summary does not end in …")
	}
}
