package baseline

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"

	"github.com/vllm-bench-action/vllm-bench-action/internal/results"
)

// Skip is a point that Update did not promote, and why.
type Skip struct {
	// Name is the point's result file name.
	Name string
	// Reason says why it was not promoted.
	Reason string
}

// Updated is what Update did.
type Updated struct {
	// Promoted lists the baseline files written, in order.
	Promoted []string
	// Skipped lists the points left out.
	Skipped []Skip
	// Histories lists the history files that got a new line.
	Histories []string
}

// UpdateOptions configures UpdateWith. The zero value keeps every statistic
// of each point, DefaultHistoryCap lines and no marked lines.
type UpdateOptions struct {
	// Metrics lists, per run name, the statistics its history lines keep
	// (the run's gate.metrics); a run not listed keeps all of them.
	Metrics map[string][]string
	// HistoryCap is the most lines a history keeps; zero means
	// DefaultHistoryCap.
	HistoryCap int
	// Keep marks the lines compaction must not drop; nil marks none.
	Keep KeepFunc
	// RecordOnly appends the history line without promoting anything: the
	// record of a run the gate did not pass, so that trend and the
	// dashboard see every night. Its line says promoted: false.
	RecordOnly bool
	// Verdict is the gate's verdict on the run, written into the history
	// line; empty when the run was not gated.
	Verdict string
	// AcceptedBy and AcceptReason, when set, say who accepted the run's
	// changes on purpose and why; they go into the history line.
	AcceptedBy, AcceptReason string
}

// Update is UpdateWith with the zero options.
func Update(resultsDir, baselinesDir string) (*Updated, error) {
	return UpdateWith(resultsDir, baselinesDir, UpdateOptions{})
}

// UpdateWith promotes the complete, unfailed points of resultsDir to baselines
// under baselinesDir (replacing older ones of the same point, keeping the
// file's bytes) and appends one line per run to the run's history. Failed or
// incomplete points are skipped, with the reason, and their old baselines
// stay; their values are not written into the history. With RecordOnly it
// writes the history lines alone. Files are written atomically; on an error, what was written so far
// stays written.
func UpdateWith(resultsDir, baselinesDir string, opts UpdateOptions) (*Updated, error) {
	cur, err := LoadResults(resultsDir)
	if err != nil {
		return nil, err
	}
	out := &Updated{}
	entries := map[string]*HistoryEntry{}
	var runs []string
	for _, r := range cur {
		if !r.Promotable() {
			reason := "incomplete"
			if r.Failed() {
				reason = r.FailureReason()
			}
			out.Skipped = append(out.Skipped, Skip{Name: r.Name, Reason: reason})
			continue
		}
		m := r.File.VllmBench
		dir := Dir(baselinesDir, m.Run)
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return out, fmt.Errorf("create baselines directory %q: %w", dir, err)
		}
		if !opts.RecordOnly {
			path := filepath.Join(dir, r.Name)
			if err := results.WriteAtomic(path, r.Data); err != nil {
				return out, err
			}
			out.Promoted = append(out.Promoted, path)
		}

		e, ok := entries[m.Run]
		if !ok {
			e = opts.newEntry()
			entries[m.Run] = e
			runs = append(runs, m.Run)
		}
		points, spread := summarizeFor(r.File, opts.Metrics[m.Run])
		e.Points[r.Name] = points
		if len(spread) > 0 {
			e.Spread[r.Name] = spread
		}
		if date := runDate(r); date > e.Date {
			e.Date = date
		}
		if e.GitSHA == "" {
			e.GitSHA = m.Env.GitSHA
		}
		if e.GPUModel == "" {
			e.GPUModel = m.Env.GPUModel
		}
		if e.HarnessVersion == "" {
			e.HarnessVersion = m.Env.HarnessVersion
		}
	}
	sort.Strings(runs)
	for _, run := range runs {
		path := filepath.Join(Dir(baselinesDir, run), HistoryFile)
		if err := appendHistory(path, *entries[run], opts.HistoryCap, opts.Keep); err != nil {
			return out, err
		}
		out.Histories = append(out.Histories, path)
	}
	return out, nil
}

// newEntry returns an empty history line carrying the options' verdict,
// promotion and acceptance.
func (opts UpdateOptions) newEntry() *HistoryEntry {
	promoted := !opts.RecordOnly
	return &HistoryEntry{
		Points: map[string]map[string]float64{}, Spread: map[string]map[string]float64{},
		Verdict: opts.Verdict, Promoted: &promoted, AcceptedBy: opts.AcceptedBy, AcceptReason: opts.AcceptReason,
	}
}

// runDate is when a result was measured: its end time, else vLLM's date.
func runDate(r *Result) string {
	if t := r.File.VllmBench.EndTime; t != "" {
		return t
	}
	return r.File.Date
}
