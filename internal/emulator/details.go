package emulator

import (
	"encoding/json"
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"unicode/utf8"
)

// This file turns a masked event body (bodyView) into what the inbox page
// shows of it: the optional payload fields, links and images that are
// links only when they are web URLs, and custom details as a tree.

// Bounds that keep the page readable and quick to render whatever a sender
// sends (a body may hold 512000 bytes of custom details). What is left out
// is said on the page and is in the JSON views.
const (
	maxTreeDepth = 12   // nesting levels shown in a custom details tree
	maxPageNodes = 5000 // tree entries shown on one page, all trees together
	maxTextRunes = 300  // runes shown of one string
)

// detailsView is what the page shows of an event body besides action,
// severity, summary and source.
type detailsView struct {
	Timestamp, Component, Group, Class, Client string
	ClientURL                                  linkView
	Links                                      []linkView
	Images                                     []imageView
	Custom                                     []node // custom_details; nil when absent
	HasCustom                                  bool
}

// linkView is a URL the page shows: as a link when Link is true (an
// absolute http or https URL), as text otherwise, so that a javascript: or
// data: URL is never clickable.
type linkView struct {
	Href, Text string
	Link       bool
	Why        string // why it is not a link
}

// imageView is an image of an alert event. The page never loads it (no
// <img>: the page fetches nothing a sender chose); it links to it instead.
type imageView struct {
	Src, Href linkView
	Alt       string
}

// node is one entry of a custom details tree: a scalar with its text, or a
// record or array with its entries.
type node struct {
	Key      string // member name, when HasKey
	HasKey   bool   // false for array elements
	Text     string // the scalar's text, "{}" or "[]" when empty, or a note
	Literal  bool   // a number, boolean or null, or a note: shown apart from strings
	Children []node
}

// viewDetails extracts what the page shows from a masked body. budget is
// the number of tree entries the page may still show; it is decremented.
func viewDetails(b map[string]any, budget *int) *detailsView {
	if b == nil {
		return nil
	}
	p, _ := b["payload"].(map[string]any)
	d := &detailsView{
		Timestamp: text(p["timestamp"]), Component: text(p["component"]),
		Group: text(p["group"]), Class: text(p["class"]), Client: text(b["client"]),
		ClientURL: webLink(b["client_url"], ""),
	}
	if cd, ok := p["custom_details"]; ok && cd != nil {
		d.HasCustom = true
		d.Custom = tree(cd, budget, 0)
		if d.Custom == nil { // {} or []
			d.Custom = []node{{Text: text(cd), Literal: true}}
		}
	}
	for _, l := range elements(b["links"]) {
		d.Links = append(d.Links, webLink(l["href"], text(l["text"])))
	}
	for _, img := range elements(b["images"]) {
		src := webLink(img["src"], "")
		if !isHTTPS(src.Href) { // PagerDuty only takes https images
			src.Link, src.Why = false, "not a link: image sources must be https URLs"
		}
		d.Images = append(d.Images, imageView{Src: src, Href: webLink(img["href"], ""), Alt: text(img["alt"])})
	}
	return d
}

// Any reports whether d has anything to show.
func (d *detailsView) Any() bool {
	return d.Timestamp != "" || d.Component != "" || d.Group != "" || d.Class != "" || d.Client != "" ||
		d.ClientURL.Href != "" || len(d.Links) > 0 || len(d.Images) > 0 || d.HasCustom
}

// elements returns the object elements of an array field; other elements
// are returned as an object holding their text under "text", so that
// nothing sent goes unseen.
func elements(v any) []map[string]any {
	arr, _ := v.([]any)
	out := make([]map[string]any, 0, len(arr))
	for _, x := range arr {
		if m, ok := x.(map[string]any); ok {
			out = append(out, m)
		} else {
			out = append(out, map[string]any{"text": text(x)})
		}
	}
	return out
}

// webLink returns href as a link if it is an absolute http or https URL
// with a host, and as text otherwise. An empty linkText shows the URL.
func webLink(href any, linkText string) linkView {
	h := text(href)
	if linkText == "" {
		linkText = h
	}
	l := linkView{Href: h, Text: linkText, Link: isWebURL(h)}
	if !l.Link {
		l.Why = "not a link: only http and https URLs are"
	}
	return l
}

// isWebURL reports whether s is an absolute http or https URL with a host.
func isWebURL(s string) bool {
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != ""
}

// text renders a decoded JSON value for the page: strings as they are,
// other values as JSON, nil as "". It is cut to maxTextRunes.
func text(v any) string {
	switch v := v.(type) {
	case nil:
		return ""
	case string:
		return cut(v, maxTextRunes)
	}
	b, _ := json.Marshal(v) // decoded JSON always encodes
	return cut(string(b), maxTextRunes)
}

// cut shortens s to n runes, saying how long it was.
func cut(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n]) + "… (" + strconv.Itoa(utf8.RuneCountInString(s)) + " characters)"
}

// tree renders a custom details value: the entries of a record (by member
// name) or an array (in order), or one scalar.
func tree(v any, budget *int, depth int) []node {
	switch v := v.(type) {
	case map[string]any:
		keys := make([]string, 0, len(v))
		for k := range v {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		var out []node
		for i, k := range keys {
			if *budget <= 0 {
				return append(out, note(len(keys)-i))
			}
			n := entry(v[k], budget, depth)
			n.Key, n.HasKey = cut(k, maxTextRunes), true
			out = append(out, n)
		}
		return out
	case []any:
		var out []node
		for i, x := range v {
			if *budget <= 0 {
				return append(out, note(len(v)-i))
			}
			out = append(out, entry(x, budget, depth))
		}
		return out
	}
	*budget--
	return []node{scalar(v)}
}

// scalar renders a string, number, boolean or null.
func scalar(v any) node {
	switch v {
	case nil:
		return node{Text: "null", Literal: true}
	case "":
		return node{Text: `""`, Literal: true}
	}
	_, isString := v.(string)
	return node{Text: text(v), Literal: !isString}
}

// entry renders one member or element, nested when it is a non-empty
// record or array and the depth allows.
func entry(v any, budget *int, depth int) node {
	*budget--
	switch x := v.(type) {
	case map[string]any, []any:
		n := node{Text: "{}", Literal: true}
		if _, ok := x.([]any); ok {
			n.Text = "[]"
		}
		if empty(x) {
			return n
		}
		if depth+1 >= maxTreeDepth {
			n.Text = text(x) + " (nested too deep to show as a tree)"
			return n
		}
		n.Children = tree(x, budget, depth+1)
		return n
	}
	return scalar(v)
}

func empty(v any) bool {
	switch v := v.(type) {
	case map[string]any:
		return len(v) == 0
	case []any:
		return len(v) == 0
	}
	return false
}

// note says how many entries the page left out.
func note(n int) node {
	return node{Text: fmt.Sprintf("… %d more not shown here (see %srequests)", n, InspectPrefix), Literal: true}
}
