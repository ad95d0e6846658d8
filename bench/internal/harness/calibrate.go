package harness

import (
	"bytes"
	"errors"
	"fmt"
	"net"
	"net/url"
	"runtime"
	"strconv"
)

// ReceiverCost measures the allocations the in-process Receiver makes per
// request, so that the report can tell them apart from the sender's: every
// scenario's MemStats delta includes them. It posts the bodies over one
// raw TCP connection with requests built beforehand and answers read into
// a fixed buffer, a client that allocates nothing per request, so the
// process's whole delta is the receiver's (and its HTTP server's).
func ReceiverCost(r interface{ URL() string }, bodies [][]byte) (allocs, bytesPer float64, err error) {
	u, err := url.Parse(r.URL())
	if err != nil {
		return 0, 0, err
	}
	reqs := make([][]byte, len(bodies))
	for i, b := range bodies {
		head := "POST " + u.Path + " HTTP/1.1\r\nHost: " + u.Host +
			"\r\nContent-Type: application/json\r\nAccept: application/vnd.pagerduty+json;version=2\r\nUser-Agent: fluxpd-bench\r\nContent-Length: " +
			strconv.Itoa(len(b)) + "\r\n\r\n"
		reqs[i] = append([]byte(head), b...)
	}
	conn, err := net.Dial("tcp", u.Host)
	if err != nil {
		return 0, 0, err
	}
	defer conn.Close()
	buf := make([]byte, 64<<10)
	if err := rawExchange(conn, reqs[0], buf); err != nil { // warm up the connection
		return 0, 0, err
	}
	runtime.GC()
	var m0, m1 runtime.MemStats
	runtime.ReadMemStats(&m0)
	for _, req := range reqs[1:] {
		if err := rawExchange(conn, req, buf); err != nil {
			return 0, 0, err
		}
	}
	runtime.ReadMemStats(&m1)
	n := float64(len(reqs) - 1)
	return float64(m1.Mallocs-m0.Mallocs) / n, float64(m1.TotalAlloc-m0.TotalAlloc) / n, nil
}

var (
	crlf2         = []byte("\r\n\r\n")
	contentLength = []byte("\r\nContent-Length: ")
	status202     = []byte("HTTP/1.1 202 ")
)

// rawExchange writes req and reads one answer into buf, which must hold
// it whole, and checks that it is a 202.
func rawExchange(conn net.Conn, req, buf []byte) error {
	if _, err := conn.Write(req); err != nil {
		return err
	}
	n := 0
	for {
		m, err := conn.Read(buf[n:])
		n += m
		if err != nil {
			return err
		}
		end := bytes.Index(buf[:n], crlf2)
		if end < 0 {
			continue
		}
		if !bytes.HasPrefix(buf, status202) {
			return fmt.Errorf("receiver answered %.40q, want a 202", buf[:n])
		}
		i := bytes.Index(buf[:end], contentLength)
		if i < 0 {
			return errors.New("receiver's answer has no Content-Length")
		}
		length := 0
		for _, c := range buf[i+len(contentLength) : end] {
			if c < '0' || c > '9' {
				break
			}
			length = length*10 + int(c-'0')
		}
		if n >= end+4+length {
			return nil
		}
		if n == len(buf) {
			return errors.New("receiver's answer is too long")
		}
	}
}
