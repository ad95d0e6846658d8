package contract_test

import (
	"testing"

	"github.com/fluxpd/fluxpd/internal/contract"
)

func TestTimestamps(t *testing.T) {
	cases, err := contract.Timestamps()
	if err != nil {
		t.Fatal(err)
	}
	seen := make(map[string]bool)
	valid := 0
	for _, c := range cases {
		if seen[c.Value] {
			t.Errorf("line %d: %q is listed twice", c.Line, c.Value)
		}
		seen[c.Value] = true
		if c.Valid {
			valid++
		}
	}
	if len(cases) < 30 || valid < 10 || len(cases)-valid < 10 {
		t.Errorf("timestamps.txt has %d cases (%d valid); want at least 30, with 10 of each", len(cases), valid)
	}
}
