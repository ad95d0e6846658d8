package emulator_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/fluxpd/fluxpd/internal/emulator"
)

// TestInbox_Details checks that the page shows every field of an alert's
// opening trigger: component, group, class, timestamp, client, client URL,
// links, images and custom details as a tree.
func TestInbox_Details(t *testing.T) {
	e := emulator.New(emulator.Options{})
	send(t, e, emulator.EventsPath, trigger(set("payload.custom_details", map[string]any{
		"load avg": 9.75, "tags": []any{"prod", "db"}, "disk": map[string]any{"free": "3%", "ok": false, "none": nil},
		"empty": map[string]any{}, "blank": "",
	})))
	_, page := inboxPage(t, e, "")
	mustContain(t, "page", page,
		`<dt>component</dt><dd>mysql</dd><dt>group</dt><dd>prod-datapipe</dd><dt>class</dt><dd>disk</dd><dt>timestamp</dt><dd>2015-07-17T08:42:58.315&#43;0000</dd>`,
		`<dt>client</dt><dd>Sample Monitoring Service</dd><dt>client URL</dt><dd><a href="https://monitoring.example.com" rel="noopener noreferrer" target="_blank">https://monitoring.example.com</a></dd>`,
		`<li><a href="https://example.com/runbook" rel="noopener noreferrer" target="_blank">Runbook</a> <span class="url">https://example.com/runbook</span></li>`,
		// Records and arrays nest as lists, members sorted by name.
		`<dd class="custom"><ul class="tree">`+
			`<li><span class="key">blank</span>: <span class="lit">&#34;&#34;</span></li>`+
			`<li><span class="key">disk</span>: <ul class="tree"><li><span class="key">free</span>: <span class="str">3%</span></li><li><span class="key">none</span>: <span class="lit">null</span></li><li><span class="key">ok</span>: <span class="lit">false</span></li></ul></li>`+
			`<li><span class="key">empty</span>: <span class="lit">{}</span></li>`+
			`<li><span class="key">load avg</span>: <span class="lit">9.75</span></li>`+
			`<li><span class="key">tags</span>: <ul class="tree"><li><span class="str">prod</span></li><li><span class="str">db</span></li></ul></li>`+
			`</ul></dd>`,
	)
}

// TestInbox_OnlyWebLinks checks that only absolute http and https URLs
// become links, and that images are links to https sources, never <img>.
func TestInbox_OnlyWebLinks(t *testing.T) {
	e := emulator.New(emulator.Options{})
	links := []any{
		map[string]any{"href": "http://plain.example.com/a?b=1&c=2", "text": "plain"},
		map[string]any{"href": "javascript:alert(document.domain)", "text": "js"},
		map[string]any{"href": " JavaScript:alert(1)", "text": "js2"},
		map[string]any{"href": "data:text/html,<script>alert(1)</script>", "text": "data"},
		map[string]any{"href": "/relative/path", "text": "relative"},
		map[string]any{"href": "https:no-host", "text": "nohost"},
		map[string]any{"href": "ftp://files.example.com/x"},
	}
	images := []any{map[string]any{"src": "https://img.example.com/g.png", "href": "vbscript:x", "alt": "graph"}}
	send(t, e, emulator.EventsPath, trigger(set("links", links), set("images", images), set("client_url", "javascript:void(0)")))
	_, page := inboxPage(t, e, "")
	mustContain(t, "page", page,
		`<a href="http://plain.example.com/a?b=1&amp;c=2" rel="noopener noreferrer" target="_blank">plain</a>`,
		`<span class="nolink">js</span> <span class="url">javascript:alert(document.domain)</span> <span class="why">(not a link: only http and https URLs are)</span>`,
		`<span class="nolink">data</span> <span class="url">data:text/html,&lt;script&gt;alert(1)&lt;/script&gt;</span>`,
		`<span class="nolink">relative</span>`, `<span class="nolink">nohost</span>`,
		`<span class="nolink">ftp://files.example.com/x</span>`,
		`<dt>client URL</dt><dd><span class="nolink">javascript:void(0)</span>`,
		`<li>image “graph”: <a href="https://img.example.com/g.png" rel="noopener noreferrer" target="_blank">https://img.example.com/g.png</a>, links to <span class="nolink">vbscript:x</span>`,
	)
	mustNotContain(t, "page", page, "<img", `href="javascript`, `href=" JavaScript`, `href="data`, `href="/relative`,
		`href="ftp`, `href="vbscript`, `href="https:no-host`, "#ZgotmplZ", "<script")
	// Every link opens apart from the page and tells the target nothing.
	for _, a := range strings.Split(page, "<a ")[1:] {
		if strings.Contains(a, `target="_blank"`) && !strings.Contains(a, `rel="noopener noreferrer"`) {
			t.Errorf("link without rel=noopener noreferrer: <a %.120s", a)
		}
	}
}

