package pagerduty

import (
	"fmt"

	"github.com/influxdata/flux"
	"github.com/influxdata/flux/codes"
	"github.com/influxdata/flux/execute"
)

// outTable is where the rows of one input table go: the builder of the
// output table with the same group key, the position of each input column
// in it, and the positions of the string columns that dedupKey or endpoint
// add to every row.
type outTable struct {
	b     execute.TableBuilder
	in    []int // output index of each input column; -1 when an added column replaces it
	added []int // output index of each added column
}

// newOutTable returns the output table for tbl in b: tbl's columns followed
// by the string columns named in added, which are added to b when created
// is set (b is new). An input column named like an added column is
// replaced, so that a stream can pass through dedupKey or endpoint twice;
// it must not be part of the group key, since an added column's value
// differs between rows. fn names the function in errors.
func newOutTable(b execute.TableBuilder, created bool, tbl flux.Table, fn string, added []string) (*outTable, error) {
	if err := checkNotInKey(tbl.Key(), fn, added); err != nil {
		return nil, err
	}
	if created {
		if err := addColumns(b, tbl.Cols(), added); err != nil {
			return nil, err
		}
	}
	o := &outTable{b: b, in: make([]int, len(tbl.Cols())), added: make([]int, len(added))}
	for j, c := range tbl.Cols() {
		o.in[j] = -1
		if execute.ContainsStr(added, c.Label) {
			continue
		}
		k := execute.ColIdx(c.Label, b.Cols())
		if k < 0 || b.Cols()[k].Type != c.Type {
			return nil, &flux.Error{
				Code: codes.Invalid,
				Msg:  fmt.Sprintf("%s received two tables with the same group key but different columns (column %q differs)", fn, c.Label),
			}
		}
		o.in[j] = k
	}
	for i, label := range added {
		o.added[i] = execute.ColIdx(label, b.Cols())
	}
	return o, nil
}

// checkNotInKey refuses a group key holding one of the added columns.
func checkNotInKey(key flux.GroupKey, fn string, added []string) error {
	for _, label := range added {
		if key.HasCol(label) {
			return &flux.Error{
				Code: codes.Invalid,
				Msg: fmt.Sprintf("column %q is part of the group key, but %s sets it on every row; "+
					"it cannot be a group key column (hint: group by other columns, or rename it before %s)", label, fn, fn),
			}
		}
	}
	return nil
}

// addColumns adds cols, except those named in added, then the added string
// columns.
func addColumns(b execute.TableBuilder, cols []flux.ColMeta, added []string) error {
	for _, c := range cols {
		if execute.ContainsStr(added, c.Label) {
			continue
		}
		if _, err := b.AddCol(c); err != nil {
			return err
		}
	}
	for _, label := range added {
		if _, err := b.AddCol(flux.ColMeta{Label: label, Type: flux.TString}); err != nil {
			return err
		}
	}
	return nil
}

// appendInput appends every row of cr to the input columns. The added
// columns lag behind until appendAdded has been called once per row; the
// builder allows that (see execute.TableBuilder), as long as all columns are
// equally long when the table is read.
func (o *outTable) appendInput(cr flux.ColReader) error {
	for j, k := range o.in {
		if k < 0 {
			continue
		}
		if err := execute.AppendCol(k, j, cr, o.b); err != nil {
			return err
		}
	}
	return nil
}

// appendAdded appends one row of the added columns, in the order they were
// named.
func (o *outTable) appendAdded(vals ...string) error {
	for i, v := range vals {
		if err := o.b.AppendString(o.added[i], v); err != nil {
			return err
		}
	}
	return nil
}
