package scriptcheck

import (
	"maps"
	"strings"

	"github.com/influxdata/flux/ast"
)

// Package scriptcheck checks, before a script runs, how it calls the
// functions of fluxpd's pagerduty package, so that a mistake Flux's type checker would report as
// `function does not take a parameter "severty", required params (...)` or
// `function does not take a pipe argument` gets a message with its line,
// the likely fix and the valid names instead. It refuses only what Flux
// would refuse anyway, and one thing more: a field of a mapFn record
// literal that endpoint does not read, which would be dropped silently.

// monitorPath is the import path of the package whose notify function
// takes endpoint()'s result.
const monitorPath = "influxdata/influxdb/monitor"

// Path is the import path of the package whose calls Check checks.
const Path = "pagerduty"

// Names are the names of the binding that Check cannot read from the
// package's signatures: the parameter of endpoint()'s function that takes
// the row function, and the fields of the record that function returns.
type Names struct {
	MapFn  string
	Fields []string
}

// Check returns every mistake in how pkg calls the package's functions,
// in one error, or nil (also before Flux's builtins are finalized: there is
// then nothing to run the script with).
func Check(pkg *ast.Package, names Names) error {
	if pkg == nil {
		return nil
	}
	s := packageSignatures()
	if s == nil {
		return nil
	}
	c := &checker{found: &findings{reported: make(map[*ast.CallExpression]bool)}, sigs: s, scope: make(map[string]*target),
		mapFn: names.MapFn, fields: names.Fields}
	for _, f := range pkg.Files {
		for _, imp := range f.Imports {
			c.declareImport(imp)
		}
	}
	ast.Walk(c, pkg)
	return joined(c.found.errs)
}

// target is what an expression of the script refers to: this package or
// monitor, imported, or a function of one of them after some calls.
type target struct {
	pkg   string // import path when the target is the package itself
	alias string // the name the package is imported as
	fn    string // the function, such as "endpoint"
	from  string // the import path of fn's package
	sigs  signatures
	args  [][]string // the argument names written at each call applied so far
	via   string     // the variable the script calls it through, if any
	base  int        // how many calls the variable's value applied
}

// level is how many calls were applied: pagerduty.endpoint() is at 1, and
// its next call takes sigs[1].
func (t *target) level() int { return len(t.args) }

// next returns the index in sigs of the signature the next call takes, or
// false when the target is not a function of this package or takes no
// more calls.
func (t *target) next() (sigIndex int, ok bool) {
	return t.level(), t.from == Path && t.level() < len(t.sigs)
}

// called returns the target after the call n.
func (t *target) called(n *ast.CallExpression) *target {
	c := *t
	c.args = append(append([][]string(nil), t.args...), argumentNames(n))
	return &c
}

// pipeLevel returns the first level, from `from` on, whose signature takes
// piped tables, or -1.
func (t *target) pipeLevel(from int) int {
	for l := from; l < len(t.sigs); l++ {
		if t.sigs[l].PipeArgument != "" {
			return l
		}
	}
	return -1
}

// findings are what the check found, shared by the nested checkers.
type findings struct {
	errs     []error
	reported map[*ast.CallExpression]bool // calls whose mistake a pipe's message already explains
}

// checker walks the script with the names in scope at each point: a
// function's parameters and a block's variables hide outer names.
type checker struct {
	found  *findings
	sigs   map[string]signatures
	scope  map[string]*target // nil: a name of the script that is none of ours
	mapFn  string             // Names.MapFn
	fields []string           // Names.Fields
}

func (c *checker) declareImport(imp *ast.ImportDeclaration) {
	if imp.Path == nil || (imp.Path.Value != Path && imp.Path.Value != monitorPath) {
		return
	}
	alias := imp.Path.Value[strings.LastIndex(imp.Path.Value, "/")+1:]
	if imp.As != nil {
		alias = imp.As.Name
	}
	c.scope[alias] = &target{pkg: imp.Path.Value, alias: alias}
}

// Visit implements ast.Visitor.
func (c *checker) Visit(node ast.Node) ast.Visitor {
	switch n := node.(type) {
	case *ast.FunctionExpression:
		inner := &checker{found: c.found, sigs: c.sigs, scope: maps.Clone(c.scope)}
		for _, p := range n.Params {
			if p != nil && p.Key != nil {
				inner.scope[p.Key.Key()] = nil
			}
		}
		return inner
	case *ast.VariableAssignment:
		if n.ID != nil {
			c.scope[n.ID.Name] = c.variable(n.ID.Name, n.Init)
		}
	case *ast.PipeExpression:
		c.checkPipe(n)
	case *ast.CallExpression:
		c.checkCall(n)
	}
	return c
}

// Done implements ast.Visitor.
func (c *checker) Done(ast.Node) {}

// variable is the target of a variable assigned init, such as
// toPagerDuty = pagerduty.endpoint().
func (c *checker) variable(name string, init ast.Expression) *target {
	t := c.resolve(init)
	if t == nil || t.pkg != "" {
		return t
	}
	v := *t
	v.via, v.base = name, t.level()
	return &v
}

// resolve returns what e refers to, or nil when it is none of ours.
func (c *checker) resolve(e ast.Expression) *target {
	switch e := e.(type) {
	case *ast.Identifier:
		return c.scope[e.Name]
	case *ast.ParenExpression:
		return c.resolve(e.Expression)
	case *ast.MemberExpression:
		obj := c.resolve(e.Object)
		if obj == nil || obj.pkg == "" || e.Property == nil {
			return nil
		}
		name := e.Property.Key()
		t := &target{alias: obj.alias, fn: name, from: obj.pkg}
		if obj.pkg == Path {
			if t.sigs = c.sigs[name]; t.sigs == nil {
				return nil
			}
		}
		return t
	case *ast.CallExpression:
		t := c.resolve(e.Callee)
		if t == nil {
			return nil
		}
		if _, ok := t.next(); !ok {
			return nil
		}
		return t.called(e)
	}
	return nil
}

// argumentNames are the names of the arguments written in call n.
func argumentNames(n *ast.CallExpression) []string {
	var names []string
	for _, p := range callProperties(n) {
		names = append(names, p.Key.Key())
	}
	return names
}

// callProperties are the arguments of call n that have a name.
func callProperties(n *ast.CallExpression) []*ast.Property {
	var props []*ast.Property
	for _, a := range n.Arguments {
		obj, ok := a.(*ast.ObjectExpression)
		if !ok {
			continue
		}
		for _, p := range obj.Properties {
			if p != nil && p.Key != nil {
				props = append(props, p)
			}
		}
	}
	return props
}
