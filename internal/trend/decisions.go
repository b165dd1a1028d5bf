package trend

import (
	"fmt"
	"strings"
)

// Decisions returns, in words, what the gate and people decided about the
// run's history: the runs the gate failed (on record, not promoted) and
// every run accepted on purpose, with who accepted it and why. A change
// point and the decision about it are read together. None when every run
// passed.
func (r Run) Decisions() []string {
	var failed []string
	var out []string
	for _, h := range r.History {
		switch {
		case h.Accepted():
			out = append(out, fmt.Sprintf("accepted on purpose: run %s (%s) by %s: %s", ShortSHA(h.SHA), Day(h.Date), orUnknown(h.AcceptedBy), orUnknown(h.AcceptReason)))
		case h.FailedGate():
			failed = append(failed, fmt.Sprintf("%s %s", ShortSHA(h.SHA), orUnknown(h.Verdict)))
		}
	}
	if len(failed) > 0 {
		line := fmt.Sprintf("the gate failed %s, recorded but not promoted: %s", plural(len(failed), "run"), strings.Join(failed, ", "))
		out = append([]string{line}, out...)
	}
	return out
}

func orUnknown(s string) string {
	if s == "" {
		return "?"
	}
	return s
}
