package event_test

import (
	"fmt"
	"strconv"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/fluxpd/fluxpd/internal/contract"
	"github.com/fluxpd/fluxpd/internal/event"
)

func errTimestamp(got string) string {
	return `timestamp must be a time or an ISO 8601 date-time such as 2016-07-17T08:42:58.315+0000 or 2016-07-17T08:42:58Z; got ` + strconv.Quote(got) + ` (hint: pass now() or a time column such as r._time)`
}

// buildTimestamp builds a trigger with ts and returns the wire timestamp.
func buildTimestamp(t *testing.T, ts event.Timestamp) (string, error) {
	t.Helper()
	ev, _, err := event.Build(with(trigger(), func(in *event.Input) { in.Timestamp = ts }))
	if err != nil {
		return "", err
	}
	return ev.Payload.Timestamp, nil
}

func TestBuild_Timestamp_Time(t *testing.T) {
	tests := []struct {
		name string
		time time.Time
		want string
	}{
		{name: "UTC with nanoseconds", time: time.Date(2016, 7, 17, 8, 42, 58, 123456789, time.UTC), want: "2016-07-17T08:42:58.123456789Z"},
		{name: "milliseconds keep no trailing zeros", time: time.Date(2016, 7, 17, 8, 42, 58, 315_000_000, time.UTC), want: "2016-07-17T08:42:58.315Z"},
		{name: "whole seconds", time: time.Date(2016, 7, 17, 8, 42, 58, 0, time.UTC), want: "2016-07-17T08:42:58Z"},
		{name: "east of UTC", time: time.Date(2016, 7, 17, 8, 42, 58, 5, time.FixedZone("IST", 5*3600+1800)), want: "2016-07-17T03:12:58.000000005Z"},
		{name: "west of UTC, across midnight", time: time.Date(2016, 12, 31, 22, 0, 0, 0, time.FixedZone("EST", -5*3600)), want: "2017-01-01T03:00:00Z"},
		{name: "Unix epoch", time: time.Unix(0, 0), want: "1970-01-01T00:00:00Z"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := buildTimestamp(t, event.TimestampAt(tt.time))
			if err != nil {
				t.Fatalf("Build() error = %v", err)
			}
			if got != tt.want {
				t.Errorf("Build() timestamp = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestBuild_Timestamp_String(t *testing.T) {
	tests := []struct {
		name    string
		value   string
		wantErr bool
	}{
		{name: "PagerDuty's example, offset without colon", value: "2016-07-17T08:42:58.315+0000"},
		{name: "Zulu", value: "2016-07-17T08:42:58Z"},
		{name: "nanoseconds and half-hour offset", value: "2016-07-17T08:42:58.123456789+05:30"},
		{name: "offset in hours only", value: "2016-07-17T08:42:58+07"},
		{name: "negative offset", value: "2016-07-17T08:42:58-03:00"},
		{name: "no seconds", value: "2016-07-17T08:42Z", wantErr: true},
		{name: "comma as decimal sign", value: "2016-07-17T08:42:58,5Z"},
		{name: "lower-case t and z", value: "2016-07-17t08:42:58z", wantErr: true},
		{name: "29 February of a leap year", value: "2016-02-29T00:00:00Z"},
		{name: "leap second", value: "2016-12-31T23:59:60Z", wantErr: true},
		{name: "largest offset", value: "2016-07-17T08:42:58+23:59"},
		{name: "word", value: "yesterday", wantErr: true},
		{name: "month 13", value: "2016-13-01T00:00:00Z", wantErr: true},
		{name: "30 February", value: "2016-02-30T00:00:00Z", wantErr: true},
		{name: "29 February of a common year", value: "2015-02-29T00:00:00Z", wantErr: true},
		{name: "space instead of T", value: "2016-07-17 08:42:58", wantErr: true},
		{name: "hour 25", value: "2016-07-17T25:00:00Z", wantErr: true},
		{name: "minute 60", value: "2016-07-17T08:60:00Z", wantErr: true},
		{name: "missing offset", value: "2016-07-17T08:42:58", wantErr: true},
		{name: "missing offset with fraction", value: "2016-07-17T08:42:58.315", wantErr: true},
		{name: "date only", value: "2016-07-17", wantErr: true},
		{name: "offset hour 24", value: "2016-07-17T08:42:58+24:00", wantErr: true},
		{name: "offset minute 60", value: "2016-07-17T08:42:58+05:60", wantErr: true},
		{name: "one-digit offset", value: "2016-07-17T08:42:58+5", wantErr: true},
		{name: "ten fraction digits", value: "2016-07-17T08:42:58.1234567890Z", wantErr: true},
		{name: "leading space", value: " 2016-07-17T08:42:58Z", wantErr: true},
		{name: "trailing newline", value: "2016-07-17T08:42:58Z\n", wantErr: true},
		{name: "Unix seconds", value: "1468744978", wantErr: true},
		{name: "RFC 1123", value: "Sun, 17 Jul 2016 08:42:58 GMT", wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := buildTimestamp(t, event.TimestampString(tt.value))
			if tt.wantErr {
				if err == nil {
					t.Fatalf("Build() timestamp = %q, want error", got)
				}
				if want := errTimestamp(tt.value); err.Error() != want {
					t.Errorf("Build() error mismatch (-want +got):\n%s", cmp.Diff(want, err.Error()))
				}
				return
			}
			if err != nil {
				t.Fatalf("Build() error = %v", err)
			}
			if got != tt.value {
				t.Errorf("Build() timestamp = %q, want it unchanged: %q", got, tt.value)
			}
		})
	}
}

func TestBuild_Timestamp_Empty(t *testing.T) {
	for _, ts := range []event.Timestamp{{}, event.TimestampString("")} {
		got, err := buildTimestamp(t, ts)
		if err != nil || got != "" {
			t.Errorf("Build() with timestamp %+v = %q, %v; want it left out", ts, got, err)
		}
	}
}

// TestBuild_Timestamp_Contract checks the sender against the shared table
// of internal/contract, which the emulator is checked against too.
func TestBuild_Timestamp_Contract(t *testing.T) {
	cases, err := contract.Timestamps()
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range cases {
		t.Run(fmt.Sprintf("line %d %q", c.Line, c.Value), func(t *testing.T) {
			got, err := buildTimestamp(t, event.TimestampString(c.Value))
			switch {
			case c.Valid && err != nil:
				t.Errorf("Build() error = %v, want %q accepted", err, c.Value)
			case c.Valid && got != c.Value:
				t.Errorf("Build() timestamp = %q, want it sent unchanged as %q", got, c.Value)
			case !c.Valid && err == nil:
				t.Errorf("Build() accepted %q, want it refused", c.Value)
			case !c.Valid && err.Error() != errTimestamp(c.Value):
				t.Errorf("Build() error = %q, want %q", err, errTimestamp(c.Value))
			}
		})
	}
}
