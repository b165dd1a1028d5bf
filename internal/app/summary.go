package app

import (
	"encoding/json"
	"os"
	"path/filepath"
	"time"

	"github.com/vllm-bench-action/vllm-bench-action/internal/results"
	"github.com/vllm-bench-action/vllm-bench-action/internal/sweep"
)

// summaryFile is summary.json: the index of a run's output directory, one
// entry per planned point with what became of it.
type summaryFile struct {
	Config string `json:"config"`
	// ConfigSHA256 identifies the config's content, so that merge refuses
	// shards of different configs.
	ConfigSHA256 string `json:"config_sha256"`
	// Shard is "i/n" for a shard's directory, empty for a whole sweep.
	Shard   string        `json:"shard,omitempty"`
	Written string        `json:"written"`
	Harness string        `json:"harness_version"`
	Points  []pointStatus `json:"points"`
}

// writeSummaries writes summary.json into every output directory of the
// sweep, listing each planned point in plan order.
func (sw *sweeper) writeSummaries(servers []sweep.ServerConfig) error {
	byDir := map[string]*summaryFile{}
	var dirs []string
	for _, s := range servers {
		dir := s.Run.Bench.OutputDir
		sum, ok := byDir[dir]
		if !ok {
			sum = &summaryFile{Config: sw.cfg.Path, ConfigSHA256: sw.cfg.SHA256, Shard: sw.shard, Written: time.Now().Format(time.RFC3339), Harness: Version}
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
				st = pointStatus{File: name, Status: "not-run"}
			}
			sum.Points = append(sum.Points, st)
		}
	}
	if len(servers) == 0 && sw.shard != "" {
		// A shard that drew no server still says so, so that merge
		// accounts for it.
		for _, r := range sw.cfg.Runs {
			if _, ok := byDir[r.Bench.OutputDir]; !ok {
				byDir[r.Bench.OutputDir] = &summaryFile{Config: sw.cfg.Path, ConfigSHA256: sw.cfg.SHA256, Shard: sw.shard, Written: time.Now().Format(time.RFC3339), Harness: Version, Points: []pointStatus{}}
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
		data, err := json.MarshalIndent(byDir[dir], "", "  ")
		if err != nil {
			return err
		}
		if err := results.WriteAtomic(filepath.Join(dir, "summary.json"), append(data, '\n')); err != nil {
			return err
		}
	}
	return nil
}
