package gate

import (
	"errors"
	"fmt"
	"io/fs"
	"os"

	"github.com/vllm-bench-action/vllm-bench-action/internal/baseline"
	"github.com/vllm-bench-action/vllm-bench-action/internal/config"
	"github.com/vllm-bench-action/vllm-bench-action/internal/stats"
)

// CompareDirs compares every results directory with the baselines in
// baselinesDir, each run gated with its settings from cfg (nil: the
// defaults) after the overrides, its server starts too where the run gates
// startup_seconds (CompareWithStarts), and adds a Missing row for every point a
// directory lacks (baseline.FindMissing). Baseline points the sweep did
// not plan (baseline.Unplanned) are listed in Report.NotMeasured, or are
// Missing where the run's gate says require_all_baseline_points. It is the one comparison that
// compare, run and the action share. An error means unreadable input (a
// corrupt result or baseline file, named in the message), or a directory
// with nothing to judge (wrapping baseline.ErrNoResults).
func CompareDirs(dirs []string, baselinesDir string, cfg *config.Config, ov Override) ([]*Report, error) {
	def := ov.Apply(Defaults())
	opts := Options{Gates: SettingsOf(cfg, ov), Default: &def}
	var out []*Report
	for _, dir := range dirs {
		cur, err := baseline.LoadResults(dir)
		if err != nil {
			return nil, err
		}
		missing, err := baseline.FindMissing(dir, baselinesDir, cur)
		if err != nil {
			return nil, err
		}
		unplanned, err := baseline.Unplanned(dir, baselinesDir, cur)
		if err != nil {
			return nil, err
		}
		pairs, err := baseline.Match(cur, baselinesDir)
		if err != nil {
			return nil, err
		}
		starts, err := baseline.MatchStarts(dir, cur, baselinesDir)
		if err != nil {
			return nil, err
		}
		r := CompareWithStarts(pairs, starts, opts)
		for _, u := range unplanned {
			if opts.settings(u.Server.Run).RequireAllBaselinePoints {
				u.Reason += " (gate.require_all_baseline_points)"
				missing = append(missing, u)
			} else {
				r.NotMeasured = append(r.NotMeasured, u)
			}
		}
		r.addMissing(missing)
		out = append(out, r)
	}
	return out, nil
}

// MissingBaselines says, when the baselines directory does not exist, that
// nothing will be gated, so a mistyped path cannot switch the gate off
// unnoticed. It returns "" when the directory exists.
func MissingBaselines(dir string) string {
	if _, err := os.Stat(dir); errors.Is(err, fs.ErrNotExist) {
		return fmt.Sprintf("baselines directory %q does not exist: every point is new and nothing is gated (create it with vllm-bench baseline update)", dir)
	}
	return ""
}

// Overall is the verdict over several reports (one per output directory of
// a config, or the merged shards) and the shards no directory delivered.
type Overall struct {
	// Verdict is VerdictError, VerdictFailed, VerdictRegression or
	// VerdictPass.
	Verdict string
	// Regressions is the number of regressed cells over all reports.
	Regressions int
	// Missing lists the points and shards that were planned but not
	// measured; any makes the verdict VerdictFailed and the exit 3.
	Missing []string
	// Compared counts the points that have a baseline, and NotComparable
	// those of them measured with other settings than their baseline;
	// start rows count in neither.
	Compared, NotComparable int
	// Unmeasured lists the points whose server failed, so that they could
	// not be measured: an infrastructure failure (exit 3), unlike failed
	// requests.
	Unmeasured []string
}

// Combine aggregates reports and missing shards into one verdict: a failed
// point or a missing one outranks a regression, which outranks a pass.
func Combine(reports []*Report, missingShards []string) Overall {
	o := Overall{Verdict: VerdictPass, Missing: append([]string(nil), missingShards...)}
	for _, r := range reports {
		o.Missing = append(o.Missing, r.MissingNames()...)
		o.Unmeasured = append(o.Unmeasured, r.UnmeasuredNames()...)
		for _, row := range r.Rows() {
			switch {
			case IsStartPoint(row.Point):
				// A start is not comparable for its cache state, not for
				// stale baselines.
			case row.Verdict == stats.New || row.Verdict == Missing:
			case row.Verdict == stats.NotComparable:
				o.Compared++
				o.NotComparable++
			default:
				o.Compared++
			}
		}
		o.Regressions += r.Regressions()
		switch v := r.Verdict(); {
		case v == VerdictError:
			o.Verdict = v
		case v == VerdictFailed && o.Verdict != VerdictError:
			o.Verdict = v
		case v == VerdictRegression && o.Verdict == VerdictPass:
			o.Verdict = v
		}
	}
	if len(o.Missing) > 0 && o.Verdict != VerdictError {
		o.Verdict = VerdictFailed
	}
	return o
}

// OK reports whether the gate passes.
func (o Overall) OK() bool { return o.Verdict == VerdictPass }

// NothingComparable reports whether every point with a baseline was
// measured with other settings than its baseline: the baselines are stale,
// and the comparison judged nothing.
func (o Overall) NothingComparable() bool { return o.Compared > 0 && o.NotComparable == o.Compared }
