package fluxrun

import (
	"cmp"
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/influxdata/flux"
	"github.com/influxdata/flux/ast"
	"github.com/influxdata/flux/codes"
)

// This file finds the mistakes of a script that Flux v0.65 reports without
// a position, or with a message that does not say what to write: an
// assignment with no value (Flux: "unsupported expression <nil>"), an
// assignment whose value is missing at the end of a line (Flux read the
// next line's name as its value and then "invalid statement: ="), a pipe
// into a function that is not called, and every parse error, each with its
// line and column.

// diagnostic is one mistake and where it starts; a zero pos is unknown.
type diagnostic struct {
	pos ast.Position
	msg string
}

func (d diagnostic) String() string {
	if d.pos.Line == 0 {
		return d.msg
	}
	return fmt.Sprintf("line %d:%d: %s", d.pos.Line, d.pos.Column, d.msg)
}

// diagnose returns the script's mistakes, one per line prefixed with name
// when it is not empty, or nil. It adds the missing call of a pipe's
// destination to pkg, to let check (Runner.Check) explain what to write.
func diagnose(name string, pkg *ast.Package, check func(*ast.Package) error) error {
	ast.Check(pkg) // records the errors the parser leaves to it, such as "missing right hand side"
	d := &diagnoser{explained: make(map[ast.Node]bool), seen: make(map[diagnostic]bool)}
	ast.Walk(d, pkg)
	var checkErr error
	if check != nil {
		checkErr = check(pkg)
	}
	for _, p := range d.pipes {
		d.found = append(d.found, p.diagnostic(checkErr))
	}
	slices.SortStableFunc(d.found, func(a, b diagnostic) int {
		return cmp.Or(cmp.Compare(a.pos.Line, b.pos.Line), cmp.Compare(a.pos.Column, b.pos.Column))
	})
	var lines []string
	for _, f := range d.found {
		lines = append(lines, f.String())
	}
	if checkErr != nil {
		lines = append(lines, checkErr.Error())
	}
	if len(lines) == 0 {
		return nil
	}
	if name != "" {
		for i := range lines {
			lines[i] = name + ": " + lines[i]
		}
	}
	return &flux.Error{Code: codes.Invalid, Msg: strings.Join(lines, "\n")}
}

// diagnoser walks the script, keeping the path from the root to the node
// it visits: a node the parser gave no position (a value it could not
// read) is placed by the nodes around it.
type diagnoser struct {
	path      []ast.Node
	found     []diagnostic
	pipes     []pipeDestination
	explained map[ast.Node]bool // bad statements a diagnostic already explains
	seen      map[diagnostic]bool
}

// Visit implements ast.Visitor.
func (d *diagnoser) Visit(node ast.Node) ast.Visitor {
	d.path = append(d.path, node)
	switch n := node.(type) {
	case *ast.File:
		d.splitAssignments(n.Body)
	case *ast.Block:
		d.splitAssignments(n.Body)
	case *ast.OptionStatement:
		if name, ok := emptyAssignment(n.Assignment); ok {
			d.add(n.Assignment, fmt.Sprintf("option %s has no value: write option %s = <expression>", name, name))
			d.explained[n.Assignment] = true
		}
	case *ast.VariableAssignment, *ast.MemberAssignment:
		if name, ok := emptyAssignment(n.(ast.Assignment)); ok && !d.explained[n] {
			d.add(n, fmt.Sprintf("the assignment to %s has no value: write %s = <expression>", name, name))
		}
	case *ast.ReturnStatement:
		if n.Argument == nil {
			// The parser gives it no position: it is placed at its block.
			d.add(n, "a return statement in the block starting here has no value: write return <expression>")
		}
	}
	d.parseErrors(node)
	return d
}

// Done implements ast.Visitor.
func (d *diagnoser) Done(ast.Node) { d.path = d.path[:len(d.path)-1] }

// add records msg at n, once: a host that checked the AST already (Check
// records its errors again each time) gets no repeats.
func (d *diagnoser) add(n ast.Node, msg string) {
	f := diagnostic{pos: d.position(n), msg: msg}
	if !d.seen[f] {
		d.seen[f] = true
		d.found = append(d.found, f)
	}
}

// positionSuffix is how the parser (v0.65, v0.67) writes a location into
// some of its messages, such as "invalid statement @3:3-3:4: =", beside the
// location it records.
var positionSuffix = regexp.MustCompile(` ?@\d+:\d+-\d+:\d+`)

// pipeNotCall is the parser's error for data |> f.
const pipeNotCall = "pipe destination must be a function call"

// parseErrors adds the parse errors recorded on n.
func (d *diagnoser) parseErrors(n ast.Node) {
	if d.explained[n] {
		return
	}
	for _, e := range n.Errs() {
		if call, ok := n.(*ast.CallExpression); ok && e.Msg == pipeNotCall && d.repairPipe(call) {
			continue
		}
		d.add(n, positionSuffix.ReplaceAllString(e.Msg, ""))
	}
}

// emptyAssignment reports the name a with no value assigns.
func emptyAssignment(a ast.Assignment) (string, bool) {
	switch a := a.(type) {
	case *ast.VariableAssignment:
		if a.Init == nil && a.ID != nil {
			return a.ID.Name, true
		}
	case *ast.MemberAssignment:
		if a.Init == nil && a.Member != nil {
			return a.Member.Location().Source, true
		}
	}
	return "", false
}

// splitAssignments finds `x =` at the end of a line followed by `y = 1`:
// the parser reads x = y, then a statement "= 1" it cannot read.
func (d *diagnoser) splitAssignments(body []ast.Statement) {
	for i := 0; i+1 < len(body); i++ {
		bad, ok := body[i+1].(*ast.BadStatement)
		if !ok || !strings.HasPrefix(strings.TrimSpace(bad.Text), "=") {
			continue
		}
		a := body[i]
		if opt, ok := a.(*ast.OptionStatement); ok {
			a = opt.Assignment
		}
		va, ok := a.(*ast.VariableAssignment)
		if !ok || va.ID == nil {
			continue
		}
		value, ok := va.Init.(*ast.Identifier)
		if !ok || value.Location().Start.Line <= va.ID.Location().Start.Line {
			continue
		}
		d.explained[bad] = true
		d.add(va.ID, fmt.Sprintf("the assignment to %s has no value: write %s = <expression> (Flux read %s, on line %d, as its value)",
			va.ID.Name, va.ID.Name, value.Name, value.Location().Start.Line))
	}
}

// position is where n starts; when the parser did not record it, where
// the first of n's parts it did record starts, else where the nearest
// enclosing node with a position starts.
func (d *diagnoser) position(n ast.Node) ast.Position {
	if p, ok := firstPosition(n); ok {
		return p
	}
	for i := len(d.path) - 1; i >= 0; i-- {
		if p, ok := firstPosition(d.path[i]); ok {
			return p
		}
	}
	return ast.Position{}
}

// firstPosition is the start of n or, failing that, of the first node
// within it that has one.
func firstPosition(n ast.Node) (ast.Position, bool) {
	var found ast.Position
	ast.Walk(ast.CreateVisitor(func(x ast.Node) {
		if found.Line == 0 {
			found = x.Location().Start
		}
	}), n)
	return found, found.Line > 0
}
