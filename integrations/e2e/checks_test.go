package e2e

import (
	"strings"
	"testing"
)

func TestChecks(t *testing.T) {
	var out strings.Builder
	c := Checks{Name: "t-e2e", Out: &out}
	if !c.Check("first", nil) || !c.CheckSeen("second", "saw\nthis", nil) || c.Check("third", errString("it broke\nthere")) {
		t.Error("Check's result is not whether the check held")
	}
	c.Say("step %d", 4)
	if p, f := c.Counts(); p != 2 || f != 1 {
		t.Errorf("Counts = %d, %d; want 2, 1", p, f)
	}
	err := c.Result()
	want := "PASS  first\nPASS  second\n      saw\n      this\nFAIL  third\n      it broke\n      there\nt-e2e: step 4\n\n" +
		"t-e2e: FAIL: 1 of 3 checks failed (KEEP_TMP=1 keeps the answers and logs)\n2 passed, 1 failed\n"
	if out.String() != want || err == nil || err.Error() != "1 of 3 checks failed" {
		t.Errorf("output:\n%s\nerr %v; want:\n%s", out.String(), err, want)
	}
	out.Reset()
	ok := Checks{Name: "t-e2e", Out: &out}
	ok.Check("only", nil)
	if err := ok.Result(); err != nil || !strings.HasSuffix(out.String(), "t-e2e: PASS: all 1 checks passed\n1 passed, 0 failed\n") {
		t.Errorf("all passed: %v, output:\n%s", err, out.String())
	}
}

type errString string

func (e errString) Error() string { return string(e) }
