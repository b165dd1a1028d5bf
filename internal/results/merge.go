package results

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/vllm-bench-action/vllm-bench-action/internal/sweep"
)

// Merged is what Merge did.
type Merged struct {
	// Files is the number of result files copied.
	Files int
	// Missing lists the points not run, each with its shard directory.
	Missing []string
	// MissingShards lists the shards of the matrix no directory gave.
	MissingShards []string
}

// Merge copies the result files and logs of shard directories into
// out: the files each shard's summary.json lists, and the logs. It refuses
// two shards holding the same file and shards of different configs (by the
// summaries' config digest), and lists what is missing: shards of the
// matrix not given, and points not run. Failed points travel as
// <point>.failed.json for compare to judge. The merged summary accounts
// for the server starts of every shard, so that the starts and the
// GPU-seconds of a sharded sweep reach its history.
func Merge(out string, dirs []string) (Merged, error) {
	var res Merged
	sum := Summary{}
	origin := map[string]string{} // file name -> shard dir
	shards := map[string]string{} // shard "i/n" -> its dir
	shardCount := 0
	var copies [][2]string
	var starts []ServerAccount
	for _, dir := range dirs {
		s, err := ReadSummary(dir)
		if errors.Is(err, fs.ErrNotExist) {
			return res, fmt.Errorf("%q is not a result directory of vllm-bench run (it has no %s)", dir, SummaryName)
		}
		if err != nil {
			return res, err
		}
		switch {
		case sum.ConfigSHA256 == "":
			sum.Config, sum.ConfigSHA256, sum.Harness = s.Config, s.ConfigSHA256, s.Harness
		case s.ConfigSHA256 != sum.ConfigSHA256:
			return res, fmt.Errorf("%q was produced from another config (%s) than %q (%s); merge only shards of one sweep", dir, s.Config, dirs[0], sum.Config)
		}
		if s.Shard != "" {
			sh, err := sweep.ParseShard(s.Shard)
			if err != nil {
				return res, fmt.Errorf("%q: summary.json: %w", dir, err)
			}
			if prev, dup := shards[s.Shard]; dup {
				return res, fmt.Errorf("shard %s is in both %q and %q; give each shard once", s.Shard, prev, dir)
			}
			shards[s.Shard], shardCount = dir, sh.Count
		}
		if s.Accounting != nil {
			starts = append(starts, s.Accounting.Servers...)
		}
		for _, p := range s.Points {
			if prev, dup := origin[p.File]; dup {
				return res, fmt.Errorf("%s is in both %q and %q; each point must come from one shard", p.File, prev, dir)
			}
			origin[p.File] = dir
			sum.Points = append(sum.Points, p)
			// Only the files the shard's summary vouches for travel: a
			// file of an earlier sweep in the same directory must not
			// stand for a point this sweep did not measure.
			if p.Status == StatusNotRun {
				res.Missing = append(res.Missing, fmt.Sprintf("%s (not run in %s)", p.File, dir))
				continue
			}
			copies = append(copies, [2]string{filepath.Join(dir, p.File), filepath.Join(out, p.File)})
		}
		logs, _ := filepath.Glob(filepath.Join(dir, "logs", "*.log"))
		for _, src := range logs {
			copies = append(copies, [2]string{src, filepath.Join(out, "logs", filepath.Base(src))})
		}
	}
	for i := 1; i <= shardCount; i++ {
		if name := fmt.Sprintf("%d/%d", i, shardCount); shards[name] == "" {
			res.MissingShards = append(res.MissingShards, "shard "+name+" (no directory given)")
		}
	}
	if err := os.MkdirAll(filepath.Join(out, "logs"), 0o755); err != nil {
		return res, err
	}
	for _, c := range copies {
		if err := copyFile(c[0], c[1]); err != nil {
			return res, err
		}
		if strings.HasSuffix(c[0], ".json") {
			res.Files++
		}
	}
	sort.SliceStable(sum.Points, func(i, j int) bool { return sum.Points[i].File < sum.Points[j].File })
	sum.Accounting = NewAccounting(starts)
	return res, WriteSummary(out, &sum)
}

// copyFile copies src to dst atomically.
func copyFile(src, dst string) error {
	data, err := os.ReadFile(src)
	if err != nil {
		return err
	}
	return WriteAtomic(dst, data)
}
