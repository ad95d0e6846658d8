package e2e

// Counting and printing the checks of a scenario.

import (
	"fmt"
	"io"
	"os"
	"strings"
)

// Checks counts the checks of a scenario and prints one line per check:
//
//	PASS  (a) web-1 crit: sendEvent returned 202
//	      1 rows: every row has host=web-1, sendEventStatus=202
//	FAIL  (b) every row was sent
//	      row 2: _sent="false", want "true"
//
// with what the check saw, or why it failed, indented under it. A step
// never stops the scenario by failing: every later check still runs.
type Checks struct {
	// Name prefixes Say's lines, such as "influxd-e2e".
	Name string
	// Out receives the lines; nil means os.Stdout.
	Out io.Writer

	passed, failed int
}

func (c *Checks) out() io.Writer {
	if c.Out == nil {
		return os.Stdout
	}
	return c.Out
}

// Check counts and prints a check that holds when err is nil, and reports
// whether it held.
func (c *Checks) Check(what string, err error) bool {
	return c.CheckSeen(what, "", err)
}

// CheckSeen is Check that, when the check holds, prints seen (what it
// looked at) under its line.
func (c *Checks) CheckSeen(what, seen string, err error) bool {
	if err != nil {
		c.failed++
		fmt.Fprintf(c.out(), "FAIL  %s\n%s", what, indent(err.Error()))
		return false
	}
	c.passed++
	fmt.Fprintf(c.out(), "PASS  %s\n", what)
	if seen != "" {
		fmt.Fprint(c.out(), indent(seen))
	}
	return true
}

// Say prints a line about the scenario's progress, prefixed with Name.
func (c *Checks) Say(format string, a ...any) {
	fmt.Fprintf(c.out(), "%s: %s\n", c.Name, fmt.Sprintf(format, a...))
}

// Counts returns how many checks passed and how many failed so far.
func (c *Checks) Counts() (passed, failed int) { return c.passed, c.failed }

// Result prints the counts and returns an error when a check failed.
func (c *Checks) Result() error {
	w := c.out()
	fmt.Fprintln(w)
	if c.failed > 0 {
		c.Say("FAIL: %d of %d checks failed (KEEP_TMP=1 keeps the answers and logs)", c.failed, c.passed+c.failed)
	} else {
		c.Say("PASS: all %d checks passed", c.passed)
	}
	fmt.Fprintf(w, "%d passed, %d failed\n", c.passed, c.failed)
	if c.failed > 0 {
		return fmt.Errorf("%d of %d checks failed", c.failed, c.passed+c.failed)
	}
	return nil
}

// indent is s with every line indented by 6 spaces, ending in a newline.
func indent(s string) string {
	s = strings.TrimRight(s, "\n")
	return "      " + strings.ReplaceAll(s, "\n", "\n      ") + "\n"
}
