package delivery_test

import (
	"math"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/fluxpd/fluxpd/internal/delivery"
)

func TestDefaultPolicy(t *testing.T) {
	want := delivery.Policy{
		MaxRetries:     3,
		AttemptTimeout: 10 * time.Second,
		Deadline:       60 * time.Second,
		BaseDelay:      time.Second,
		MaxDelay:       30 * time.Second,
		MaxRetryAfter:  60 * time.Second,
	}
	if diff := cmp.Diff(want, delivery.DefaultPolicy()); diff != "" {
		t.Errorf("DefaultPolicy() mismatch (-want +got):\n%s", diff)
	}
}

func TestBackoff(t *testing.T) {
	const s = time.Second
	fixed := func(r float64) func() float64 { return func() float64 { return r } }
	tests := []struct {
		name      string
		retry     int
		base, max time.Duration
		rnd       float64
		want      time.Duration
	}{
		{name: "first retry, zero jitter", retry: 0, base: s, max: 30 * s, rnd: 0, want: 0},
		{name: "first retry, half", retry: 0, base: s, max: 30 * s, rnd: 0.5, want: 500 * time.Millisecond},
		{name: "second retry, half", retry: 1, base: s, max: 30 * s, rnd: 0.5, want: s},
		{name: "third retry, half", retry: 2, base: s, max: 30 * s, rnd: 0.5, want: 2 * s},
		{name: "fifth retry, quarter", retry: 4, base: s, max: 30 * s, rnd: 0.25, want: 4 * s},
		{name: "capped", retry: 5, base: s, max: 30 * s, rnd: 0.5, want: 15 * s},
		{name: "huge retry does not overflow", retry: 1000, base: s, max: 30 * s, rnd: 0.5, want: 15 * s},
		{name: "max below base", retry: 0, base: 10 * s, max: 2 * s, rnd: 0.5, want: s},
		{name: "huge max does not overflow", retry: 70, base: s, max: math.MaxInt64, rnd: 0.5, want: math.MaxInt64 / 2},
		{name: "negative retry is the first", retry: -3, base: s, max: 30 * s, rnd: 0.5, want: 500 * time.Millisecond},
		{name: "zero base", retry: 3, base: 0, max: 30 * s, rnd: 0.5, want: 0},
		{name: "rand out of range", retry: 0, base: s, max: 30 * s, rnd: 1.5, want: 0},
		{name: "rand NaN", retry: 0, base: s, max: 30 * s, rnd: math.NaN(), want: 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := delivery.Backoff{Base: tt.base, Max: tt.max, Rand: fixed(tt.rnd)}.Wait(tt.retry)
			// Allow for float rounding on huge durations.
			if d := got - tt.want; d > time.Microsecond || d < -time.Microsecond {
				t.Errorf("Backoff{%v, %v, rand %v}.Wait(%d) = %v, want %v", tt.base, tt.max, tt.rnd, tt.retry, got, tt.want)
			}
		})
	}
}

// TestBackoff_Jitter checks with the real random source that waits stay
// within [0, ceiling) and are not all equal.
func TestBackoff_Jitter(t *testing.T) {
	for retry, ceiling := range []time.Duration{time.Second, 2 * time.Second, 4 * time.Second, 8 * time.Second, 16 * time.Second, 30 * time.Second, 30 * time.Second} {
		seen := map[time.Duration]bool{}
		for range 100 {
			d := delivery.Backoff{Base: time.Second, Max: 30 * time.Second}.Wait(retry)
			if d < 0 || d >= ceiling {
				t.Fatalf("Backoff(%d) = %v, want in [0, %v)", retry, d, ceiling)
			}
			seen[d] = true
		}
		if len(seen) < 2 {
			t.Errorf("Backoff(%d): 100 waits took %d distinct values, want jitter", retry, len(seen))
		}
	}
}

func TestParseRetryAfter(t *testing.T) {
	now := time.Date(2024, 5, 6, 7, 8, 9, 0, time.UTC)
	tests := []struct {
		name   string
		value  string
		want   time.Duration
		wantOK bool
	}{
		{name: "seconds", value: "2", want: 2 * time.Second, wantOK: true},
		{name: "zero", value: "0", want: 0, wantOK: true},
		{name: "spaces", value: " 120 ", want: 2 * time.Minute, wantOK: true},
		{name: "HTTP date", value: "Mon, 06 May 2024 07:08:39 GMT", want: 30 * time.Second, wantOK: true},
		{name: "RFC 850 date", value: "Monday, 06-May-24 07:09:09 GMT", want: time.Minute, wantOK: true},
		{name: "ANSI C date", value: "Mon May  6 07:08:19 2024", want: 10 * time.Second, wantOK: true},
		{name: "date in the past", value: "Mon, 06 May 2024 07:00:00 GMT", want: 0, wantOK: true},
		{name: "huge seconds capped", value: "99999999999999999999999", want: math.MaxInt64, wantOK: true},
		{name: "seconds beyond Duration capped", value: "9223372037", want: math.MaxInt64, wantOK: true},
		{name: "empty", value: "", wantOK: false},
		{name: "negative", value: "-5", wantOK: false},
		{name: "plus sign", value: "+5", wantOK: false},
		{name: "fraction", value: "1.5", wantOK: false},
		{name: "garbage", value: "soon", wantOK: false},
		{name: "date with zone other than GMT", value: "2024-05-06T07:08:39Z", wantOK: false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := delivery.ParseRetryAfter(tt.value, now)
			if got != tt.want || ok != tt.wantOK {
				t.Errorf("ParseRetryAfter(%q) = %v, %v; want %v, %v", tt.value, got, ok, tt.want, tt.wantOK)
			}
		})
	}
}
