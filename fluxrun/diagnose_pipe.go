package fluxrun

import (
	"fmt"
	"strings"

	"github.com/influxdata/flux/ast"
	"github.com/influxdata/flux/parser"
)

// pipeDestination is a pipe into a function that is not called, such as
// data |> pagerduty.endpoint.
type pipeDestination struct {
	pos  ast.Position
	dest string // the destination as written
}

// diagnostic says what is wrong and, unless Runner.Check explains
// the pipe at the same place (it sees the call added) and so says what to
// write instead, how to fix it.
func (p pipeDestination) diagnostic(checkErr error) diagnostic {
	d := diagnostic{pos: p.pos, msg: fmt.Sprintf("the pipe's destination %s is not a function call", p.dest)}
	if checkErr == nil || !strings.Contains(checkErr.Error(), fmt.Sprintf("line %d:%d: ", p.pos.Line, p.pos.Column)) {
		d.msg += fmt.Sprintf(": write |> %s(...)", p.dest)
	}
	return d
}

// repairPipe records a pipe destination that is not a call and adds the
// call (data |> f becomes data |> f()), reporting whether it could.
func (d *diagnoser) repairPipe(call *ast.CallExpression) bool {
	loc := call.Location()
	dest := strings.TrimSpace(loc.Source)
	if call.Callee != nil || dest == "" || strings.Contains(dest, "\n") {
		return false
	}
	parsed := parser.ParseSource(dest)
	if ast.Check(parsed) > 0 || len(parsed.Files) != 1 || len(parsed.Files[0].Body) != 1 {
		return false
	}
	st, ok := parsed.Files[0].Body[0].(*ast.ExpressionStatement)
	if !ok {
		return false
	}
	call.Callee = st.Expression
	call.Errors = nil
	d.pipes = append(d.pipes, pipeDestination{pos: loc.Start, dest: dest})
	return true
}
