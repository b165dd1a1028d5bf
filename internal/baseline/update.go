package baseline

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

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
	// Suspect lists the points whose measurement is suspect (see
	// Refusals), with every reason: refused unless
	// UpdateOptions.AllowSuspect, promoted all the same when it is set.
	Suspect []Skip
	// Histories lists the history files that got a new line.
	Histories []string
}

// UpdateOptions configures UpdateWith. The zero value keeps every statistic
// of each point, DefaultHistoryCap lines and no marked lines, and refuses
// suspect points.
type UpdateOptions struct {
	// Metrics lists, per run name, the statistics its history lines keep
	// (the run's gate.metrics); a run not listed keeps all of them.
	Metrics map[string][]string
	// HistoryCap is the most lines a history keeps; zero means
	// DefaultHistoryCap.
	HistoryCap int
	// Keep marks the lines compaction must not drop; nil marks none.
	Keep KeepFunc
	// AllowSuspect promotes suspect points too; they are listed in
	// Updated.Suspect all the same.
	AllowSuspect bool
	// RecordOnly appends the history line without promoting anything: the
	// record of a run the gate did not pass, so that trend and the
	// dashboard see every night. Its line says promoted: false. Suspect
	// points are left out of the line (listed in Updated.Skipped), not
	// refused, unless AllowSuspect.
	RecordOnly bool
	// Verdict is the gate's verdict on the run, written into the history
	// line; empty when the run was not gated.
	Verdict string
	// AcceptedBy and AcceptReason, when set, say who accepted the run's
	// changes on purpose and why; they go into the history line.
	AcceptedBy, AcceptReason string
	// Sitting, when set, marks the line as measured in one invocation with
	// others of the same sitting (see HistoryEntry.Sitting).
	Sitting string
}

// SuspectError is UpdateWith's refusal to promote suspect points: nothing
// was written.
type SuspectError struct {
	// Points lists each suspect point with its reasons.
	Points []Skip
}

func (e *SuspectError) Error() string {
	lines := make([]string, 0, len(e.Points))
	for _, p := range e.Points {
		lines = append(lines, p.Name+": "+p.Reason)
	}
	n := "1 point is"
	if len(e.Points) != 1 {
		n = fmt.Sprintf("%d points are", len(e.Points))
	}
	return fmt.Sprintf("%s suspect, nothing was written (measure again on a quiet machine, or promote them anyway with --allow-suspect):\n  %s",
		n, strings.Join(lines, "\n  "))
}

// Refusals returns every reason why a point's measurement must not become a
// reference: its suspicions (results.File.Suspicions: a saturated client,
// host CPU pressure or steal, a simulator that fell behind, another process
// on its GPUs) and each of its GPUs that was throttled.
func Refusals(f *results.File) []string {
	var out []string
	for _, s := range f.Suspicions() {
		out = append(out, s.Source+": "+s.Reason)
	}
	if t := f.VllmBench.GPUTelemetry; t != nil {
		for _, g := range t.GPUs {
			if r := g.ThrottleReason(); r != "" {
				out = append(out, "gpu: "+r)
			}
		}
	}
	return out
}

// Update is UpdateWith with the zero options.
func Update(resultsDir, baselinesDir string) (*Updated, error) {
	return UpdateWith(resultsDir, baselinesDir, UpdateOptions{})
}

