package report

import (
	"fmt"
	"strings"
)

// MissingSection renders, for the top of a report, the points and shards
// that were planned but not measured.
func MissingSection(missing []string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "> [!WARNING]\n> %d points or shards were not measured; the gate cannot pass without them:\n", len(missing))
	for _, m := range missing {
		fmt.Fprintf(&b, "> - %s\n", m)
	}
	return b.String() + "\n"
}

// notMeasured says which baseline points the sweep's config does not plan,
// "" when it plans them all: a note, since a smaller config measures less
// on purpose (gate.require_all_baseline_points makes them missing).
func (r *Report) notMeasured() string {
	if len(r.NotMeasured) == 0 {
		return ""
	}
	names := make([]string, len(r.NotMeasured))
	for i, m := range r.NotMeasured {
		names[i] = serverTitle(m.Server) + " " + m.Point.Label()
	}
	return fmt.Sprintf("Not measured by this config: %s in the baselines (%s); a note, not a failure (gate.require_all_baseline_points: true makes them missing).",
		plural(len(names), "point"), strings.Join(names, ", "))
}
