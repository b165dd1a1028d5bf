package gate

import (
	"math"
	"sort"

	"github.com/vllm-bench-action/vllm-bench-action/internal/baseline"
	"github.com/vllm-bench-action/vllm-bench-action/internal/results"
	"github.com/vllm-bench-action/vllm-bench-action/internal/stats"
	"github.com/vllm-bench-action/vllm-bench-action/internal/sweep"
)

// CalibrationPower is the power at which Calibrate reports the smallest
// detectable change.
const CalibrationPower = 0.8

// Calibration measures the gate on repeated runs of the same points with
// nothing changed between them (A/A): the run-to-run noise of each metric,
// how often the gate flags a change that is not there, and the smallest
// change it can detect.
type Calibration struct {
	// Runs is the number of result sets K.
	Runs int
	// Gate is the gate measured.
	Gate Settings
	// Points holds one entry per point present in two runs or more.
	Points []CalibrationPoint
}

// CalibrationPoint is the calibration of one point.
type CalibrationPoint struct {
	// Name is the point's result file name.
	Name string
	// Server and Point identify it.
	Server sweep.Server
	Point  sweep.Point
	// Pairs is the number of A/A comparisons, K(K-1)/2 for K runs.
	Pairs int
	// Metrics holds one entry per gated metric.
	Metrics []CalibrationMetric
}

// CalibrationMetric is the calibration of one metric of one point.
type CalibrationMetric struct {
	// Metric is the metric's name.
	Metric string
	// Mean is the mean of the statistic over the runs.
	Mean float64
	// CV is the run-to-run coefficient of variation of the statistic.
	CV float64
	// Flagged is how many A/A pairs the gate judged a regression or an
	// improvement (each one a false alarm).
	Flagged int
	// Detectable is the smallest relative change the gate detects with
	// CalibrationPower at the gate's alpha: the larger of the tolerance and
	// stats.DetectableChange of CV.
	Detectable float64
}

// Calibrate runs the gate on every pair of result sets (each set one run of
// the same points), as if the older were the baseline, and summarises per
// point and gated metric. Each pair is one report, so the Benjamini-Hochberg
// family is the same as in a real comparison. Failed points are left out.
func Calibrate(runs [][]*results.File, gate Settings) *Calibration {
	opts := Options{Default: &gate}
	c := &Calibration{Runs: len(runs), Gate: gate}

	// Index each run's files by point.
	type key struct {
		server sweep.Server
		name   string
		point  sweep.Point
	}
	byRun := make([]map[key]*baseline.Result, len(runs))
	var keys []key
	seen := map[key]bool{}
	for i, files := range runs {
		byRun[i] = map[key]*baseline.Result{}
		for _, f := range files {
			r := &baseline.Result{File: f}
			srv := r.Server()
			r.Name = sweep.ResultName(srv, f.VllmBench.Point)
			r.Path = r.Name
			if r.Failed() {
				continue
			}
			k := key{srv, r.Name, f.VllmBench.Point}
			byRun[i][k] = r
			if !seen[k] {
				seen[k] = true
				keys = append(keys, k)
			}
		}
	}
	sort.Slice(keys, func(i, j int) bool {
		if keys[i].server != keys[j].server {
			return serverLess(keys[i].server, keys[j].server)
		}
		return pointLess(keys[i].point, keys[j].point)
	})

	// flagged[point][metric] counts A/A pairs judged changed.
	flagged := map[key]map[string]int{}
	pairs := map[key]int{}
	for i := range runs {
		for j := i + 1; j < len(runs); j++ {
			var ps []baseline.Pair
			for _, k := range keys {
				a, b := byRun[i][k], byRun[j][k]
				if a == nil || b == nil {
					continue
				}
				ps = append(ps, baseline.Pair{Current: b, Baseline: a.File, BaselinePath: a.Path})
				pairs[k]++
			}
			rep := Compare(ps, opts)
			for _, g := range rep.Groups {
				for _, row := range g.Rows {
					k := key{g.Server, row.Name, row.Point}
					if flagged[k] == nil {
						flagged[k] = map[string]int{}
					}
					for _, cell := range row.Cells {
						if cell.Verdict == stats.Regression || cell.Verdict == stats.Improvement {
							flagged[k][cell.Metric]++
						}
					}
				}
			}
		}
	}

	for _, k := range keys {
		if pairs[k] == 0 {
			continue
		}
		var files []*results.File
		for i := range runs {
			if r := byRun[i][k]; r != nil {
				files = append(files, r.File)
			}
		}
		p := CalibrationPoint{Name: k.name, Server: k.server, Point: files[0].VllmBench.Point, Pairs: pairs[k]}
		for _, name := range gate.Metrics {
			m, ok := LookupMetric(name)
			if !ok || !m.PerPoint() {
				continue // calibration compares points, not starts
			}
			var vs []float64
			for _, f := range files {
				if v, ok := m.Value(f); ok {
					vs = append(vs, v)
				}
			}
			cv := stats.CV(vs)
			p.Metrics = append(p.Metrics, CalibrationMetric{
				Metric: name, Mean: stats.Mean(vs), CV: cv, Flagged: flagged[k][name],
				Detectable: math.Max(gate.Tolerance, stats.DetectableChange(cv, gate.Alpha, CalibrationPower)),
			})
		}
		c.Points = append(c.Points, p)
	}
	return c
}

// FalseAlarms returns the number of flagged A/A cells and the number of
// A/A cells in all.
func (c *Calibration) FalseAlarms() (flagged, cells int) {
	for _, p := range c.Points {
		for _, m := range p.Metrics {
			flagged += m.Flagged
			cells += p.Pairs
		}
	}
	return flagged, cells
}

// CalibrateDirs reads K results directories, each one run of the same
// points, keeps the results keep accepts (nil keeps all: keep lets one run
// of a config be calibrated with its own gate, without files a directory
// held before), and calibrates the gate on them. An error names the file or
// directory that could not be read.
func CalibrateDirs(dirs []string, keep func(*baseline.Result) bool, gate Settings) (*Calibration, error) {
	runs := make([][]*results.File, 0, len(dirs))
	for _, dir := range dirs {
		rs, err := baseline.LoadResults(dir)
		if err != nil {
			return nil, err
		}
		files := make([]*results.File, 0, len(rs))
		for _, r := range rs {
			if keep == nil || keep(r) {
				files = append(files, r.File)
			}
		}
		runs = append(runs, files)
	}
	return Calibrate(runs, gate), nil
}
