package pagerduty

import (
	"fmt"

	"github.com/influxdata/flux"
	"github.com/influxdata/flux/codes"
	"github.com/influxdata/flux/execute"
	"github.com/influxdata/flux/memory"
	"github.com/influxdata/flux/plan"
)

// dedupKeyTransformation adds DedupKeyColumn to every row: the key derived
// from the row's table's group key, the same for every row of a table.
//
// Unlike upstream's, it passes each table on as soon as it is built rather
// than keeping every table until the end of the stream, so that it does not
// hold a second copy of the stream in front of endpoint.
type dedupKeyTransformation struct {
	d       *execute.PassthroughDataset
	alloc   *memory.Allocator
	exclude []string
}

func createDedupKeyTransformation(id execute.DatasetID, _ execute.AccumulationMode, spec plan.ProcedureSpec, a execute.Administration) (execute.Transformation, execute.Dataset, error) {
	s, ok := spec.(*dedupKeyProcedureSpec)
	if !ok {
		return nil, nil, &flux.Error{Code: codes.Internal, Msg: fmt.Sprintf("invalid spec type %T", spec)}
	}
	d := execute.NewPassthroughDataset(id)
	return &dedupKeyTransformation{d: d, alloc: a.Allocator(), exclude: s.Exclude}, d, nil
}

// Process copies tbl with the dedup key column added and passes it on.
func (t *dedupKeyTransformation) Process(_ execute.DatasetID, tbl flux.Table) error {
	key, err := groupKeyDedupKey(tbl.Key(), t.exclude)
	if err != nil {
		return err
	}
	b := execute.NewColListTableBuilder(tbl.Key(), t.alloc)
	defer b.Release()
	out, err := newOutTable(b, true, tbl, "dedupKey", []string{DedupKeyColumn})
	if err != nil {
		return err
	}
	err = tbl.Do(func(cr flux.ColReader) error {
		if err := out.appendInput(cr); err != nil {
			return err
		}
		for i := 0; i < cr.Len(); i++ {
			if err := out.appendAdded(key); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	result, err := b.Table()
	if err != nil {
		return err
	}
	return t.d.Process(result)
}

// RetractTable implements execute.Transformation.
func (t *dedupKeyTransformation) RetractTable(_ execute.DatasetID, key flux.GroupKey) error {
	return t.d.RetractTable(key)
}

// UpdateWatermark implements execute.Transformation.
func (t *dedupKeyTransformation) UpdateWatermark(_ execute.DatasetID, mark execute.Time) error {
	return t.d.UpdateWatermark(mark)
}

// UpdateProcessingTime implements execute.Transformation.
func (t *dedupKeyTransformation) UpdateProcessingTime(_ execute.DatasetID, pt execute.Time) error {
	return t.d.UpdateProcessingTime(pt)
}

// Finish implements execute.Transformation.
func (t *dedupKeyTransformation) Finish(_ execute.DatasetID, err error) {
	t.d.Finish(err)
}
