package builtin

import (
	"testing"

	"github.com/influxdata/flux"
)

// TestFinalizedAtInit keeps the package's contract: importing it finalizes
// Flux at init, so embedders can compile scripts at once.
func TestFinalizedAtInit(t *testing.T) {
	defer func() {
		if r := recover(); r != nil {
			t.Fatalf("Flux is not finalized after importing builtin: %v", r)
		}
	}()
	_ = flux.Prelude()
}
