package outbox

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"testing"

	berrors "go.etcd.io/bbolt/errors"

	"github.com/fluxpd/fluxpd/internal/delivery"
)

// decodeRecord reads a stored event, or says what is wrong with it, naming
// the event; every such error makes the outbox damaged.
func TestDecodeRecord(t *testing.T) {
	good, _ := json.Marshal(record{Entry: Entry{ID: 7, URL: fixtureURL, RoutingKey: leaseKey, Body: []byte(`{}`)}})
	tests := []struct {
		name    string
		bucket  []byte
		key     []byte
		value   []byte
		wantErr string
	}{
		{"a stored event", bucketPending, idKey(7), good, ""},
		{"a short key", bucketPending, []byte("k"), good, "a stored pending event cannot be read: its key has 1 bytes, not the 8 of an event id"},
		{"a short key of a dead letter", bucketDead, []byte("abcdefghi"), good, "a stored dead letter cannot be read: its key has 9 bytes, not the 8 of an event id"},
		{"JSON that does not decode", bucketDead, idKey(7), []byte(`{"id":`), "dead letter #7 cannot be read: its stored JSON does not decode: unexpected end of JSON input"},
		{"a field of the wrong type", bucketPending, idKey(7), []byte(`{"id":"seven"}`), "pending event #7 cannot be read: its stored JSON does not decode: "},
		{"another event's record", bucketPending, idKey(8), good, "pending event #8 cannot be read: it holds event #7"},
		{"a bucket not named", nil, idKey(8), good, "event #8 cannot be read: it holds event #7"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := decodeRecord(tt.bucket, tt.key, tt.value)
			if tt.wantErr == "" {
				if err != nil || r.ID != 7 || r.URL != fixtureURL {
					t.Errorf("decodeRecord = %+v, %v", r, err)
				}
				return
			}
			if err == nil || !strings.HasPrefix(err.Error(), tt.wantErr) {
				t.Fatalf("decodeRecord error %v, want %q…", err, tt.wantErr)
			}
			var re *recordError
			if !errors.As(err, &re) || re.Unwrap() == nil {
				t.Errorf("the error %T does not unwrap to its cause", err)
			}
			o := &Outbox{path: "/data/outbox.db"}
			var d *DamagedError
			if named := o.named(fmt.Errorf("listing: %w", err)); !errors.As(named, &d) || d.Problem != err.Error() || d.Path != o.path {
				t.Errorf("named(%v) = %v; want the outbox damaged, for this problem", err, named)
			}
		})
	}
}

// named makes a DamagedError of what says the file is damaged, and leaves
// other errors alone.
func TestNamed(t *testing.T) {
	o := &Outbox{path: "/data/outbox.db"}
	var syntax *json.SyntaxError
	if err := json.Unmarshal([]byte("{x"), &struct{}{}); !errors.As(err, &syntax) {
		t.Fatalf("no syntax error to test with: %v", err)
	}
	var typeErr *json.UnmarshalTypeError
	if err := json.Unmarshal([]byte(`{"id":"x"}`), &record{}); !errors.As(err, &typeErr) {
		t.Fatalf("no type error to test with")
	}
	already := &DamagedError{Path: "/elsewhere", Problem: "cut short"}
	tests := []struct {
		name        string
		err         error
		wantProblem string // "": not made a DamagedError
		wantSame    bool   // returned as it was
	}{
		{"nil", nil, "", true},
		{"already damaged", already, "cut short", true},
		{"a JSON syntax error", syntax, "a stored event does not decode: ", false},
		{"a JSON type error", typeErr, "a stored event does not decode: ", false},
		{"bbolt: invalid", berrors.ErrInvalid, "bbolt refuses it: ", false},
		{"bbolt: checksum", fmt.Errorf("open: %w", berrors.ErrChecksum), "bbolt refuses it: ", false},
		{"bbolt: version", berrors.ErrVersionMismatch, "bbolt refuses it: ", false},
		{"a locked file", ErrLocked, "", true},
		{"closed", ErrClosed, "", true},
		{"the disk", io.ErrShortWrite, "", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := o.named(tt.err)
			if tt.wantSame {
				if got != tt.err {
					t.Errorf("named(%v) = %v, want it as it was", tt.err, got)
				}
				return
			}
			var d *DamagedError
			if !errors.As(got, &d) || !strings.HasPrefix(d.Problem, tt.wantProblem) || !errors.Is(got, ErrDamaged) || !errors.Is(got, tt.err) {
				t.Errorf("named(%v) = %v; want damaged: %q…, wrapping the cause", tt.err, got, tt.wantProblem)
			}
		})
	}
}

