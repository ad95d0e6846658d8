package event

import (
	"math"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// wireStrings are strings that exercise every escape of encoding/json.
var wireStrings = []string{
	"", "plain", `quote " and backslash \`, "<b>&amp;</b>", "tab\tnew\nline\rcr",
	"\b\f\x00\x01\x1f\x7f", "café ☕ 𝄞", "\u2028 and \u2029", "bad \xff\xfe utf-8", "\xe2\x80",
}

// wireEvents are events with every field set or left out, and details of
// every kind.
func wireEvents() []any {
	details := Details{
		{Key: "f", Value: 97.3}, {Key: "tiny", Value: 1e-7}, {Key: "huge", Value: 1e21}, {Key: "neg", Value: -0.000001},
		{Key: "zero", Value: 0.0}, {Key: "int", Value: int64(-42)}, {Key: "uint", Value: uint64(math.MaxUint64)},
		{Key: "bool", Value: true}, {Key: "nil", Value: nil}, {Key: "s p a c e", Value: "<&>"},
		{Key: "t", Value: time.Date(2024, 5, 6, 7, 8, 9, 123456789, time.FixedZone("x", 3600))},
		{Key: "arr", Value: []any{int64(1), "two", []any{}, Details{}, Details{{Key: "k", Value: 1e100}}}},
		{Key: "float32ish", Value: float64(float32(0.1))}, {Key: "exp", Value: 123456789e-20},
	}
	var out []any
	for _, s := range wireStrings {
		out = append(out,
			&Event{RoutingKey: s, EventAction: s, DedupKey: s, Client: s, ClientURL: s,
				Payload: &Payload{Summary: s, Source: s, Severity: s, Timestamp: s, Component: s, Group: s, Class: s,
					CustomDetails: Details{{Key: s, Value: s}}},
				Images: []Image{{Src: s, Href: s, Alt: s}, {Src: s}}, Links: []Link{{Href: s, Text: s}, {Href: s}}},
			&ChangeEvent{RoutingKey: s, Payload: &ChangePayload{Summary: s, Source: s, Timestamp: s, CustomDetails: details},
				Links: []Link{{Href: s}}},
		)
	}
	return append(out,
		&Event{RoutingKey: "k", EventAction: "resolve"},
		&Event{RoutingKey: "k", EventAction: "trigger", Payload: &Payload{CustomDetails: details}, Images: []Image{}, Links: []Link{}},
		&Event{Payload: &Payload{CustomDetails: Details{}}},
		&ChangeEvent{},
		&ChangeEvent{Payload: &ChangePayload{}},
	)
}

// TestEncode_AsEncodingJSON: the hand-written encoder writes what
// encoding/json writes from the struct tags, byte for byte.
func TestEncode_AsEncodingJSON(t *testing.T) {
	for i, ev := range wireEvents() {
		want, err := encodeJSON(ev)
		if err != nil {
			t.Fatalf("event %d: encodeJSON() error = %v", i, err)
		}
		got, err := appendWire(nil, ev)
		if err != nil {
			t.Fatalf("event %d: appendWire() error = %v", i, err)
		}
		if diff := cmp.Diff(string(want), string(got)); diff != "" {
			t.Errorf("event %d: appendWire() mismatch (-encoding/json +appendWire):\n%s", i, diff)
		}
	}
}

// TestEncode_UnencodableAsEncodingJSON: values JSON cannot carry get
// encoding/json's own errors, as before the hand-written encoder.
func TestEncode_UnencodableAsEncodingJSON(t *testing.T) {
	for _, v := range []any{math.NaN(), math.Inf(-1), int32(1), struct{}{}} {
		ev := &Event{Payload: &Payload{CustomDetails: Details{{Key: "x", Value: v}}}}
		_, want := encodeJSON(ev)
		_, got := Encode(ev)
		if want == nil || got == nil || got.Error() != want.Error() {
			t.Errorf("Encode() with detail %#v: error = %v, want %v", v, got, want)
		}
	}
}

// FuzzEncode_AsEncodingJSON: any string, in any string field or detail,
// is written as encoding/json writes it.
func FuzzEncode_AsEncodingJSON(f *testing.F) {
	for _, s := range wireStrings {
		f.Add(s, 1.5)
	}
	f.Fuzz(func(t *testing.T, s string, x float64) {
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return
		}
		ev := &Event{RoutingKey: s, EventAction: s, DedupKey: s, Client: s,
			Payload: &Payload{Summary: s, Group: s, CustomDetails: Details{{Key: s, Value: []any{s, x}}}},
			Links:   []Link{{Href: s, Text: s}}}
		want, err := encodeJSON(ev)
		if err != nil {
			t.Fatal(err)
		}
		got, err := appendWire(nil, ev)
		if err != nil {
			t.Fatal(err)
		}
		if string(got) != string(want) {
			t.Errorf("appendWire(%q, %v) = %s, want %s", s, x, got, want)
		}
	})
}
