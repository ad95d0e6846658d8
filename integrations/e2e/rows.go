package e2e

// Checking the rows of a Flux answer (ParseCSV's).

import (
	"fmt"
	"slices"
	"strings"
)

// Rows is the data rows of a Flux answer, as maps from column name.
type Rows []map[string]string

// String shows every row on one line, its columns sorted by name.
func (rows Rows) String() string {
	var b strings.Builder
	for _, r := range rows {
		keys := make([]string, 0, len(r))
		for k := range r {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		for i, k := range keys {
			if i > 0 {
				b.WriteString(" ")
			}
			fmt.Fprintf(&b, "%s=%q", k, r[k])
		}
		b.WriteString("\n")
	}
	return b.String()
}

// RowsWant is what every row of an answer must hold.
type RowsWant struct {
	N        int      // the exact number of rows; negative: any
	Eq       []string // "COL=VALUE": every row has COL equal to VALUE
	NonEmpty []string // columns every row has, not empty
}

// Check checks rows and returns what it saw, for the check's line.
func (w RowsWant) Check(rows Rows) (string, error) {
	var problems []string
	if w.N >= 0 && len(rows) != w.N {
		problems = append(problems, fmt.Sprintf("%d data rows, want %d", len(rows), w.N))
	}
	for i, r := range rows {
		for _, e := range w.Eq {
			k, v, _ := strings.Cut(e, "=")
			if got, ok := r[k]; !ok {
				problems = append(problems, fmt.Sprintf("row %d has no column %s", i+1, k))
			} else if got != v {
				problems = append(problems, fmt.Sprintf("row %d: %s=%q, want %q", i+1, k, got, v))
			}
		}
		for _, k := range w.NonEmpty {
			if r[k] == "" {
				problems = append(problems, fmt.Sprintf("row %d: %s is missing or empty", i+1, k))
			}
		}
	}
	if len(problems) > 0 {
		return "", fmt.Errorf("%s\nrows:\n%s", strings.Join(problems, "\n"), rows)
	}
	return fmt.Sprintf("%d rows: every row has %s", len(rows), strings.Join(append(slices.Clone(w.Eq), w.NonEmpty...), ", ")), nil
}

// OneValue returns the one distinct value of column col in the rows whose
// column whereCol is whereVal; none, several or an empty one is an error.
func OneValue(rows Rows, col, whereCol, whereVal string) (string, error) {
	var vals []string
	for _, r := range rows {
		if r[whereCol] == whereVal && !slices.Contains(vals, r[col]) {
			vals = append(vals, r[col])
		}
	}
	if len(vals) != 1 || vals[0] == "" {
		return "", fmt.Errorf("want one non-empty value of %s where %s=%s, got %q\nrows:\n%s", col, whereCol, whereVal, vals, rows)
	}
	return vals[0], nil
}