// TestInbox_Escaping checks that markup sent in any field shows as text.
func TestInbox_Escaping(t *testing.T) {
	e := emulator.New(emulator.Options{})
	const x = `<script>window.pwned=1</script>"'&`
	send(t, e, emulator.EventsPath, trigger(
		set("dedup_key", x), set("payload.summary", x), set("payload.source", x), set("payload.severity", "critical"),
		set("payload.component", x), set("payload.group", x), set("payload.class", x), set("client", x),
		set("payload.custom_details", map[string]any{x: x, "list": []any{x}}),
		set("links", []any{map[string]any{"href": "https://example.com/\"><script>", "text": x}}),
		set("images", []any{map[string]any{"src": "https://example.com/\"onerror=\"x", "alt": x}}),
	))
	send(t, e, emulator.EventsPath, trigger(del("payload.source"), set("payload.summary", x)))
	send(t, e, emulator.ChangePath, change(set("payload.summary", x), set("payload.source", x)))
	_, page := inboxPage(t, e, "?q="+strings.ReplaceAll(x, "&", "%26"))
	const escaped = `&lt;script&gt;window.pwned=1&lt;/script&gt;&#34;&#39;&amp;`
	if n := strings.Count(page, escaped); n < 15 {
		t.Errorf("the escaped text appears %d times, want it in every field (15 or more)", n)
	}
	mustContain(t, "page", page, `<span class="summary">`+escaped+`</span>`, `value="`+escaped+`"`,
		`href="https://example.com/%22%3e%3cscript%3e"`, `href="https://example.com/%22onerror=%22x"`)
	mustNotContain(t, "page", page, "<script", `"onerror`, `"><script`)
}

// TestInbox_Masking checks that the routing key never shows on the page:
// not in the fields a sender put it in, nor when typed into the filter.
func TestInbox_Masking(t *testing.T) {
	e := emulator.New(emulator.Options{})
	send(t, e, emulator.EventsPath, trigger(
		set("dedup_key", "dk-"+key), set("payload.custom_details", map[string]any{key: []any{key}}),
		set("links", []any{map[string]any{"href": "https://example.com/?key=" + key, "text": key}}),
		set("client_url", "https://example.com/"+key), set("payload.group", key)))
	send(t, e, emulator.EventsPath, trigger(del("payload.source"), set("x_key", key)))
	send(t, e, emulator.ChangePath, change(set("payload.custom_details", map[string]any{"k": key})))
	for _, query := range []string{"", "?q=" + key, "?q=dk-" + key, "?state=rejected", "?state=change"} {
		_, page := inboxPage(t, e, query)
		mustNotContain(t, "page "+query, page, key)
		mustContain(t, "page "+query, page, keyMask)
	}
	_, page := inboxPage(t, e, "?q=dk-"+key)
	mustContain(t, "page filtered by the masked key", page, `value="dk-`+keyMask+`"`, "Open alerts (1)")
}