// What a send's answer does to its event.
func TestVerdictOf(t *testing.T) {
	httpErr := func(kind delivery.Kind, status int) error {
		return &delivery.Error{Kind: kind, StatusCode: status, Attempts: 1}
	}
	tests := []struct {
		name string
		resp *delivery.Response
		err  error
		want verdict
	}{
		{"202", &delivery.Response{StatusCode: 202}, nil, delivered},
		{"200", &delivery.Response{StatusCode: 200}, nil, delivered},
		{"400", &delivery.Response{StatusCode: 400}, httpErr(delivery.KindHTTP, 400), refused},
		{"403", &delivery.Response{StatusCode: 403}, httpErr(delivery.KindHTTP, 403), refused},
		{"413", &delivery.Response{StatusCode: 413}, httpErr(delivery.KindHTTP, 413), refused},
		{"429", &delivery.Response{StatusCode: 429}, httpErr(delivery.KindHTTP, 429), retryLater},
		{"500", &delivery.Response{StatusCode: 500}, httpErr(delivery.KindHTTP, 500), retryLater},
		{"501", &delivery.Response{StatusCode: 501}, httpErr(delivery.KindHTTP, 501), refused},
		{"503", &delivery.Response{StatusCode: 503}, httpErr(delivery.KindHTTP, 503), retryLater},
		{"a redirect", &delivery.Response{StatusCode: 302}, httpErr(delivery.KindRedirect, 302), refused},
		{"an invalid URL", nil, httpErr(delivery.KindInvalidURL, 0), refused},
		{"a refused URL", nil, httpErr(delivery.KindRefused, 0), refused},
		{"no answer", nil, &delivery.Error{Kind: delivery.KindTransport, Err: io.ErrUnexpectedEOF}, retryLater},
		{"a transport error without a cause", nil, &delivery.Error{Kind: delivery.KindTransport}, refused},
		{"canceled", nil, &delivery.Error{Kind: delivery.KindCanceled, Err: context.Canceled}, refused},
		{"a spent deadline", nil, &delivery.Error{Kind: delivery.KindCanceled, Err: context.DeadlineExceeded}, retryLater},
		{"a bare spent deadline", nil, fmt.Errorf("send: %w", context.DeadlineExceeded), retryLater},
		{"another sender's error", nil, os.ErrPermission, refused},
	}
	for _, tt := range tests {
		if got := verdictOf(tt.resp, tt.err); got != tt.want {
			t.Errorf("%s: verdictOf = %d, want %d", tt.name, got, tt.want)
		}
	}
}

func TestBeUint64(t *testing.T) {
	tests := []struct {
		b    []byte
		want uint64
	}{
		{idKey(1), 1},
		{idKey(1 << 40), 1 << 40},
		{binary.BigEndian.AppendUint64(nil, ^uint64(0)), ^uint64(0)},
		{[]byte{1, 2, 3}, 0},
		{nil, 0},
	}
	for _, tt := range tests {
		if got := beUint64(tt.b); got != tt.want {
			t.Errorf("beUint64(%x) = %d, want %d", tt.b, got, tt.want)
		}
	}
}
