package pagerduty

import (
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/influxdata/flux/ast"
	"github.com/influxdata/flux/values"
)

func TestSuggest(t *testing.T) {
	tests := []struct{ name, want string }{
		{"custom_details", argCustomDetails},
		{"CUSTOM-DETAILS", argCustomDetails},
		{"routingkey", argRoutingKey},
		{"routing_key", argRoutingKey},
		{"severty", argSeverity},
		{"sevretiy", argSeverity}, // two swaps
		{"sumary", argSummary},
		{"eventaction", argEventAction},
		{"event_type", ""},
		{"clas", argClass},
		{"details", ""},
		{"priority", ""},
		{"x", ""},
	}
	for _, tt := range tests {
		if got := suggest(tt.name, eventFieldNames); got != tt.want {
			t.Errorf("suggest(%q) = %q, want %q", tt.name, got, tt.want)
		}
	}
}

func TestEditDistance(t *testing.T) {
	tests := []struct {
		a, b string
		want int
	}{
		{"", "", 0}, {"abc", "", 3}, {"", "abc", 3}, {"severity", "severity", 0},
		{"severty", "severity", 1}, {"sevreity", "severity", 1}, {"sumary", "summary", 1},
		{"kitten", "sitting", 3}, {"ça", "ca", 1},
	}
	for _, tt := range tests {
		if got := editDistance(tt.a, tt.b); got != tt.want {
			t.Errorf("editDistance(%q, %q) = %d, want %d", tt.a, tt.b, got, tt.want)
		}
	}
}

// TestEventFieldNames_ReadEvent: the fields the check of mapFn's record
// accepts are exactly the ones readEvent reads.
func TestEventFieldNames_ReadEvent(t *testing.T) {
	var read []string
	if _, err := readEvent(func(name string) (values.Value, bool) {
		read = append(read, name)
		return nil, false
	}); err != nil {
		t.Fatalf("readEvent of nothing: %v", err)
	}
	slices.Sort(read)
	want := slices.Sorted(slices.Values(eventFieldNames))
	if diff := cmp.Diff(want, read); diff != "" {
		t.Errorf("fields readEvent reads (-eventFieldNames +read):\n%s", diff)
	}
}

// SignatureCounts is, for the external tests, how many calls each
// function of the package takes: endpoint()(mapFn)(tables) takes 3.
func SignatureCounts() map[string]int {
	counts := make(map[string]int)
	for name, s := range packageSignatures() {
		counts[name] = len(s)
	}
	return counts
}

// DeclaredFunctions is, for the external tests, the functions
// pagerduty.flux declares (builtin) or defines.
func DeclaredFunctions() []string {
	var names []string
	for _, f := range parse().Files {
		for _, st := range f.Body {
			switch st := st.(type) {
			case *ast.BuiltinStatement:
				names = append(names, st.ID.Name)
			case *ast.VariableAssignment:
				if _, ok := st.Init.(*ast.FunctionExpression); ok {
					names = append(names, st.ID.Name)
				}
			}
		}
	}
	return names
}
