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
