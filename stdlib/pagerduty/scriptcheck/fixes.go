package scriptcheck

import (
	"fmt"
	"slices"
	"strings"

	"github.com/influxdata/flux/ast"
)

// This file holds CheckScript's checks of one call or pipe and the messages
// they give, each with the fix written out.

// checkCall checks the argument names of call n.
func (c *checker) checkCall(n *ast.CallExpression) {
	t := c.resolve(n.Callee)
	if t == nil {
		return
	}
	if t.from == monitorPath && t.fn == "notify" && t.level() == 0 {
		c.checkNotify(n, t)
		return
	}
	l, ok := t.next()
	if !ok {
		return
	}
	sig, after := t.sigs[l], t.called(n)
	for _, p := range callProperties(n) {
		name := p.Key.Key()
		switch {
		case takes(sig, name):
			if name == c.mapFn {
				c.checkMapFn(p.Value)
			}
		case t.levelTaking(name, -1) >= 0:
			if !c.found.reported[n] {
				c.misplaced(p, t, after, name)
			}
		default:
			msg := fmt.Sprintf("%s has no parameter %q", t.describe(), name)
			if s := suggest(name, allParameters(sig)); s != "" {
				msg += fmt.Sprintf(" (did you mean %s?)", s)
			}
			c.errorAt(p.Key, msg+"; its parameters are "+parameterList(sig))
		}
	}
}

// misplaced reports an argument that belongs to another call of the
// chain, such as pagerduty.endpoint(mapFn: ...).
func (c *checker) misplaced(p *ast.Property, t, after *target, name string) {
	l := t.levelTaking(name, -1)
	owner := t.alias + "." + t.fn
	if l > 0 {
		owner = "the function " + after.fixed(l) + " returns"
	}
	c.errorAt(p.Key, fmt.Sprintf("%s has no parameter %q: %s is a parameter of %s; write %s",
		t.describe(), name, name, owner, after.fixed(max(after.level(), l+1))))
}

// checkPipe checks that tables are piped into a function that takes them,
// such as the one pagerduty.endpoint()(mapFn: ...) returns.
func (c *checker) checkPipe(n *ast.PipeExpression) {
	if n.Call == nil {
		return
	}
	t := c.resolve(n.Call.Callee)
	if t == nil {
		return
	}
	l, ok := t.next()
	if !ok || t.sigs[l].PipeArgument != "" {
		return
	}
	after := t.called(n.Call)
	j := t.pipeLevel(l + 1)
	if j < 0 {
		return
	}
	c.found.reported[n.Call] = true
	written, returner := after.written(), after.fixed(j)
	if returner == written {
		returner = "it"
	}
	c.errorAt(n.Call, fmt.Sprintf("cannot pipe into %s: %s returns the function to pipe into; write |> %s",
		written, returner, after.fixed(j+1)))
}

// checkNotify checks that monitor.notify's endpoint is the function to
// pipe tables into that endpoint() returns, not endpoint itself.
func (c *checker) checkNotify(n *ast.CallExpression, notify *target) {
	for _, p := range callProperties(n) {
		if p.Key.Key() != "endpoint" {
			continue
		}
		t := c.resolve(p.Value)
		if t == nil {
			continue
		}
		l, ok := t.next()
		if !ok || t.sigs[l].PipeArgument != "" {
			continue
		}
		j := t.pipeLevel(l)
		if j < 0 {
			continue
		}
		if call, ok := p.Value.(*ast.CallExpression); ok {
			c.found.reported[call] = true
		}
		c.errorAt(p.Value, fmt.Sprintf("%s.notify's endpoint must be the function to pipe tables into, which %s is not; write endpoint: %s",
			notify.alias, t.written(), t.fixed(j)))
	}
}