// TestInbox_History checks that an alert's history shows each event with
// its request and whole body, and is cut to the newest events.
func TestInbox_History(t *testing.T) {
	e := emulator.New(emulator.Options{})
	send(t, e, emulator.EventsPath, trigger())
	for i := range 24 {
		send(t, e, emulator.EventsPath, trigger(set("payload.custom_details", map[string]any{"repeat": i})))
	}
	_, page := inboxPage(t, e, "")
	mustContain(t, "page", page, "count 25", "showing the newest 20 of 25 events",
		`<td class="meta">#25</td><td><details><summary>full event</summary>`,
		`<li><span class="key">repeat</span>: <span class="lit">23</span></li>`)
	mustNotContain(t, "page", page, `<td class="meta">#5</td>`, `<span class="lit">3</span>`)
	if n := strings.Count(page, "<tr>"); n != 20 {
		t.Errorf("history shows %d events, want 20", n)
	}
}

// TestInbox_ChangeEvents checks that change events are listed with their
// fields.
func TestInbox_ChangeEvents(t *testing.T) {
	e := emulator.New(emulator.Options{})
	send(t, e, emulator.ChangePath, change(), change(set("routing_key", "R"+key[1:])))
	_, page := inboxPage(t, e, "?state=change")
	mustContain(t, "page", page, "Change events (2)",
		`<span class="status">accepted</span> <span class="summary">Build 42 deployed</span>`,
		`source <code>ci.example.com</code>`, `<dt>timestamp</dt><dd>2020-07-17T08:42:58Z</dd>`,
		`<a href="https://ci.example.com/42" rel="noopener noreferrer" target="_blank">Build</a>`,
		`<li><span class="key">build</span>: <span class="lit">42</span></li>`,
		`<span class="status">rejected</span>`, "change events cannot be sent to rulesets",
		`body as received, routing key masked`)
}

// TestInbox_Bounds checks that a huge or deeply nested custom_details is
// shown cut, saying so, rather than making the page unreadable.
func TestInbox_Bounds(t *testing.T) {
	e := emulator.New(emulator.Options{})
	many := map[string]any{}
	for i := range 6000 {
		many[fmt.Sprintf("k%05d", i)] = i
	}
	var deep any = "bottom"
	for range 30 {
		deep = []any{deep}
	}
	send(t, e, emulator.EventsPath,
		trigger(set("dedup_key", "many"), set("payload.custom_details", many)),
		trigger(set("dedup_key", "deep"), set("payload.custom_details", map[string]any{"deep": deep, "long": strings.Repeat("é", 400)})))
	_, page := inboxPage(t, e, "")
	mustContain(t, "page", page, "more not shown here (see /_emulator/requests)",
		"(nested too deep to show as a tree)", strings.Repeat("é", 300)+"… (400 characters)")
	if n := strings.Count(page, "<li>"); n > 5100 {
		t.Errorf("the page has %d list entries, want at most about 5000", n)
	}
}

// TestInbox_LenientPayload checks that an acknowledge or resolve whose
// payload holds fields of unexpected types (accepted, as PagerDuty does)
// still shows every field, as text.
func TestInbox_LenientPayload(t *testing.T) {
	e := emulator.New(emulator.Options{})
	send(t, e, emulator.EventsPath, trigger(), encode(body{"routing_key": key, "event_action": "resolve", "dedup_key": "srv01/HTTP",
		"payload": map[string]any{"summary": "fixed", "component": []any{"a", 1}, "group": 42, "custom_details": "just text"}}, nil))
	_, page := inboxPage(t, e, "")
	mustContain(t, "page", page, "Resolved alerts (1)",
		`<details><summary>full event</summary><dl class="details">`+"\n"+`<dt>component</dt><dd>[&#34;a&#34;,1]</dd>`,
		`<dt>group</dt><dd>42</dd>`,
		`<dt>custom details</dt><dd class="custom"><ul class="tree"><li><span class="str">just text</span></li></ul></dd>`)
}
