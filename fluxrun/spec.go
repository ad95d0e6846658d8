package fluxrun

import (
	"fmt"
	"time"

	"github.com/influxdata/flux"
	"github.com/influxdata/flux/values"
)

// specFromTables builds one query spec from the table objects a script
// produced, sharing the operations they have in common, the way Flux's own
// query path does (flux/internal/spec.FromEvaluation, which is not
// importable).
func specFromTables(tables []*flux.TableObject, now time.Time) *flux.Spec {
	b := &specBuilder{
		spec:    &flux.Spec{Now: now},
		ids:     make(map[*flux.TableObject]flux.OperationID),
		visited: make(map[*flux.TableObject]bool),
	}
	for _, t := range tables {
		if !b.visited[t] {
			b.add(t)
		}
	}
	return b.spec
}

type specBuilder struct {
	spec    *flux.Spec
	ids     map[*flux.TableObject]flux.OperationID
	visited map[*flux.TableObject]bool
}

// ID implements flux.IDer.
func (b *specBuilder) ID(t *flux.TableObject) flux.OperationID {
	id, ok := b.ids[t]
	if !ok {
		id = flux.OperationID(fmt.Sprintf("%s%d", t.Kind, len(b.ids)))
		b.ids[t] = id
	}
	return id
}

// add appends t after all of its unvisited ancestors.
func (b *specBuilder) add(t *flux.TableObject) {
	t.Parents.Range(func(_ int, v values.Value) {
		if p := v.(*flux.TableObject); !b.visited[p] {
			b.add(p)
		}
	})
	id := b.ID(t)
	t.Parents.Range(func(_ int, v values.Value) {
		b.spec.Edges = append(b.spec.Edges, flux.Edge{Parent: b.ID(v.(*flux.TableObject)), Child: id})
	})
	b.visited[t] = true
	b.spec.Operations = append(b.spec.Operations, t.Operation(b))
}
