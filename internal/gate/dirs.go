package gate

import (
	"errors"
	"fmt"
	"io/fs"
	"os"

	"github.com/vllm-bench-action/vllm-bench-action/internal/baseline"
	"github.com/vllm-bench-action/vllm-bench-action/internal/config"
)

// CompareDirs compares every results directory with the baselines in
// baselinesDir, each run gated with its settings from cfg (nil: the
// defaults) after the overrides. It is the one comparison that compare, run
// and the action share. An error means unreadable input (a corrupt result
// or baseline file, named in the message).
func CompareDirs(dirs []string, baselinesDir string, cfg *config.Config, ov Override) ([]*Report, error) {
	def := ov.Apply(Defaults())
	opts := Options{Gates: SettingsOf(cfg, ov), Default: &def}
	var out []*Report
	for _, dir := range dirs {
		pairs, err := baseline.Load(dir, baselinesDir)
		if err != nil {
			return nil, err
		}
		out = append(out, Compare(pairs, opts))
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
// a config, or the merged shards) and the points no shard delivered.
type Overall struct {
	// Verdict is VerdictFailed, VerdictRegression or VerdictPass.
	Verdict string
	// Regressions is the number of regressed cells over all reports.
	Regressions int
	// Missing lists the points and shards that were planned but not
	// measured; any makes the verdict VerdictFailed.
	Missing []string
}

// Combine aggregates reports and missing points into one verdict: a failed
// point or a missing one outranks a regression, which outranks a pass.
func Combine(reports []*Report, missing []string) Overall {
	o := Overall{Verdict: VerdictPass, Missing: missing}
	for _, r := range reports {
		o.Regressions += r.Regressions()
		switch v := r.Verdict(); {
		case v == VerdictFailed:
			o.Verdict = v
		case v == VerdictRegression && o.Verdict == VerdictPass:
			o.Verdict = v
		}
	}
	if len(missing) > 0 {
		o.Verdict = VerdictFailed
	}
	return o
}

// OK reports whether the gate passes.
func (o Overall) OK() bool { return o.Verdict == VerdictPass }
