package app

import (
	"os"
	"path/filepath"
	"time"

	"github.com/vllm-bench-action/vllm-bench-action/internal/results"
	"github.com/vllm-bench-action/vllm-bench-action/internal/sweep"
)

// writeSummaries writes summary.json into every output directory of the
// sweep, listing each planned point in plan order.
func (sw *sweeper) writeSummaries(servers []sweep.ServerConfig) error {
	byDir := map[string]*results.Summary{}
	var dirs []string
	for _, s := range servers {
		dir := s.Run.Bench.OutputDir
		sum, ok := byDir[dir]
		if !ok {
			sum = &results.Summary{Config: sw.cfg.Path, ConfigSHA256: sw.cfg.SHA256, Shard: sw.shard, Written: time.Now().Format(time.RFC3339), Harness: Version}
			byDir[dir] = sum
			dirs = append(dirs, dir)
		}
		for _, name := range s.ResultNames() {
			path := filepath.Join(dir, name)
			st, ok := sw.status[path]
			if !ok {
				st, ok = sw.status[failedPath(path)]
			}
			if !ok {
				st = results.PointStatus{File: name, Status: "not-run"}
			}
			sum.Points = append(sum.Points, st)
		}
	}
	if len(servers) == 0 && sw.shard != "" {
		// A shard that drew no server still says so, so that merge
		// accounts for it.
		for _, r := range sw.cfg.Runs {
			if _, ok := byDir[r.Bench.OutputDir]; !ok {
				byDir[r.Bench.OutputDir] = &results.Summary{Config: sw.cfg.Path, ConfigSHA256: sw.cfg.SHA256, Shard: sw.shard, Written: time.Now().Format(time.RFC3339), Harness: Version, Points: []results.PointStatus{}}
				dirs = append(dirs, r.Bench.OutputDir)
				if err := os.MkdirAll(r.Bench.OutputDir, 0o755); err != nil {
					return err
				}
			}
		}
	}
	for _, dir := range dirs {
		if _, err := os.Stat(dir); err != nil {
			continue // nothing ran there
		}
		if err := results.WriteSummary(dir, byDir[dir]); err != nil {
			return err
		}
	}
	return nil
}
