package pagerduty

import (
	"regexp"
	"testing"
	"time"

	"github.com/influxdata/flux"
	"github.com/influxdata/flux/codes"
	"github.com/influxdata/flux/semantic"
	"github.com/influxdata/flux/values"
)

// TestRenderKeyValue covers the values a table's group key cannot hold in
// Flux v0.65.1 (durations, regular expressions) and null, which the Flux
// tests cannot reach.
func TestRenderKeyValue(t *testing.T) {
	for _, tc := range []struct {
		name    string
		v       values.Value
		want    string
		wantErr string
	}{
		{name: "null", v: values.NewNull(semantic.String), want: ""},
		{name: "duration", v: values.NewDuration(values.ConvertDuration(90 * time.Minute)), want: "1h30m"},
		{name: "negative int", v: values.NewInt(-42), want: "-42"},
		{name: "float", v: values.NewFloat(0.1), want: "0.1"},
		{name: "regexp", v: values.NewRegexp(regexp.MustCompile("a+")),
			wantErr: `group key column "pattern" is of type regexp, which dedupKey cannot turn into a key; ` +
				`valid types are string, int, uint, float, bool, time and duration (hint: add "pattern" to exclude, or convert the column with map())`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := renderKeyValue("pattern", tc.v)
			if tc.wantErr != "" {
				if err == nil || err.Error() != tc.wantErr {
					t.Fatalf("error = %v; want %q", err, tc.wantErr)
				}
				if flux.ErrorCode(err) != codes.Invalid {
					t.Errorf("error code = %v; want Invalid", flux.ErrorCode(err))
				}
				return
			}
			if err != nil || got != tc.want {
				t.Errorf("renderKeyValue = %q, %v; want %q", got, err, tc.want)
			}
		})
	}
}
