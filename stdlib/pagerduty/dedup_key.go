package pagerduty

import (
	"fmt"
	"strconv"

	"github.com/influxdata/flux"
	"github.com/influxdata/flux/codes"
	"github.com/influxdata/flux/execute"
	"github.com/influxdata/flux/plan"
	"github.com/influxdata/flux/semantic"
	"github.com/influxdata/flux/values"

	"github.com/fluxpd/fluxpd/internal/event"
)

// DedupKeyKind names the dedupKey operation, procedure and transformation.
// It differs from upstream's "dedupKey" so that the two can never collide
// in Flux's global registries.
const DedupKeyKind = "pagerdutyDedupKey"

// DedupKeyColumn is the column dedupKey adds and endpoint reads. If you
// change it, change it in pagerduty.flux too.
const DedupKeyColumn = "_pagerdutyDedupKey"

// argExclude is the argument of dedupKey naming the group key columns left
// out of the key.
const argExclude = "exclude"

// defaultExclude leaves out the columns that differ between a trigger and
// its resolve, as newest upstream does: the window bounds _start and _stop
// move with every run, and _level is crit on the trigger and ok on the
// resolve. Hashing them, as upstream v0.65.1 does, gives the two different
// keys, so the resolve never reaches the alert.
var defaultExclude = []string{execute.DefaultStartColLabel, execute.DefaultStopColLabel, "_level"}

// dedupKeyFunc is pagerduty.dedupKey.
var dedupKeyFunc = flux.FunctionValue(DedupKeyKind, createDedupKeyOpSpec, flux.FunctionSignature(
	map[string]semantic.PolyType{argExclude: semantic.NewArrayPolyType(semantic.String)},
	nil,
))

// dedupKeyOpSpec is the operation of one dedupKey call.
type dedupKeyOpSpec struct {
	Exclude []string `json:"exclude"`
}

// Kind implements flux.OperationSpec.
func (s *dedupKeyOpSpec) Kind() flux.OperationKind { return DedupKeyKind }

func createDedupKeyOpSpec(args flux.Arguments, a *flux.Administration) (flux.OperationSpec, error) {
	if err := a.AddParentFromArgs(args); err != nil {
		return nil, err
	}
	v, ok := args.Get(argExclude)
	if !ok {
		return &dedupKeyOpSpec{Exclude: defaultExclude}, nil
	}
	exclude, err := stringArray(argExclude, v)
	if err != nil {
		return nil, invalid(err)
	}
	return &dedupKeyOpSpec{Exclude: exclude}, nil
}

// stringArray reads an array of strings, such as a list of column names.
func stringArray(name string, v values.Value) ([]string, error) {
	if v.Type().Nature() != semantic.Array {
		return nil, fmt.Errorf("%s must be an array of column names such as [\"_start\", \"_stop\", \"_level\"]; got a value of type %s", name, natureOf(v))
	}
	out := make([]string, 0, v.Array().Len())
	var err error
	v.Array().Range(func(i int, e values.Value) {
		switch {
		case err != nil:
		case e.Type().Nature() != semantic.String:
			err = fmt.Errorf("%s[%d] must be a column name (a string); got a value of type %s", name, i, natureOf(e))
		default:
			out = append(out, e.Str())
		}
	})
	return out, err
}

// dedupKeyProcedureSpec is the planned dedupKey.
type dedupKeyProcedureSpec struct {
	plan.DefaultCost
	Exclude []string
}

func newDedupKeyProcedure(qs flux.OperationSpec, _ plan.Administration) (plan.ProcedureSpec, error) {
	spec, ok := qs.(*dedupKeyOpSpec)
	if !ok {
		return nil, &flux.Error{Code: codes.Internal, Msg: fmt.Sprintf("invalid spec type %T", qs)}
	}
	return &dedupKeyProcedureSpec{Exclude: spec.Exclude}, nil
}

// Kind implements plan.ProcedureSpec.
func (s *dedupKeyProcedureSpec) Kind() plan.ProcedureKind { return DedupKeyKind }

// Copy implements plan.ProcedureSpec.
func (s *dedupKeyProcedureSpec) Copy() plan.ProcedureSpec {
	ns := *s
	ns.Exclude = append([]string(nil), s.Exclude...)
	return &ns
}

// groupKeyDedupKey returns the dedup key of a table with group key key,
// leaving out the columns in exclude (which need not exist).
func groupKeyDedupKey(key flux.GroupKey, exclude []string) (string, error) {
	cols := make([]event.KeyColumn, 0, len(key.Cols()))
	for j, c := range key.Cols() {
		if execute.ContainsStr(exclude, c.Label) {
			continue
		}
		s, err := renderKeyValue(c.Label, key.Value(j))
		if err != nil {
			return "", err
		}
		cols = append(cols, event.KeyColumn{Label: c.Label, Value: s})
	}
	return event.DedupKey(cols), nil
}

// renderKeyValue renders a group key value the way upstream's dedupKey
// does, so that both derive the same key. A null renders as "".
func renderKeyValue(label string, v values.Value) (string, error) {
	if v.IsNull() {
		return "", nil
	}
	switch n := v.Type().Nature(); n {
	case semantic.String:
		return v.Str(), nil
	case semantic.Int:
		return strconv.FormatInt(v.Int(), 10), nil
	case semantic.UInt:
		return strconv.FormatUint(v.UInt(), 10), nil
	case semantic.Float:
		return strconv.FormatFloat(v.Float(), 'f', -1, 64), nil
	case semantic.Bool:
		return strconv.FormatBool(v.Bool()), nil
	case semantic.Time:
		return v.Time().String(), nil
	case semantic.Duration:
		return v.Duration().String(), nil
	default:
		return "", &flux.Error{
			Code: codes.Invalid,
			Msg: fmt.Sprintf("group key column %q is of type %s, which dedupKey cannot turn into a key; "+
				"valid types are string, int, uint, float, bool, time and duration (hint: add %q to exclude, or convert the column with map())", label, n, label),
		}
	}
}
