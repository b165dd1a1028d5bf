package app

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"time"

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
	for _, dir := range dirs {
		if _, err := os.Stat(dir); err != nil {
			continue // nothing ran there
		}
		data, err := json.MarshalIndent(byDir[dir], "", "  ")
		if err != nil {
			return err
		}
		tmp := filepath.Join(dir, ".summary.json.tmp")
		if err := os.WriteFile(tmp, append(data, '\n'), 0o644); err != nil {
			return fmt.Errorf("writing summary in %q: %w", dir, err)
		}
		if err := os.Rename(tmp, filepath.Join(dir, "summary.json")); err != nil {
			return fmt.Errorf("writing summary in %q: %w", dir, err)
		}
	}
	return nil
}
