package emulator

import (
	"fmt"
	"io"
	"strings"
)

// verdictOrder is the order of the counts in the summary header.
var verdictOrder = []Verdict{
	VerdictAccepted, VerdictRejected, VerdictDropped, VerdictThrottled,
	VerdictFault, VerdictCanceled, VerdictPending,
}

// WriteSummary writes a human summary of the received events, as printed
// by `fluxpd run`: a header line with counts per verdict, then one line per
// event with its action, dedup key, severity, summary and verdict with
// reasons. Routing keys are masked. With no events it writes
// "no events received".
func (e *Emulator) WriteSummary(w io.Writer) error {
	reqs := e.Requests()
	if len(reqs) == 0 {
		_, err := fmt.Fprintln(w, "PagerDuty emulator: no events received")
		return err
	}
	var b strings.Builder
	fmt.Fprintf(&b, "PagerDuty emulator: %s received (%s)\n",
		plural(len(reqs), "event"), countVerdicts(reqs))
	for _, r := range reqs {
		v := viewRequest(r)
		fmt.Fprintf(&b, "  #%d %s: %s\n", v.ID, v.describe(false), v.outcome())
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// countVerdicts renders the non-zero counts, such as "2 accepted, 1 rejected".
func countVerdicts(reqs []Request) string {
	n := make(map[Verdict]int)
	for _, r := range reqs {
		n[r.Verdict]++
	}
	var parts []string
	for _, v := range verdictOrder {
		if n[v] > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", n[v], v))
		}
	}
	return strings.Join(parts, ", ")
}

func plural(n int, noun string) string {
	if n == 1 {
		return fmt.Sprintf("1 %s", noun)
	}
	return fmt.Sprintf("%d %ss", n, noun)
}
