package universe

import (
	"context"
	"fmt"

	"github.com/influxdata/flux"
	"github.com/influxdata/flux/codes"
	"github.com/influxdata/flux/interpreter"
	"github.com/influxdata/flux/semantic"
	"github.com/influxdata/flux/values"
	"github.com/influxdata/flux/values/objects"
)

// Function names and their argument names, as in Flux v0.68.
const (
	findRecordName = "findRecord"
	findColumnName = "findColumn"

	tablesArg = "tables"
	fnArg     = "fn"
	keyArg    = "key"
	idxArg    = "idx"
	columnArg = "column"
)

// The types mirror tableFind's, getRecord's and getColumn's in Flux v0.65.1
// (stdlib/universe/table_fns.go): the stream and predicate of tableFind, and
// the result of getRecord (a record whose columns are only known when the
// query runs) or getColumn (an array).
var (
	predicateType = semantic.NewFunctionPolyType(semantic.FunctionPolySignature{
		Parameters: map[string]semantic.PolyType{keyArg: semantic.Tvar(1)},
		Required:   semantic.LabelSet{keyArg},
		Return:     semantic.Bool,
	})

	findRecordFunc = values.NewFunction(findRecordName,
		semantic.NewFunctionPolyType(semantic.FunctionPolySignature{
			Parameters: map[string]semantic.PolyType{
				tablesArg: flux.TableObjectType,
				fnArg:     predicateType,
				idxArg:    semantic.Int,
			},
			Required:     semantic.LabelSet{tablesArg, fnArg, idxArg},
			PipeArgument: tablesArg,
			Return:       semantic.Object,
		}),
		func(ctx context.Context, args values.Object) (values.Value, error) {
			return interpreter.DoFunctionCallContext(FindRecord, ctx, args)
		},
		false,
	)

	findColumnFunc = values.NewFunction(findColumnName,
		semantic.NewFunctionPolyType(semantic.FunctionPolySignature{
			Parameters: map[string]semantic.PolyType{
				tablesArg: flux.TableObjectType,
				fnArg:     predicateType,
				columnArg: semantic.String,
			},
			Required:     semantic.LabelSet{tablesArg, fnArg, columnArg},
			PipeArgument: tablesArg,
			Return:       semantic.Array,
		}),
		func(ctx context.Context, args values.Object) (values.Value, error) {
			return interpreter.DoFunctionCallContext(FindColumn, ctx, args)
		},
		false,
	)
)

// FindRecord is findRecord: row idx of the first table of tables whose group
// key satisfies fn, as a record. It fails as tableFind does when no table
// matches, and names idx and the row count when idx is out of range.
func FindRecord(ctx context.Context, args interpreter.Arguments) (values.Value, error) {
	idx, err := args.GetRequiredInt(idxArg)
	if err != nil {
		return nil, err
	}
	tbl, err := find(ctx, args)
	if err != nil {
		return nil, err
	}
	rows, err := rowCount(tbl)
	if err != nil {
		return nil, err
	}
	if idx < 0 || idx >= int64(rows) {
		return nil, &flux.Error{Code: codes.OutOfRange, Msg: idxOutOfRange(idx, rows)}
	}
	return getRecord.Call(ctx, values.NewObjectWithValues(map[string]values.Value{
		"table": tbl, idxArg: values.NewInt(idx),
	}))
}

// FindColumn is findColumn: the column named column of the first table of
// tables whose group key satisfies fn, as an array. It fails as tableFind
// does when no table matches, and as getColumn does when the table has no
// such column.
func FindColumn(ctx context.Context, args interpreter.Arguments) (values.Value, error) {
	column, err := args.GetRequiredString(columnArg)
	if err != nil {
		return nil, err
	}
	tbl, err := find(ctx, args)
	if err != nil {
		return nil, err
	}
	return getColumn.Call(ctx, values.NewObjectWithValues(map[string]values.Value{
		"table": tbl, columnArg: values.NewString(column),
	}))
}

// find calls upstream's tableFind with the tables and fn arguments.
func find(ctx context.Context, args interpreter.Arguments) (*objects.Table, error) {
	tables, err := args.GetRequired(tablesArg)
	if err != nil {
		return nil, err
	}
	fn, err := args.GetRequired(fnArg)
	if err != nil {
		return nil, err
	}
	v, err := tableFind.Call(ctx, values.NewObjectWithValues(map[string]values.Value{
		tablesArg: tables, fnArg: fn,
	}))
	if err != nil {
		return nil, err
	}
	tbl, ok := v.(*objects.Table)
	if !ok {
		return nil, &flux.Error{Code: codes.Internal, Msg: fmt.Sprintf("tableFind returned %T, not a table", v)}
	}
	return tbl, nil
}

// rowCount counts the rows of tbl (a buffered table: reading it does not
// consume it).
func rowCount(tbl *objects.Table) (int, error) {
	n := 0
	err := tbl.Table().Do(func(cr flux.ColReader) error {
		n += cr.Len()
		return nil
	})
	return n, err
}

// idxOutOfRange says why idx names no row of a table of rows rows.
func idxOutOfRange(idx int64, rows int) string {
	if rows == 0 {
		return fmt.Sprintf("idx %d is out of range: the table found has no rows", idx)
	}
	if rows == 1 {
		return fmt.Sprintf("idx %d is out of range: the table found has 1 row (idx 0)", idx)
	}
	return fmt.Sprintf("idx %d is out of range: the table found has %d rows (idx 0 to %d)", idx, rows, rows-1)
}
