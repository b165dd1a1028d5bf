package baseline

import (
	"errors"
	"fmt"
	"os"
	"sort"
	"strings"

	"github.com/vllm-bench-action/vllm-bench-action/internal/results"
	"github.com/vllm-bench-action/vllm-bench-action/internal/sweep"
)

// ErrNoResults is wrapped by the error for a results directory that holds
// no result file and no plan: there is nothing to judge, so the benchmark
// did not run (or wrote elsewhere).
var ErrNoResults = errors.New("no result files")

// Missing is a point a results directory should hold and does not.
type Missing struct {
	// Name is the point's result file name.
	Name string
	// Server and Point identify it.
	Server sweep.Server
	Point  sweep.Point
	// Reason says why it is missing, in a few words.
	Reason string
}

// FindMissing returns the points the results directory dir lacks, given its
// loaded results cur (LoadResults). When dir holds a summary.json, the
// sweep's plan is known: a planned point is missing when it was not run
// (the sweep was interrupted) or its file is gone. Without a summary, a
// point stored under baselinesDir for a run the directory holds is missing
// when the directory lacks it. A directory with neither results nor a
// planned point is an error wrapping ErrNoResults.
func FindMissing(dir, baselinesDir string, cur []*Result) ([]Missing, error) {
	have := make(map[string]bool, len(cur))
	for _, r := range cur {
		have[r.Name] = true
	}
	sum, err := results.ReadSummary(dir)
	switch {
	case errors.Is(err, os.ErrNotExist):
		sum = nil
	case err != nil:
		return nil, err
	}
	var out []Missing
	add := func(name, reason string) {
		srv, p, err := sweep.ParseResultName(name)
		if err != nil {
			return // not a point of ours
		}
		out = append(out, Missing{Name: name, Server: srv, Point: p, Reason: reason})
	}
	if sum != nil {
		for _, p := range sum.Points {
			name := pointName(p.File)
			switch {
			case have[name]:
			case p.Status == results.StatusNotRun:
				add(name, "not run: the sweep stopped before this point")
			default:
				add(name, fmt.Sprintf("summary.json lists it as %s, but %s is not in the directory", p.Status, p.File))
			}
		}
	} else {
		runs := map[string]bool{}
		for _, r := range cur {
			runs[r.File.VllmBench.Run] = true
		}
		for run := range runs {
			names, err := baselineNames(Dir(baselinesDir, run))
			if err != nil {
				return nil, err
			}
			for _, name := range names {
				if !have[name] {
					add(name, "the baseline has this point; the results do not")
				}
			}
		}
	}
	if len(cur) == 0 && len(out) == 0 {
		return nil, fmt.Errorf("results directory %q holds %w: the benchmark did not run, or wrote its results elsewhere", dir, ErrNoResults)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

// Unplanned returns the points stored under baselinesDir, for the runs of
// the results directory dir, that the sweep's plan (its summary.json) does
// not list: the config that made dir does not measure them. Without a
// summary the plan is unknown and FindMissing reports such points as
// missing instead, so Unplanned returns none.
func Unplanned(dir, baselinesDir string, cur []*Result) ([]Missing, error) {
	sum, err := results.ReadSummary(dir)
	switch {
	case errors.Is(err, os.ErrNotExist):
		return nil, nil
	case err != nil:
		return nil, err
	}
	planned := map[string]bool{}
	runs := map[string]bool{}
	for _, p := range sum.Points {
		name := pointName(p.File)
		planned[name] = true
		if srv, _, err := sweep.ParseResultName(name); err == nil {
			runs[srv.Run] = true
		}
	}
	for _, r := range cur {
		planned[r.Name] = true
		runs[r.File.VllmBench.Run] = true
	}
	var out []Missing
	for run := range runs {
		names, err := baselineNames(Dir(baselinesDir, run))
		if err != nil {
			return nil, err
		}
		for _, name := range names {
			if planned[name] {
				continue
			}
			if srv, p, err := sweep.ParseResultName(name); err == nil {
				out = append(out, Missing{Name: name, Server: srv, Point: p, Reason: "in the baselines, not planned by this config"})
			}
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

// pointName is the point's result name for a file name as written
// (NAME.failed.json stands for NAME.json).
func pointName(file string) string {
	if base, ok := strings.CutSuffix(file, FailedSuffix); ok {
		return base + ".json"
	}
	return file
}

// baselineNames lists the result files stored in a run's baselines
// directory; none when it does not exist.
func baselineNames(dir string) ([]string, error) {
	entries, err := os.ReadDir(dir)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("baselines directory %q: %w", dir, err)
	}
	var names []string
	for _, e := range entries {
		if n := e.Name(); !e.IsDir() && strings.HasSuffix(n, ".json") && !strings.HasPrefix(n, ".") {
			names = append(names, n)
		}
	}
	return names, nil
}
