package baseline

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/vllm-bench-action/vllm-bench-action/internal/results"
	"github.com/vllm-bench-action/vllm-bench-action/internal/sweep"
)

// FailedSuffix ends the name of a point that could not be measured.
const FailedSuffix = results.FailedSuffix

// Result is one point's result file in a results directory.
type Result struct {
	// Name is the point's result file name (for a failed point, the name its
	// result would have had, without ".failed").
	Name string
	// Path is the file that was read.
	Path string
	// File is its content.
	File *results.File
	// Data is the file's bytes as read, so a baseline keeps them exactly.
	Data []byte
}

// Server returns the server configuration the result was measured on.
func (r *Result) Server() sweep.Server {
	m := r.File.VllmBench
	pp := m.PP
	if pp < 1 {
		pp = 1
	}
	return sweep.Server{Run: m.Run, TP: m.TP, DP: m.DP, PP: pp}
}

// Failed reports whether the point failed: it could not be measured (a
// .failed.json file or an error in vllm_bench) or some requests failed.
func (r *Result) Failed() bool {
	return strings.HasSuffix(r.Path, FailedSuffix) || r.File.VllmBench.Error != "" || r.File.Failed > 0
}

// Promotable reports whether the point may become a baseline: its file is
// complete (results.File.Complete) and no request failed.
func (r *Result) Promotable() bool {
	return !r.Failed() && r.File.Complete()
}

// FailureReason says in a few words why a failed point failed.
func (r *Result) FailureReason() string {
	f := r.File
	switch {
	case f.VllmBench.Error != "":
		return f.VllmBench.Error
	case f.Failed > 0:
		return fmt.Sprintf("%d of %d requests failed", f.Failed, f.Failed+f.Completed)
	}
	return "the point could not be measured"
}

// LoadResults reads every point's result file in the flat directory dir.
// When dir holds a summary.json (every sweep writes one), the files it lists
// are the points, so files left from earlier sweeps are not judged again;
// otherwise every *.json file but hidden ones is. When a point has both a
// result and a .failed.json file, the result wins. Results are sorted by run
// and file name. A file that cannot be decoded is an error naming it.
func LoadResults(dir string) ([]*Result, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil, fmt.Errorf("results directory %q does not exist", dir)
		}
		return nil, fmt.Errorf("results directory %q: %w", dir, err)
	}
	listed, err := summaryFiles(dir)
	if err != nil {
		return nil, err
	}
	byName := map[string]*Result{}
	for _, e := range entries {
		name := e.Name()
		if e.IsDir() || name == results.SummaryName || strings.HasPrefix(name, ".") || !strings.HasSuffix(name, ".json") {
			continue
		}
		if listed != nil && !listed[name] {
			continue
		}
		path := filepath.Join(dir, name)
		f, data, err := readResult(path)
		if err != nil {
			return nil, err
		}
		if f.VllmBench.Run == "" {
			return nil, fmt.Errorf("result file %q has no vllm_bench.run: it was not written by vllm-bench", path)
		}
		point := strings.TrimSuffix(name, FailedSuffix)
		if point != name {
			point += ".json"
		}
		r := &Result{Name: point, Path: path, File: f, Data: data}
		if old, ok := byName[point]; ok && !strings.HasSuffix(old.Path, FailedSuffix) {
			continue
		}
		byName[point] = r
	}
	out := make([]*Result, 0, len(byName))
	for _, r := range byName {
		out = append(out, r)
	}
	sort.Slice(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if a.File.VllmBench.Run != b.File.VllmBench.Run {
			return a.File.VllmBench.Run < b.File.VllmBench.Run
		}
		return a.Name < b.Name
	})
	return out, nil
}

// summaryFiles returns the file names dir's summary.json lists, or nil when
// the directory has none.
func summaryFiles(dir string) (map[string]bool, error) {
	sum, err := results.ReadSummary(dir)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	files := make(map[string]bool, len(sum.Points))
	for _, p := range sum.Points {
		if p.Status != results.StatusNotRun { // its file, if any, is of an earlier sweep
			files[p.File] = true
		}
	}
	return files, nil
}
