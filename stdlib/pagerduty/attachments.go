package pagerduty

import (
	"fmt"
	"slices"
	"strings"

	"github.com/influxdata/flux/semantic"
	"github.com/influxdata/flux/values"

	"github.com/fluxpd/fluxpd/internal/event"
)

// Examples shown in errors about links and images.
const (
	linkExample  = `{href: "https://runbooks.example.com/disk", text: "Runbook"}`
	imageExample = `{src: "https://graphs.example.com/disk.png", href: "https://graphs.example.com", alt: "Disk usage"}`
)

// readLinks reads an array of {href, text} records; absent or null means
// none. text may be left out of any record. event.Build checks the hrefs.
func readLinks(get fields, name string) ([]event.Link, error) {
	var links []event.Link
	err := readRecords(get, name, []string{"href", "text"}, linkExample, func(r map[string]string) {
		links = append(links, event.Link{Href: r["href"], Text: r["text"]})
	})
	return links, err
}

// readImages reads an array of {src, href, alt} records; absent or null
// means none. href and alt may be left out of any record. event.Build checks
// that every src is an https URL.
func readImages(get fields, name string) ([]event.Image, error) {
	var images []event.Image
	err := readRecords(get, name, []string{"src", "href", "alt"}, imageExample, func(r map[string]string) {
		images = append(images, event.Image{Src: r["src"], Href: r["href"], Alt: r["alt"]})
	})
	return images, err
}

// readRecords reads an array of records whose values are strings, calling
// add with each record's keys and values; a key absent or null reads as "".
//
// Flux v0.65.1 accepts records with different keys in one array literal
// (such as [{href: a}, {href: b, text: c}]), so every record is read on its
// own. Keys outside valid are refused rather than ignored, so that a typo
// such as {url: ...} is not silently dropped.
func readRecords(get fields, name string, valid []string, example string, add func(map[string]string)) error {
	v, ok := present(get, name)
	if !ok {
		return nil
	}
	if v.Type().Nature() != semantic.Array {
		return fmt.Errorf("%s must be an array of records such as [%s]; got a value of type %s", name, example, natureOf(v))
	}
	var err error
	v.Array().Range(func(i int, e values.Value) {
		if err != nil {
			return
		}
		var r map[string]string
		r, err = readStringRecord(fmt.Sprintf("%s[%d]", name, i), e, valid, example)
		if err == nil {
			add(r)
		}
	})
	return err
}

// readStringRecord reads one record of readRecords; path names it in errors.
func readStringRecord(path string, v values.Value, valid []string, example string) (map[string]string, error) {
	if v.Type().Nature() != semantic.Object {
		return nil, fmt.Errorf("%s must be a record such as %s; got a value of type %s", path, example, natureOf(v))
	}
	r := make(map[string]string, len(valid))
	var err error
	v.Object().Range(func(k string, x values.Value) {
		switch {
		case err != nil:
		case !slices.Contains(valid, k):
			err = fmt.Errorf("%s has the unknown key %q; valid keys are %s", path, k, strings.Join(valid, ", "))
		case x == nil || x.IsNull():
		case x.Type().Nature() != semantic.String:
			err = fmt.Errorf("%s.%s must be a string; got a value of type %s", path, k, natureOf(x))
		default:
			r[k] = x.Str()
		}
	})
	return r, err
}
