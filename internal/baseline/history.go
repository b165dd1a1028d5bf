package baseline

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
)

// History file settings.
const (
	// HistoryFile is the name of a run's history under its baselines
	// directory.
	HistoryFile = "history.jsonl"
	// DefaultHistoryCap is the most lines a history keeps unless
	// UpdateOptions.HistoryCap says otherwise: a year of nightly runs, the
	// series that change-point detection reads. Older lines are dropped
	// (see compactHistory).
	DefaultHistoryCap = 365
	// GateWindow is how many of the newest history lines (of the same GPU
	// model) the gate reads for its run-to-run noise: thirty accepted runs
	// (a month of nightlies) are plenty for a noise estimate and recent
	// enough to follow slow drifts of the hardware.
	GateWindow = 30
	// MinHistorySittings is how many distinct sittings the history lines
	// the gate reads must come from before their spread counts as the
	// runner's run-to-run noise. Runs measured back to back in one
	// invocation share the machine's state of the moment (clocks, a
	// neighbour, a fast or slow phase) and understate the spread between
	// one day's run and the next.
	MinHistorySittings = 2
)

// HistoryEntry is one line of history.jsonl: the summary of one completed
// run, promoted to the baselines or not.
type HistoryEntry struct {
	// Date is when the run was measured (RFC 3339, from the results).
	Date string `json:"date"`
	// GitSHA is the commit measured, when known.
	GitSHA string `json:"git_sha,omitempty"`
	// GPUModel is the GPU the run was measured on, when known; history from
	// other hardware is not used.
	GPUModel string `json:"gpu_model,omitempty"`
	// HarnessVersion is the vllm-bench version that measured the run.
	HarnessVersion string `json:"harness_version,omitempty"`
	// Points maps a result file name to its statistics (see Summarize),
	// or to the gated ones only when the update named them.
	Points map[string]map[string]float64 `json:"points"`
	// Spread maps a result file name to the within-run spread of each
	// statistic of Points that has one (see spreadOf); lines written
	// before it existed have none.
	Spread map[string]map[string]float64 `json:"spread,omitempty"`
	// Verdict is the gate's verdict on the run (pass, regression, failed),
	// when it was gated; empty on lines written without one.
	Verdict string `json:"verdict,omitempty"`
	// Promoted says whether the run's results became the baselines. Lines
	// written before it was recorded were all promoted: nil reads as true
	// (see IsPromoted).
	Promoted *bool `json:"promoted,omitempty"`
	// AcceptedBy names who accepted the run's changes on purpose (the
	// workflow's actor, or the pull request label), and AcceptReason why;
	// both empty unless the run was accepted.
	AcceptedBy   string `json:"accepted_by,omitempty"`
	AcceptReason string `json:"accept_reason,omitempty"`
	// Sitting identifies the invocation that measured the run when it
	// measured others too: `calibrate --repeats K --baselines` marks its K
	// lines with one sitting. A line without it is a sitting of its own.
	Sitting string `json:"sitting,omitempty"`
	// Starts holds, per server configuration of the run (its stem,
	// NAME_TP1_DP1), its server starts that became ready, from the results
	// directory's summary.json; GPUSeconds what the run's servers held of
	// their GPUs. Lines written before they were recorded, and runs whose
	// directory accounts for no start (a --resume that measured nothing),
	// have neither.
	Starts     map[string][]Start `json:"starts,omitempty"`
	GPUSeconds *GPUSeconds        `json:"gpu_seconds,omitempty"`
}

// IsPromoted reports whether the line's run became the baselines: the gate
// reads its run-to-run noise from promoted lines only, so that a night
// that regressed does not widen the tolerance that judges the next one.
func (e HistoryEntry) IsPromoted() bool { return e.Promoted == nil || *e.Promoted }

// Accepted reports whether the line's run was accepted on purpose.
func (e HistoryEntry) Accepted() bool { return e.AcceptReason != "" || e.AcceptedBy != "" }

