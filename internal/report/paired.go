package report

import (
	"fmt"
	"maps"
	"slices"
	"sort"
	"strings"

	"github.com/vllm-bench-action/vllm-bench-action/internal/stats"
	"github.com/vllm-bench-action/vllm-bench-action/internal/sweep"
)

// pairedTitle is the headline's suffix of a paired A/B report.
func (r *Report) pairedTitle() string {
	if r.Paired == nil {
		return ""
	}
	return fmt.Sprintf(" (paired A/B, %s)", plural(r.Paired.MostRounds(), "round"))
}

// pairedLine says what a paired A/B report's verdicts rest on.
func (r *Report) pairedLine() string {
	return fmt.Sprintf("Paired A/B: the reference build and the candidate started in turn on this machine (A B, B A, ...), %s of at most %d; "+
		"per-round ratios of each start's statistic, noise pooled over points at the same load, the false-alarm rate split over the rounds looked at; "+
		"intervals %s; unchanged means the interval lies within the tolerance.",
		plural(r.Paired.MostRounds(), "round"), r.Paired.MaxRounds, r.ciLabel()) + r.pointRounds()
}

// pointRounds says how many rounds measured the points when some were
// settled sooner than their server configuration and not measured again,
// e.g. " Points settled sooner were not measured again: 2 rounds for 4
// points, 4 rounds for 2 points."; "" when every point had its configuration's rounds.
func (r *Report) pointRounds() string {
	count := map[int]int{}
	sooner := false
	for _, g := range r.Groups {
		for _, row := range g.Rows {
			if row.Rounds > 0 {
				count[row.Rounds]++
				sooner = sooner || row.Rounds < r.Paired.Rounds[g.Server]
			}
		}
	}
	if !sooner {
		return ""
	}
	var parts []string
	for _, n := range slices.Sorted(maps.Keys(count)) {
		parts = append(parts, plural(n, "round")+" for "+plural(count[n], "point"))
	}
	return " Points settled sooner were not measured again: " + strings.Join(parts, ", ") + "."
}

// intervalHeading heads the column of the interval each verdict rests on:
// a paired report's at its confidence level, a stored comparison's the
// decision interval (at 1-2·alpha, two one-sided tests).
func (r *Report) intervalHeading() string {
	if r.Paired != nil {
		return r.ciLabel() + " interval"
	}
	return "decision interval"
}

// ciLabel is the confidence level of the report's intervals, e.g. "95%".
func (r *Report) ciLabel() string {
	level := stats.DefaultLevel
	if r.Paired != nil {
		for _, row := range r.Rows() {
			for _, c := range row.Cells {
				if c.CI != nil {
					level = c.CI.Level
				}
			}
		}
	}
	return fmt.Sprintf("%.3g%%", 100*level)
}

// jsonPaired is the paired A/B part of the JSON report: the rounds run,
// the most of any server configuration and per configuration.
type jsonPaired struct {
	Rounds    int               `json:"rounds"`
	MaxRounds int               `json:"max_rounds"`
	Servers   []jsonPairedRound `json:"servers"`
}

type jsonPairedRound struct {
	Server sweep.Server `json:"server"`
	Rounds int          `json:"rounds"`
}

func (r *Report) jsonPaired() *jsonPaired {
	if r.Paired == nil {
		return nil
	}
	out := &jsonPaired{Rounds: r.Paired.MostRounds(), MaxRounds: r.Paired.MaxRounds, Servers: []jsonPairedRound{}}
	for s, n := range r.Paired.Rounds {
		out.Servers = append(out.Servers, jsonPairedRound{Server: s, Rounds: n})
	}
	sort.Slice(out.Servers, func(i, j int) bool { return out.Servers[i].Server.Stem() < out.Servers[j].Server.Stem() })
	return out
}
