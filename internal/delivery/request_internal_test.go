package delivery

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestCall_newRequest_AsNewRequest: the request built from a Target is
// the one http.NewRequestWithContext builds from the URL string, field
// for field, body and GetBody included.
func TestCall_newRequest_AsNewRequest(t *testing.T) {
	ctx := context.WithValue(context.Background(), struct{}{}, "query")
	urls := []string{
		"http://127.0.0.1:8080/v2/enqueue",
		"https://events.pagerduty.com/v2/enqueue",
		"http://127.0.0.1:/v2/enqueue",
		"http://[::1]:9/v2/change/enqueue",
		"https://user:pw@relay.example.com/a%2Fb/enqueue?token=abc#frag",
	}
	bodies := [][]byte{[]byte(`{"routing_key":"k"}`), nil}
	for _, raw := range urls {
		for _, body := range bodies {
			target, err := parseTarget(raw)
			if err != nil {
				t.Fatalf("parseTarget(%q) error = %v", raw, err)
			}
			c := (&Sender{UserAgent: "ua"}).newCall(ctx, raw, &target.t.u, body, nil)
			c.target = target.t
			got := c.newRequest(ctx)
			want, err := http.NewRequestWithContext(ctx, http.MethodPost, raw, bytes.NewReader(body))
			if err != nil {
				t.Fatal(err)
			}
			want.Header.Set("Content-Type", contentType)
			want.Header.Set("Accept", acceptV2)
			want.Header.Set("User-Agent", "ua")
			if diff := cmp.Diff(describeRequest(t, want), describeRequest(t, got)); diff != "" {
				t.Errorf("newRequest() for %q with a %d-byte body mismatch (-NewRequestWithContext +newRequest):\n%s", raw, len(body), diff)
			}
			if got.URL == &target.t.u {
				t.Errorf("newRequest() for %q shares the Target's URL; want a copy", raw)
			}
		}
	}
}

// requestView is what a Doer sees of a request.
type requestView struct {
	Method, URL, Host, Proto           string
	ProtoMajor, ProtoMinor             int
	ContentLength                      int64
	Header                             http.Header
	Body, GetBody1, GetBody2           string
	NoBody, SameContext, HostIsURLHost bool
}

func describeRequest(t *testing.T, r *http.Request) requestView {
	t.Helper()
	v := requestView{
		Method: r.Method, URL: r.URL.String(), Host: r.Host, Proto: r.Proto,
		ProtoMajor: r.ProtoMajor, ProtoMinor: r.ProtoMinor, ContentLength: r.ContentLength,
		Header: r.Header, NoBody: r.Body == http.NoBody, SameContext: r.Context().Value(struct{}{}) == "query",
		HostIsURLHost: r.URL.Host == r.Host,
	}
	v.Body = readAll(t, r.Body)
	for i, dst := range []*string{&v.GetBody1, &v.GetBody2} {
		rc, err := r.GetBody()
		if err != nil {
			t.Fatalf("GetBody() #%d error = %v", i+1, err)
		}
		*dst = readAll(t, rc)
	}
	return v
}

func readAll(t *testing.T, rc io.ReadCloser) string {
	t.Helper()
	b, err := io.ReadAll(rc)
	if err != nil {
		t.Fatal(err)
	}
	_ = rc.Close()
	return string(b)
}