// ReadHistory reads a history file; a missing file is an empty history. A
// line that is not a valid entry is an error naming the file and line.
func ReadHistory(path string) ([]HistoryEntry, error) {
	data, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read history %q: %w", path, err)
	}
	var out []HistoryEntry
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 0, 64*1024), 64*1024*1024)
	for line := 1; sc.Scan(); line++ {
		text := bytes.TrimSpace(sc.Bytes())
		if len(text) == 0 {
			continue
		}
		var e HistoryEntry
		if err := json.Unmarshal(text, &e); err != nil {
			return nil, fmt.Errorf("history %q:%d: %w", path, line, err)
		}
		out = append(out, e)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("read history %q: %w", path, err)
	}
	return out, nil
}

// appendedHistory returns the bytes of the history at path with e as its
// newest line, compacted to at most limit lines (see compactHistory). Lines
// keep six significant digits. A history that cannot be read is an error
// naming the file and line.
func appendedHistory(path string, e HistoryEntry, limit int, keep KeepFunc) ([]byte, error) {
	entries, err := ReadHistory(path)
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	for _, h := range compactHistory(append(entries, e), limit, keep) {
		line, err := json.Marshal(roundEntry(h))
		if err != nil {
			return nil, fmt.Errorf("history %q: %w", path, err)
		}
		buf.Write(line)
		buf.WriteByte('\n')
	}
	return buf.Bytes(), nil
}

// PointHistories returns a point's history (by result file name) as Match
// would pair it on each GPU model a run's history entries (ReadHistory)
// hold: one map of values per statistic per model.
func PointHistories(entries []HistoryEntry, name string) []map[string][]float64 {
	var out []map[string][]float64
	seen := map[string]bool{}
	for _, e := range entries {
		if !seen[e.GPUModel] {
			seen[e.GPUModel] = true
			values, _ := pointHistory(entries, name, e.GPUModel)
			out = append(out, values)
		}
	}
	return out
}

// pointHistory returns, per statistic, the values of one point over the
// newest GateWindow promoted entries measured on gpuModel, oldest first
// (see windowHistory).
func pointHistory(entries []HistoryEntry, name, gpuModel string) (values map[string][]float64, note string) {
	return windowHistory(entries, gpuModel, func(e HistoryEntry) map[string]float64 { return e.Points[name] })
}

// windowHistory returns, per statistic, the values that stats gives of the
// newest GateWindow promoted entries measured on gpuModel, oldest first.
// When the entries that give any come from fewer than MinHistorySittings
// sittings it returns no values and note says why.
func windowHistory(entries []HistoryEntry, gpuModel string, stats func(HistoryEntry) map[string]float64) (values map[string][]float64, note string) {
	var same []HistoryEntry
	for _, e := range entries {
		if e.GPUModel == gpuModel && e.IsPromoted() {
			same = append(same, e)
		}
	}
	if len(same) > GateWindow {
		same = same[len(same)-GateWindow:]
	}
	out := map[string][]float64{}
	sittings := map[string]bool{}
	lines := 0
	for i, e := range same {
		vs := stats(e)
		if len(vs) == 0 {
			continue
		}
		lines++
		sittings[sittingOf(e, i)] = true
		for k, v := range vs {
			out[k] = append(out[k], v)
		}
	}
	if lines >= 2 && len(sittings) < MinHistorySittings {
		return map[string][]float64{}, fmt.Sprintf("the %d history runs were all measured in one sitting (%s): their spread is not taken for the run-to-run noise until runs of another sitting join them",
			lines, same[len(same)-1].Sitting)
	}
	return out, ""
}

// sittingOf is the sitting of the i-th entry: its Sitting, or a sitting of
// its own.
func sittingOf(e HistoryEntry, i int) string {
	if e.Sitting != "" {
		return "marked " + e.Sitting
	}
	return fmt.Sprintf("line %d", i)
}
