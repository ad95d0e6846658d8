package serve_test

import (
	"net"
	"net/http"
	"testing"
	"time"

	"github.com/fluxpd/fluxpd/internal/serve"
	"github.com/fluxpd/fluxpd/internal/testwait"
)

func TestLimits_Or(t *testing.T) {
	got := serve.Limits{WriteTimeout: time.Minute, MaxConns: -1, ReadTimeout: 5 * time.Second}.Or(serve.Defaults)
	want := serve.Limits{
		ReadHeaderTimeout: serve.DefaultReadHeaderTimeout, ReadTimeout: 5 * time.Second,
		WriteTimeout: time.Minute, IdleTimeout: serve.DefaultIdleTimeout, MaxConns: serve.DefaultMaxConns,
	}
	if got != want {
		t.Errorf("Or = %+v, want %+v", got, want)
	}
}

func TestLimits_Server(t *testing.T) {
	l := serve.Defaults
	srv := l.Server(http.NotFoundHandler(), nil)
	if srv.ReadHeaderTimeout != l.ReadHeaderTimeout || srv.ReadTimeout != l.ReadTimeout ||
		srv.WriteTimeout != l.WriteTimeout || srv.IdleTimeout != l.IdleTimeout {
		t.Errorf("server timeouts %v %v %v %v, want %+v", srv.ReadHeaderTimeout, srv.ReadTimeout, srv.WriteTimeout, srv.IdleTimeout, l)
	}
}

// TestLimits_Listener: a second connection is not accepted while the
// first is held, and is once it closes.
func TestLimits_Listener(t *testing.T) {
	raw, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ln := serve.Limits{MaxConns: 1}.Listener(raw)
	defer ln.Close()
	accepted := make(chan net.Conn, 2)
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			accepted <- c
		}
	}()
	for i := 0; i < 2; i++ {
		c, err := net.Dial("tcp", raw.Addr().String())
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
	}
	first := testwait.Recv(t, "the first connection to be accepted", accepted)
	select {
	case <-accepted:
		t.Fatal("a second connection was accepted while the first was held; MaxConns is 1")
	case <-time.After(100 * time.Millisecond): // nothing to wait for: the bound holds it back
	}
	first.Close()
	testwait.Recv(t, "the second connection to be accepted once the first closed", accepted)
}
