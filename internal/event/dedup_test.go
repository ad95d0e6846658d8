package event_test

import (
	"crypto/sha256"
	"encoding/hex"
	"testing"

	"github.com/fluxpd/fluxpd/internal/event"
)

// sha256Hex is the expected key, computed here independently of DedupKey.
func sha256Hex(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}

func TestDedupKey(t *testing.T) {
	for _, tc := range []struct {
		name string
		cols []event.KeyColumn
		want string
	}{
		{name: "empty group key", cols: nil, want: sha256Hex("")},
		{name: "one column", cols: []event.KeyColumn{{"host", "web01"}}, want: sha256Hex("host\nweb01\n")},
		{
			name: "sorted by label",
			cols: []event.KeyColumn{{"host", "web01"}, {"_measurement", "cpu"}, {"_field", "usage"}},
			want: sha256Hex("_field\nusage\n_measurement\ncpu\nhost\nweb01\n"),
		},
		{name: "empty value", cols: []event.KeyColumn{{"host", ""}}, want: sha256Hex("host\n\n")},
		{name: "unicode", cols: []event.KeyColumn{{"hôte", "wéb"}}, want: sha256Hex("hôte\nwéb\n")},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := event.DedupKey(tc.cols); got != tc.want {
				t.Errorf("DedupKey(%v) = %s, want %s", tc.cols, got, tc.want)
			}
		})
	}
}

func TestDedupKey_OrderDoesNotMatter(t *testing.T) {
	a := []event.KeyColumn{{"b", "2"}, {"a", "1"}, {"c", "3"}}
	b := []event.KeyColumn{{"c", "3"}, {"b", "2"}, {"a", "1"}}
	if event.DedupKey(a) != event.DedupKey(b) {
		t.Error("the same columns in another order gave another key")
	}
	if a[0].Label != "b" {
		t.Error("DedupKey reordered its argument")
	}
}

func TestDedupKey_DistinguishesValues(t *testing.T) {
	web01 := event.DedupKey([]event.KeyColumn{{"host", "web01"}})
	web02 := event.DedupKey([]event.KeyColumn{{"host", "web02"}})
	if web01 == web02 {
		t.Error("different hosts gave the same key")
	}
	if len(web01) != 64 {
		t.Errorf("key %q has %d characters, want 64", web01, len(web01))
	}
}

func BenchmarkDedupKey(b *testing.B) {
	cols := []event.KeyColumn{
		{"_measurement", "statuses"}, {"_field", "_message"}, {"host", "db01.example.com"},
		{"_check_id", "05f0b9c1e2d3a4b5"}, {"_check_name", "disk usage"}, {"region", "eu-west-1"},
	}
	b.ReportAllocs()
	for b.Loop() {
		_ = event.DedupKey(cols)
	}
}
