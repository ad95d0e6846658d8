package secrets

import (
	"bytes"
	"io"
	"sync"
)

// MaskWriter masks every secret a Store has handed out in the text written
// through it. It works line by line, so a secret is masked even when it is
// written in pieces; call Flush to write a last line without a newline.
type MaskWriter struct {
	W     io.Writer
	Store *Store

	mu  sync.Mutex
	buf []byte
}

// Write implements io.Writer.
func (m *MaskWriter) Write(p []byte) (int, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.buf = append(m.buf, p...)
	i := bytes.LastIndexByte(m.buf, '\n')
	if i < 0 {
		return len(p), nil
	}
	if err := m.emit(m.buf[:i+1]); err != nil {
		return 0, err
	}
	m.buf = append(m.buf[:0], m.buf[i+1:]...)
	return len(p), nil
}

// Flush writes what is left after the last newline.
func (m *MaskWriter) Flush() error {
	m.mu.Lock()
	defer m.mu.Unlock()
	err := m.emit(m.buf)
	m.buf = m.buf[:0]
	return err
}

func (m *MaskWriter) emit(b []byte) error {
	if len(b) == 0 {
		return nil
	}
	_, err := io.WriteString(m.W, m.Store.Mask(string(b)))
	return err
}
