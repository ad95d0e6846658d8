package delivery

import (
	"errors"
	"net/http"
	"testing"
)

// TestSender_doer checks that an *http.Client is used through one cached
// copy that follows no redirect, remade only when Client changes, and that
// other Doers are used as they are.
func TestSender_doer(t *testing.T) {
	hc := &http.Client{}
	s := &Sender{Client: hc}
	d1, d2 := s.doer(), s.doer()
	c, ok := d1.(*http.Client)
	if !ok || d1 != d2 || c == hc {
		t.Fatalf("doer() = %p, then %p; want one copy of %p, reused", d1, d2, hc)
	}
	if err := c.CheckRedirect(nil, nil); !errors.Is(err, http.ErrUseLastResponse) {
		t.Errorf("copy's CheckRedirect() = %v, want http.ErrUseLastResponse", err)
	}
	if hc.CheckRedirect != nil {
		t.Error("doer() changed the caller's client")
	}
	other := &http.Client{}
	s.Client = other
	if d3 := s.doer(); d3 == d1 || d3 == Doer(other) {
		t.Errorf("doer() after Client changed = %p, want a new copy", d3)
	}
	var zero Sender
	if d, ok := zero.doer().(*http.Client); !ok || d == http.DefaultClient || d.CheckRedirect == nil {
		t.Errorf("zero Sender's doer() = %v, want a copy of http.DefaultClient that follows no redirect", d)
	}
	f := doerOnly{}
	if d := (&Sender{Client: f}).doer(); d != Doer(f) {
		t.Errorf("doer() = %v, want the Client itself", d)
	}
}

type doerOnly struct{}

func (doerOnly) Do(*http.Request) (*http.Response, error) { return nil, errors.New("unused") }

// TestSender_doer_SharedAcrossSenders: Senders made one after another for
// the same client (one per event, as the Flux binding makes them) share
// one copy of it.
func TestSender_doer_SharedAcrossSenders(t *testing.T) {
	hc := &http.Client{}
	d1 := (&Sender{Client: hc}).doer()
	d2 := (&Sender{Client: hc}).doer()
	if d1 != d2 || d1 == Doer(hc) {
		t.Errorf("doer() of two Senders of one client = %p and %p; want one copy of %p", d1, d2, hc)
	}
	if d3 := (&Sender{Client: &http.Client{}}).doer(); d3 == d1 {
		t.Errorf("doer() of another client = %p, the first client's copy", d3)
	}
}
