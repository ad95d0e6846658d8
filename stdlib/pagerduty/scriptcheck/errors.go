package scriptcheck

import (
	"errors"
	"fmt"
	"strings"

	"github.com/influxdata/flux"
	"github.com/influxdata/flux/ast"
	"github.com/influxdata/flux/codes"
)

// joined is the error of the mistakes found in a script, on one line, or
// nil when there are none.
func joined(errs []error) error {
	if len(errs) == 0 {
		return nil
	}
	return &flux.Error{Code: codes.Invalid, Msg: strings.ReplaceAll(errors.Join(errs...).Error(), "\n", "; ")}
}

// located prefixes msg with where n starts in the script, "line 3:5: ",
// when the parser recorded it.
func located(n ast.Node, msg string) error {
	if n == nil {
		return errors.New(msg)
	}
	if start := n.Location().Start; start.Line > 0 {
		return fmt.Errorf("line %d:%d: %s", start.Line, start.Column, msg)
	}
	return errors.New(msg)
}
