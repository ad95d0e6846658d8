package scriptcheck

import (
	"slices"
	"strings"
	"sync"

	"github.com/influxdata/flux"
	"github.com/influxdata/flux/semantic"
	"github.com/influxdata/flux/values"
)

// This file knows the parameter names of the package's functions and finds
// the one a misspelled name was meant to be.

// signatures are the parameter lists of one function of the package: the
// function's own, then, when it returns a function, that function's, and
// so on. endpoint has three: (url, concurrency), (mapFn), (tables=<-).
type signatures []semantic.FunctionPolySignature

var (
	sigsMu sync.Mutex
	sigs   map[string]signatures
)

// packageSignatures returns the signatures of every function of the
// package, read from the package Flux evaluated (so the builtins' declared
// signatures and the inferred ones of pagerduty.flux's functions), or nil
// before Flux's builtins are finalized.
func packageSignatures() map[string]signatures {
	sigsMu.Lock()
	defer sigsMu.Unlock()
	if sigs != nil {
		return sigs
	}
	pkg, ok := flux.StdLib().ImportPackageObject(Path)
	if !ok {
		return nil
	}
	found := make(map[string]signatures)
	pkg.Range(func(name string, v values.Value) {
		if s := signaturesOf(v.PolyType()); len(s) > 0 {
			found[name] = s
		}
	})
	sigs = found
	return sigs
}

// signatureHolder is the function poly type of Flux v0.65 and v0.67, whose
// type is not exported.
type signatureHolder interface {
	Signature() semantic.FunctionPolySignature
}

func signaturesOf(t semantic.PolyType) signatures {
	var s signatures
	for {
		f, ok := t.(signatureHolder)
		if !ok {
			return s
		}
		sig := f.Signature()
		s = append(s, sig)
		t = sig.Return
	}
}

// takes reports whether sig has the parameter name.
func takes(sig semantic.FunctionPolySignature, name string) bool {
	_, ok := sig.Parameters[name]
	return ok
}

// parameters lists sig's parameter names: the required ones in declared
// order, then the others sorted.
func parameters(sig semantic.FunctionPolySignature) (required, optional []string) {
	for _, name := range sig.Required {
		required = append(required, string(name))
	}
	for name := range sig.Parameters {
		if !slices.Contains(required, name) {
			optional = append(optional, name)
		}
	}
	slices.Sort(optional)
	return required, optional
}

// parameterList is the list of valid names errors show, such as
// "level (required)" or "exclude, tables (optional)".
func parameterList(sig semantic.FunctionPolySignature) string {
	required, optional := parameters(sig)
	var parts []string
	if len(required) > 0 {
		parts = append(parts, strings.Join(required, ", ")+" (required)")
	}
	if len(optional) > 0 {
		parts = append(parts, strings.Join(optional, ", ")+" (optional)")
	}
	if len(parts) == 0 {
		return "none"
	}
	return strings.Join(parts, " and ")
}

// allParameters lists every parameter name of sig.
func allParameters(sig semantic.FunctionPolySignature) []string {
	required, optional := parameters(sig)
	return append(required, optional...)
}

// maxTypos is how many edits (insert, delete, replace, swap two neighbours)
// a name of the given length may be from the one it was meant to be: one
// for short names, where more would match unrelated names, up to three.
func maxTypos(length int) int {
	switch {
	case length <= 4:
		return 1
	case length <= 8:
		return 2
	default:
		return 3
	}
}

// suggest returns the name in valid that name was most likely meant to be,
// or "" when none is close. Names that differ only in case or separators
// (custom_details, ROUTING-KEY) match exactly; otherwise the nearest by
// edit distance within maxTypos wins, ties going to the earlier in valid.
func suggest(name string, valid []string) string {
	n := fold(name)
	best, bestDist := "", maxTypos(len(n))+1
	for _, v := range valid {
		if d := editDistance(n, fold(v)); d < bestDist {
			best, bestDist = v, d
		}
	}
	return best
}

// fold lower-cases s and drops the separators people put between words.
func fold(s string) string {
	return strings.Map(func(r rune) rune {
		switch r {
		case '_', '-', ' ', '.':
			return -1
		}
		return r
	}, strings.ToLower(s))
}

// editDistance is the optimal string alignment distance between a and b:
// how many single-character inserts, deletes, replacements and swaps of
// neighbours turn one into the other.
func editDistance(a, b string) int {
	x, y := []rune(a), []rune(b)
	// d[i][j] is the distance between x[:i] and y[:j].
	d := make([][]int, len(x)+1)
	for i := range d {
		d[i] = make([]int, len(y)+1)
		d[i][0] = i
	}
	for j := range d[0] {
		d[0][j] = j
	}
	for i := 1; i <= len(x); i++ {
		for j := 1; j <= len(y); j++ {
			cost := 1
			if x[i-1] == y[j-1] {
				cost = 0
			}
			d[i][j] = min(d[i-1][j]+1, d[i][j-1]+1, d[i-1][j-1]+cost)
			if i > 1 && j > 1 && x[i-1] == y[j-2] && x[i-2] == y[j-1] {
				d[i][j] = min(d[i][j], d[i-2][j-2]+1)
			}
		}
	}
	return d[len(x)][len(y)]
}

// CallCounts is how many calls each function of the package takes, as
// Check reads them: endpoint()(mapFn)(tables) takes 3; nil before Flux's
// builtins are finalized.
func CallCounts() map[string]int {
	sigs := packageSignatures()
	if sigs == nil {
		return nil
	}
	counts := make(map[string]int, len(sigs))
	for name, s := range sigs {
		counts[name] = len(s)
	}
	return counts
}
