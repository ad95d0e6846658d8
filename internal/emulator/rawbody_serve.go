package emulator

import (
	"fmt"
	"net/url"
)

// GET /_emulator/requests?raw=1: the requests with each body as received,
// routing keys masked (rawbody.go), instead of decoded (body.go).

// rawRequestView is a request as served with ?raw=1.
type rawRequestView struct {
	requestView // without its decoded body
	rawView
}

// rawRequests returns the views of reqs with their raw bodies.
func rawRequests(reqs []Request) []rawRequestView {
	out := make([]rawRequestView, len(reqs))
	for i, r := range reqs {
		out[i] = rawRequestView{viewRequest(r), viewRawBody(r.Body, r.RoutingKey)}
	}
	return out
}

// rawParam reads the raw parameter of /_emulator/requests: 1 or true for
// the raw bodies; 0, false or absent for the decoded ones.
func rawParam(q url.Values) (bool, error) {
	switch v := q.Get("raw"); v {
	case "1", "true":
		return true, nil
	case "", "0", "false":
		return false, nil
	default:
		return false, fmt.Errorf("raw must be 1 or true (each body as received, routing keys masked), or 0, false or absent (each body decoded); got %q", cut(maskKeyLike(v), maxShownParam))
	}
}

// maxShownParam caps a bad parameter value quoted in an error, in
// characters.
const maxShownParam = 40
