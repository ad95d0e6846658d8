package fluxrun

import (
	"context"
	"sync"

	"github.com/influxdata/flux/ast"
)

// A ContextHook prepares the context of one query from its script before
// the script is evaluated; the context it returns is used for evaluation
// and execution. fluxpd's pagerduty registers pagerduty.WithScript, so
// that every pagerduty call of a query sees the options its script sets.
type ContextHook func(ctx context.Context, pkg *ast.Package) (context.Context, error)

var (
	hooksMu sync.RWMutex
	hooks   []ContextHook
)

// RegisterContextHook adds h to the hooks every Runner applies. Packages
// call it from init, as they call flux.RegisterPackage.
func RegisterContextHook(h ContextHook) {
	hooksMu.Lock()
	defer hooksMu.Unlock()
	hooks = append(hooks, h)
}

// prepare applies the registered hooks in order.
func prepare(ctx context.Context, pkg *ast.Package) (context.Context, error) {
	hooksMu.RLock()
	defer hooksMu.RUnlock()
	for _, h := range hooks {
		var err error
		if ctx, err = h(ctx, pkg); err != nil {
			return ctx, err
		}
	}
	return ctx, nil
}
