package pagerduty

import (
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/influxdata/flux/ast"
	"github.com/influxdata/flux/values"

	"github.com/fluxpd/fluxpd/stdlib/pagerduty/scriptcheck"
)

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
	return scriptcheck.CallCounts()
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