// UpdateWith promotes the complete, unfailed points of resultsDir to baselines
// under baselinesDir (replacing older ones of the same point, keeping the
// file's bytes) and appends one line per run to the run's history, with the
// run's server starts and GPU-seconds from the directory's summary.json
// (its accounting). Failed or
// incomplete points are skipped, with the reason, and their old baselines
// stay; their values are not written into the history. A suspect point
// (see Refusals) is refused with a *SuspectError unless opts.AllowSuspect.
// With RecordOnly it writes the history lines alone, and leaves suspect
// points out of them.
//
// Everything is checked before anything is written (every history read,
// every target a regular file or absent), then every file is written or
// none: the new files are staged in a temporary directory under
// baselinesDir and renamed into place, and a failed rename puts back the
// files already replaced. On any error every file under baselinesDir is as
// it was.
func UpdateWith(resultsDir, baselinesDir string, opts UpdateOptions) (*Updated, error) {
	cur, err := LoadResults(resultsDir)
	if err != nil {
		return nil, err
	}
	out := &Updated{}
	entries := map[string]*HistoryEntry{}
	var runs []string
	var writes []fileWrite
	for _, r := range cur {
		if !r.Promotable() {
			reason := "incomplete"
			if r.Failed() {
				reason = r.FailureReason()
			}
			out.Skipped = append(out.Skipped, Skip{Name: r.Name, Reason: reason})
			continue
		}
		if why := Refusals(r.File); len(why) > 0 {
			if opts.RecordOnly && !opts.AllowSuspect {
				out.Skipped = append(out.Skipped, Skip{Name: r.Name, Reason: "suspect: " + strings.Join(why, "; ")})
				continue
			}
			out.Suspect = append(out.Suspect, Skip{Name: r.Name, Reason: strings.Join(why, "; ")})
		}
		m := r.File.VllmBench
		if !opts.RecordOnly {
			path := filepath.Join(Dir(baselinesDir, m.Run), r.Name)
			writes = append(writes, fileWrite{path: path, data: r.Data})
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
	if len(out.Suspect) > 0 && !opts.AllowSuspect {
		return &Updated{Skipped: out.Skipped, Suspect: out.Suspect}, &SuspectError{Points: out.Suspect}
	}
	accounts, err := accountsByRun(resultsDir, stems(cur))
	if err != nil {
		return &Updated{Skipped: out.Skipped, Suspect: out.Suspect}, err
	}
	for run, e := range entries {
		if a := accounts[run]; a != nil {
			if len(a.starts) > 0 {
				e.Starts = a.starts
			}
			e.GPUSeconds = a.gpu
		}
	}
	sort.Strings(runs)
	var histories []string
	for _, run := range runs {
		path := filepath.Join(Dir(baselinesDir, run), HistoryFile)
		data, err := appendedHistory(path, *entries[run], opts.HistoryCap, opts.Keep)
		if err != nil {
			return &Updated{Skipped: out.Skipped, Suspect: out.Suspect}, err
		}
		writes = append(writes, fileWrite{path: path, data: data})
		histories = append(histories, path)
	}
	if err := writeAll(baselinesDir, writes); err != nil {
		return &Updated{Skipped: out.Skipped, Suspect: out.Suspect}, err
	}
	out.Histories = histories
	return out, nil
}

// stems maps the server configuration (its stem) of every result to its
// run.
func stems(cur []*Result) map[string]string {
	out := map[string]string{}
	for _, r := range cur {
		out[r.Server().Stem()] = r.File.VllmBench.Run
	}
	return out
}

// newEntry returns an empty history line carrying the options' verdict,
// promotion and acceptance.
func (opts UpdateOptions) newEntry() *HistoryEntry {
	promoted := !opts.RecordOnly
	return &HistoryEntry{
		Points: map[string]map[string]float64{}, Spread: map[string]map[string]float64{},
		Verdict: opts.Verdict, Promoted: &promoted, AcceptedBy: opts.AcceptedBy, AcceptReason: opts.AcceptReason,
		Sitting: opts.Sitting,
	}
}

// runDate is when a result was measured: its end time, else vLLM's date.
func runDate(r *Result) string {
	if t := r.File.VllmBench.EndTime; t != "" {
		return t
	}
	return r.File.Date
}

// checkTarget refuses a path that exists and is not a regular file: the
// rename over it would fail half-way through an update.
func checkTarget(path string) error {
	fi, err := os.Lstat(path)
	if err != nil {
		if os.IsNotExist(err) {
			return nil
		}
		return fmt.Errorf("baseline %q: %w", path, err)
	}
	if !fi.Mode().IsRegular() {
		return fmt.Errorf("baseline %q exists and is not a regular file", path)
	}
	return nil
}
