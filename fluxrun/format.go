package fluxrun

import (
	"fmt"
	"io"

	"github.com/influxdata/flux"
	"github.com/influxdata/flux/csv"
	"github.com/influxdata/flux/execute"
)

// CSV writes results as Flux annotated CSV, the format InfluxDB's query API
// answers with.
type CSV struct{ W io.Writer }

// WriteResults implements ResultWriter.
func (c CSV) WriteResults(results flux.ResultIterator) error {
	enc := csv.NewMultiResultEncoder(csv.DefaultEncoderConfig())
	_, err := enc.Encode(c.W, results)
	return err
}

// Table writes results as aligned text tables, for people.
type Table struct{ W io.Writer }

// WriteResults implements ResultWriter.
func (t Table) WriteResults(results flux.ResultIterator) error {
	for results.More() {
		res := results.Next()
		if _, err := fmt.Fprintf(t.W, "Result: %s\n", res.Name()); err != nil {
			return err
		}
		err := res.Tables().Do(func(tbl flux.Table) error {
			_, err := execute.NewFormatter(tbl, nil).WriteTo(t.W)
			return err
		})
		if err != nil {
			return err
		}
	}
	return nil
}
