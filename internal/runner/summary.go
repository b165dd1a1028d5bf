package runner

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/vllm-bench-action/vllm-bench-action/internal/results"
	"github.com/vllm-bench-action/vllm-bench-action/internal/sweep"
)

// writeSummaries writes summary.json into every output directory of the
// sweep, listing each planned point in plan order. Entries of an earlier
// summary of the same config and shard for points this invocation did not
// plan (another --run, say) are kept, so that one directory can gather a
// config's runs one at a time. It returns the directories whose summary
// could not be written, and why.
func (sw *sweeper) writeSummaries(servers []sweep.ServerConfig) ([]string, error) {
	byDir := map[string]*results.Summary{}
	var dirs []string
	newSummary := func(dir string) *results.Summary {
		sum := &results.Summary{Config: sw.cfg.Path, ConfigSHA256: sw.cfg.SHA256, Shard: sw.shard, Written: time.Now().Format(time.RFC3339), Harness: sw.opts.HarnessVersion, Points: []results.PointStatus{}}
		byDir[dir] = sum
		dirs = append(dirs, dir)
		return sum
	}
	for _, s := range servers {
		dir := s.Run.Bench.OutputDir
		sum, ok := byDir[dir]
		if !ok {
			sum = newSummary(dir)
		}
		for _, name := range s.ResultNames() {
			path := filepath.Join(dir, name)
			st, ok := sw.status[path]
			if !ok {
				st, ok = sw.status[failedPath(path)]
			}
			if !ok {
				st = results.PointStatus{File: name, Status: results.StatusNotRun}
			}
			sum.Points = append(sum.Points, st)
		}
	}
	if len(servers) == 0 && sw.shard != "" {
		// A shard that drew no server still says so, so that merge
		// accounts for it.
		for _, r := range sw.cfg.Runs {
			if _, ok := byDir[r.Bench.OutputDir]; !ok {
				newSummary(r.Bench.OutputDir)
				if err := os.MkdirAll(r.Bench.OutputDir, 0o755); err != nil {
					return []string{r.Bench.OutputDir}, err
				}
			}
		}
	}
	var unindexed []string
	var errs []error
	for _, dir := range dirs {
		if _, err := os.Stat(dir); err != nil {
			continue // nothing ran there
		}
		sum := byDir[dir]
		keepEarlier(dir, sum)
		sum.Accounting = results.NewAccounting(sw.accountsIn(dir))
		data, err := results.EncodeSummary(sum)
		if err == nil {
			err = sw.opts.WriteFile(filepath.Join(dir, results.SummaryName), data)
		}
		if err != nil {
			unindexed = append(unindexed, dir)
			errs = append(errs, fmt.Errorf("no index written in %s: %w", dir, err))
		}
	}
	return unindexed, errors.Join(errs...)
}

// keepEarlier puts first the entries of dir's existing summary, if it is of
// the same config and shard, for points sum does not list.
func keepEarlier(dir string, sum *results.Summary) {
	old, err := results.ReadSummary(dir)
	if err != nil || old.ConfigSHA256 != sum.ConfigSHA256 || old.Shard != sum.Shard {
		return
	}
	planned := map[string]bool{}
	for _, p := range sum.Points {
		planned[p.File] = true
		planned[strings.TrimSuffix(p.File, results.FailedSuffix)+".json"] = true
	}
	var kept []results.PointStatus
	for _, p := range old.Points {
		if !planned[p.File] && !planned[strings.TrimSuffix(p.File, results.FailedSuffix)+".json"] {
			kept = append(kept, p)
		}
	}
	sum.Points = append(kept, sum.Points...)
}
