package pagerduty_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/fluxpd/fluxpd/internal/emulator/emulatortest"
)

// sendEventWith returns a sendEvent call of a valid trigger plus extra
// arguments.
func sendEventWith(extra string) string {
	return fmt.Sprintf(`pagerduty.sendEvent(routingKey: %q, client: "", clientURL: "", dedupKey: "db01/disk", class: "", group: "",
    severity: "critical", eventAction: "trigger", source: "db01", summary: "Disk full", timestamp: "", %s)`, testKey, extra)
}

func TestSendEvent_LinksAndImages(t *testing.T) {
	emu := emulatortest.New(t)
	src := fmt.Sprintf("option pagerduty.defaultURL = %q\n", emu.EventsURL()) + sendEventWith(`
    links: [{href: "https://runbooks.example.com/disk", text: "Runbook"}, {href: "https://db01.example.com"}],
    images: [{src: "https://graphs.example.com/disk.png", href: "https://graphs.example.com", alt: "Disk"}, {alt: "IO", src: "https://graphs.example.com/io.png"}],
`)
	_, out, err := fluxQuery(context.Background(), t, nil, src)
	if err != nil || out != "202\n" {
		t.Fatalf("sendEvent returned %q, %v; want 202", out, err)
	}
	reqs := emu.Requests()
	if len(reqs) != 1 {
		t.Fatalf("the emulator received %d requests, want 1", len(reqs))
	}
	var got struct {
		Links  []map[string]string `json:"links"`
		Images []map[string]string `json:"images"`
	}
	if err := json.Unmarshal(reqs[0].Body, &got); err != nil {
		t.Fatal(err)
	}
	wantLinks := []map[string]string{{"href": "https://runbooks.example.com/disk", "text": "Runbook"}, {"href": "https://db01.example.com"}}
	wantImages := []map[string]string{
		{"src": "https://graphs.example.com/disk.png", "href": "https://graphs.example.com", "alt": "Disk"},
		{"src": "https://graphs.example.com/io.png", "alt": "IO"},
	}
	if diff := cmp.Diff(wantLinks, got.Links); diff != "" {
		t.Errorf("links (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(wantImages, got.Images); diff != "" {
		t.Errorf("images (-want +got):\n%s", diff)
	}
}

func TestSendEvent_LinksAndImagesErrors(t *testing.T) {
	emu := emulatortest.New(t)
	for _, tc := range []struct{ name, extra, want string }{
		{"link not a record", `links: ["https://a.example"]`,
			`links[0] must be a record such as {href: "https://runbooks.example.com/disk", text: "Runbook"}; got string "https://a.example"`},
		{"link without href", `links: [{href: "https://a.example"}, {text: "Runbook"}]`, `links[1].href is empty; every link needs an href`},
		{"link with an unknown key", `links: [{href: "https://a.example", title: "A"}]`, `links[0] has the unknown key "title"; valid keys are href, text`},
		{"link text not a string", `links: [{href: "https://a.example", text: 1}]`, `links[0].text must be a string; got int 1`},
		{"image over http", `images: [{src: "http://graphs.example.com/disk.png"}]`,
			`images[0].src must be an https URL; got "http://graphs.example.com/disk.png"`},
		{"image without src", `images: [{alt: "Disk"}]`, `images[0].src must be an https URL; got ""`},
		{"image with an unknown key", `images: [{src: "https://a.example/x.png", url: "x"}]`,
			`images[0] has the unknown key "url"; valid keys are src, href, alt`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			src := fmt.Sprintf("option pagerduty.defaultURL = %q\n", emu.EventsURL()) + sendEventWith(tc.extra)
			_, _, err := fluxQuery(context.Background(), t, nil, src)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error = %v; want it to contain %q", err, tc.want)
			}
		})
	}
	if n := len(emu.Requests()); n != 0 {
		t.Errorf("the emulator received %d requests for invalid events, want 0", n)
	}
}