// checkMapFn checks the fields of the records a mapFn written as a
// function literal returns: a field endpoint does not read would be
// dropped without a word, as upstream does.
func (c *checker) checkMapFn(v ast.Expression) {
	fn, ok := unparen(v).(*ast.FunctionExpression)
	if !ok {
		return
	}
	for _, rec := range returnedRecords(fn.Body) {
		for _, p := range rec.Properties {
			if p == nil || p.Key == nil || slices.Contains(c.fields, p.Key.Key()) {
				continue
			}
			msg := fmt.Sprintf("mapFn returns the field %q, which endpoint does not read", p.Key.Key())
			if s := suggest(p.Key.Key(), c.fields); s != "" {
				msg += fmt.Sprintf(" (did you mean %s?)", s)
			}
			c.errorAt(p.Key, msg+"; the fields it reads are "+strings.Join(c.fields, ", "))
		}
	}
}

func unparen(e ast.Expression) ast.Expression {
	for {
		p, ok := e.(*ast.ParenExpression)
		if !ok {
			return e
		}
		e = p.Expression
	}
}

// returnedRecords are the record literals a function body returns: the
// body itself, both branches of an if, a block's return statements.
func returnedRecords(body ast.Node) []*ast.ObjectExpression {
	switch b := body.(type) {
	case *ast.ObjectExpression:
		return []*ast.ObjectExpression{b}
	case *ast.ParenExpression:
		return returnedRecords(b.Expression)
	case *ast.ConditionalExpression:
		return append(returnedRecords(b.Consequent), returnedRecords(b.Alternate)...)
	case *ast.Block:
		var recs []*ast.ObjectExpression
		for _, st := range b.Body {
			if r, ok := st.(*ast.ReturnStatement); ok {
				recs = append(recs, returnedRecords(r.Argument)...)
			}
		}
		return recs
	}
	return nil
}

func (c *checker) errorAt(n ast.Node, msg string) {
	c.found.errs = append(c.found.errs, located(n, msg))
}

// levelTaking returns the call of t's chain that takes the parameter name:
// written when that one does, else the first that does, else -1.
func (t *target) levelTaking(name string, written int) int {
	if written >= 0 && written < len(t.sigs) && takes(t.sigs[written], name) {
		return written
	}
	for l, sig := range t.sigs {
		if takes(sig, name) {
			return l
		}
	}
	return -1
}

// start is the name the script calls t by and the first call after it.
func (t *target) start() (string, int) {
	if t.via != "" {
		return t.via, t.base
	}
	return t.alias + "." + t.fn, 0
}

// written is t as the script wrote it, values elided:
// pagerduty.endpoint(url: ...)(mapFn: ...).
func (t *target) written() string {
	name, from := t.start()
	return name + calls(t.args[from:])
}

// describe names the function t is, for "X has no parameter".
func (t *target) describe() string {
	name, from := t.start()
	switch {
	case t.level() > from:
		return "the function " + t.written() + " returns"
	case t.via != "":
		return fmt.Sprintf("%s (%s.%s%s)", name, t.alias, t.fn, calls(t.args[:from]))
	}
	return name
}

// fixed is t's chain of n calls written right: every argument in the call
// that takes it, and each call's required parameters (but the piped one).
func (t *target) fixed(n int) string {
	args := make([][]string, n)
	add := func(l int, name string) {
		if l >= 0 && l < n && !slices.Contains(args[l], name) {
			args[l] = append(args[l], name)
		}
	}
	for i, names := range t.args {
		for _, name := range names {
			add(t.levelTaking(name, i), name)
		}
	}
	for l := 0; l < n && l < len(t.sigs); l++ {
		for _, name := range t.sigs[l].Required {
			if string(name) != t.sigs[l].PipeArgument {
				add(l, string(name))
			}
		}
	}
	name, from := t.start()
	return name + calls(args[min(from, n):])
}

// calls renders argument names as calls with the values elided:
// ()(mapFn: ...).
func calls(args [][]string) string {
	var b strings.Builder
	for _, names := range args {
		b.WriteByte('(')
		for i, name := range names {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString(name + ": ...")
		}
		b.WriteByte(')')
	}
	return b.String()
}
