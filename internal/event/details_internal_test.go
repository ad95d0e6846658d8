package event

import (
	"math"
	"testing"
	"time"
)

// TestCarriable_AsCheckValue: Check's fast verdict is checkValue's.
func TestCarriable_AsCheckValue(t *testing.T) {
	values := []any{
		nil, "s", true, int64(1), uint64(1), 1.5, time.Now(), []any{1.5, "x"}, Details{{Key: "k", Value: Details{}}},
		math.NaN(), math.Inf(1), int32(1), []any{"ok", math.Inf(-1)}, Details{{Key: "deep", Value: []any{Details{{Key: "x", Value: float32(1)}}}}},
		Details(nil), []any(nil), struct{}{},
	}
	for _, v := range values {
		if got, want := carriable(v), checkValue("customDetails", v) == nil; got != want {
			t.Errorf("carriable(%#v) = %v; checkValue says %v", v, got, want)
		}
	}
}
