package testwait

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

func TestScaled(t *testing.T) {
	t.Setenv(ScaleEnv, "")
	if got := Scaled(time.Second); got != time.Second {
		t.Errorf("Scaled(1s) with no scale = %s, want 1s", got)
	}
	t.Setenv(ScaleEnv, "2.5")
	if got := Scaled(time.Second); got != 2500*time.Millisecond {
		t.Errorf("Scaled(1s) with scale 2.5 = %s, want 2.5s", got)
	}
	if got := Limit(); got != 2*base+base/2 {
		t.Errorf("Limit() with scale 2.5 = %s, want %s", got, 2*base+base/2)
	}
}

func TestScaled_RefusesBadScale(t *testing.T) {
	for _, s := range []string{"0", "-1", "fast"} {
		t.Setenv(ScaleEnv, s)
		func() {
			defer func() {
				r := recover()
				if r == nil || !strings.Contains(r.(string), ScaleEnv) {
					t.Errorf("scale %q: recovered %v, want a panic naming %s", s, r, ScaleEnv)
				}
			}()
			Scaled(time.Second)
		}()
	}
}

// fakeT records Fatalf instead of stopping the test.
type fakeT struct {
	testing.TB
	msg string
}

func (f *fakeT) Helper() {}
func (f *fakeT) Fatalf(format string, args ...any) {
	f.msg = fmt.Sprintf(format, args...)
	panic(f)
}

func TestUntil_WaitsForTheCondition(t *testing.T) {
	n := 0
	Until(t, "three calls", func() (bool, string) { n++; return n == 3, "" })
	if n != 3 {
		t.Errorf("cond called %d times, want 3", n)
	}
}

func TestUntil_SaysWhatWasAwaitedAndSeen(t *testing.T) {
	t.Setenv(ScaleEnv, "0.00001") // a limit of about 2 ms
	ft := &fakeT{TB: t}
	func() {
		defer func() { _ = recover() }()
		Until(ft, "the queue to empty", func() (bool, string) { return false, "4 pending" })
	}()
	if !strings.Contains(ft.msg, "the queue to empty") || !strings.Contains(ft.msg, "4 pending") {
		t.Errorf("failure message %q does not name what was awaited and what was seen", ft.msg)
	}
}

func TestRecv(t *testing.T) {
	ch := make(chan int, 1)
	ch <- 7
	if got := Recv(t, "a value", ch); got != 7 {
		t.Errorf("Recv = %d, want 7", got)
	}
	t.Setenv(ScaleEnv, "0.00001")
	ft := &fakeT{TB: t}
	func() {
		defer func() { _ = recover() }()
		Recv(ft, "the child's answer", make(chan int))
	}()
	if !strings.Contains(ft.msg, "the child's answer") {
		t.Errorf("failure message %q does not name what was awaited", ft.msg)
	}
}
