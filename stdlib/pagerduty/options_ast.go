package pagerduty

import (
	"github.com/influxdata/flux/ast"
)

// importNames returns the names under which the script imports this
// package: "pagerduty", or an alias such as pd in `import pd "pagerduty"`.
func importNames(pkg *ast.Package) map[string]bool {
	names := make(map[string]bool)
	for _, f := range pkg.Files {
		for _, imp := range f.Imports {
			if imp.Path == nil || imp.Path.Value != pkgPath {
				continue
			}
			name := pkgPath
			if imp.As != nil {
				name = imp.As.Name
			}
			names[name] = true
		}
	}
	return names
}

// setOptions lists, in order and once each, the names of the package's
// options that the script's option statements assign.
func setOptions(pkg *ast.Package, names map[string]bool) []string {
	var set []string
	seen := make(map[string]bool)
	for _, f := range pkg.Files {
		for _, st := range f.Body {
			if name, ok := packageOption(st, names); ok && !seen[name] {
				seen[name] = true
				set = append(set, name)
			}
		}
	}
	return set
}

// packageOption reports the option name of `option pagerduty.X = ...`.
func packageOption(st ast.Statement, names map[string]bool) (string, bool) {
	opt, ok := st.(*ast.OptionStatement)
	if !ok {
		return "", false
	}
	ma, ok := opt.Assignment.(*ast.MemberAssignment)
	if !ok {
		return "", false
	}
	obj, ok := ma.Member.Object.(*ast.Identifier)
	if !ok || !names[obj.Name] {
		return "", false
	}
	return ma.Member.Property.Key(), true
}

// optionsOnly returns a copy of pkg that keeps the imports, every option
// statement, and the variable assignments those options refer to,
// directly or through other kept assignments. Evaluating it computes the
// options without running the script's queries or sends.
func optionsOnly(pkg *ast.Package) *ast.Package {
	needed := make(map[string]bool)
	for _, f := range pkg.Files {
		for _, st := range f.Body {
			if _, ok := st.(*ast.OptionStatement); ok {
				addIdentifiers(st, needed)
			}
		}
	}
	// A kept assignment may refer to earlier ones: repeat until no new
	// name is needed.
	visited := make(map[string]bool)
	for changed := true; changed; {
		changed = false
		for _, f := range pkg.Files {
			for _, st := range f.Body {
				va, ok := st.(*ast.VariableAssignment)
				if ok && needed[va.ID.Name] && !visited[va.ID.Name] {
					visited[va.ID.Name] = true
					addIdentifiers(va.Init, needed)
					changed = true
				}
			}
		}
	}
	out := &ast.Package{BaseNode: pkg.BaseNode, Path: pkg.Path, Package: pkg.Package}
	for _, f := range pkg.Files {
		var body []ast.Statement
		for _, st := range f.Body {
			switch s := st.(type) {
			case *ast.OptionStatement:
				body = append(body, s)
			case *ast.VariableAssignment:
				if needed[s.ID.Name] {
					body = append(body, s)
				}
			}
		}
		out.Files = append(out.Files, &ast.File{
			BaseNode: f.BaseNode, Name: f.Name, Package: f.Package, Imports: f.Imports, Body: body,
		})
	}
	return out
}

// addIdentifiers adds every identifier n refers to. Property names of
// member expressions and record keys are added too; keeping an assignment
// that is not needed is harmless.
func addIdentifiers(n ast.Node, names map[string]bool) {
	ast.Walk(ast.CreateVisitor(func(n ast.Node) {
		if id, ok := n.(*ast.Identifier); ok {
			names[id.Name] = true
		}
	}), n)
}
