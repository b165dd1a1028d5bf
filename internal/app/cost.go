package app

import (
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/vllm-bench-action/vllm-bench-action/internal/results"
	"github.com/vllm-bench-action/vllm-bench-action/internal/runner"
)

// costLine says what the given server starts cost in GPU time and where it
// went, e.g. "GPU time 11m20s: 3 starts 2m10s (2 warm), warmup 20s,
// measuring 8m30s, stopping 5s, other 15s". Each phase is weighed by the
// GPUs of its server, so the phases add up to the total. "" when there
// were no starts.
func costLine(accounts []results.ServerAccount) string {
	if len(accounts) == 0 {
		return ""
	}
	var start, warmup, measuring, stopping, other float64
	warm := 0
	for _, a := range accounts {
		g := float64(a.GPUs)
		start += g * a.StartS
		warmup += g * a.WarmupS
		measuring += g * a.MeasuringS
		stopping += g * a.StoppingS
		other += g * a.OtherS
		if a.CacheWarm != nil && *a.CacheWarm {
			warm++
		}
	}
	t := results.Total(accounts)
	starts := fmt.Sprintf("%s %s", plural(t.Starts, "start"), seconds(start))
	if warm > 0 {
		starts += fmt.Sprintf(" (%d warm)", warm)
	}
	parts := []string{starts}
	for _, p := range []struct {
		name string
		s    float64
	}{{"warmup", warmup}, {"measuring", measuring}, {"stopping", stopping}, {"other", other}} {
		if p.s > 0 {
			parts = append(parts, p.name+" "+seconds(p.s))
		}
	}
	return fmt.Sprintf("GPU time %s: %s", seconds(t.GPUSeconds), strings.Join(parts, ", "))
}

// costLines says what the server starts recorded in the given results
// directories (their summary.json's accounting) cost: costLine, or for a
// paired A/B comparison, whose starts name their build, abCostLines. None
// when no directory recorded a start; a directory without a readable
// summary.json counts for nothing.
func costLines(dirs []string) []string {
	var all []results.ServerAccount
	seen := map[string]bool{}
	for _, dir := range dirs {
		if seen[filepath.Clean(dir)] {
			continue
		}
		seen[filepath.Clean(dir)] = true
		if sum, err := results.ReadSummary(dir); err == nil && sum.Accounting != nil {
			all = append(all, sum.Accounting.Servers...)
		}
	}
	if slices.ContainsFunc(all, func(a results.ServerAccount) bool { return a.Side != "" }) {
		return abCostLines(all)
	}
	if line := costLine(all); line != "" {
		return []string{line}
	}
	return nil
}

// seconds writes a span for a reader: tenths of a second under a minute,
// whole seconds above.
func seconds(s float64) string {
	if s < 60 {
		return fmt.Sprintf("%.1fs", s)
	}
	return (time.Duration(s * float64(time.Second))).Round(time.Second).String()
}

// abCostLines are the cost of a paired comparison's server starts: the
// whole, then each build's and each round's GPU time. None when nothing
// started.
func abCostLines(all []results.ServerAccount) []string {
	if len(all) == 0 {
		return nil
	}
	lines := []string{costLine(all)}
	var builds []string
	for _, side := range []string{runner.SideBaseline, runner.SideCandidate} {
		part := slices.DeleteFunc(slices.Clone(all), func(a results.ServerAccount) bool { return a.Side != side })
		if len(part) > 0 {
			t := results.Total(part)
			builds = append(builds, fmt.Sprintf("%s %s in %s", side, seconds(t.GPUSeconds), plural(t.Starts, "start")))
		}
	}
	lines = append(lines, "GPU time by build: "+strings.Join(builds, ", "))
	var rounds []string
	for k := 1; ; k++ {
		part := slices.DeleteFunc(slices.Clone(all), func(a results.ServerAccount) bool { return a.Round != k })
		if len(part) == 0 {
			break
		}
		rounds = append(rounds, fmt.Sprintf("round %d %s", k, seconds(results.Total(part).GPUSeconds)))
	}
	lines = append(lines, "GPU time by round: "+strings.Join(rounds, ", "))
	return lines
}
