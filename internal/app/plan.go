package app

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"path/filepath"
	"strings"

	"github.com/vllm-bench-action/vllm-bench-action/internal/config"
	"github.com/vllm-bench-action/vllm-bench-action/internal/runner"
	"github.com/vllm-bench-action/vllm-bench-action/internal/sweep"
)

// planServer is one server of `plan --format json`.
type planServer struct {
	Run     string        `json:"run"`
	Engine  config.Engine `json:"engine"`
	TP      int           `json:"tp"`
	DP      int           `json:"dp"`
	PP      int           `json:"pp"`
	Argv    []string      `json:"argv"`
	BaseURL string        `json:"base_url"`
	Log     string        `json:"log,omitempty"`
	// OutputDir is where the results go.
	OutputDir string   `json:"output_dir"`
	Results   []string `json:"results"`
	// CacheDir is the compile cache the server keeps (VLLM_CACHE_ROOT).
	CacheDir string `json:"cache_dir,omitempty"`
}

// cmdPlan is `vllm-bench plan`: it prints the servers (argv) and result
// files a config would produce with an estimate of the time and GPU-hours
// they take (a warning when that passes a threshold), or the matrix of its
// shards.
func cmdPlan(ctx context.Context, env *Env, args []string) error {
	fs := newFlags(env, "plan", "-c CONFIG [--format text|json] [--shard i/n | --shards N] [--engine sim] [--out DIR] [--run NAME]")
	var opts sweepOptions
	addSweepFlags(fs, &opts, "show", "", "write results here instead of each run's bench.output_dir")
	format := fs.String("format", "text", "output format: text or json")
	shards := fs.Int("shards", 0, "print a GitHub Actions matrix of N shards ({\"include\":[{\"shard\":\"1/N\"},...]}) and the servers of each")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *format != "text" && *format != "json" {
		return invalidf("--format: must be text or json, got %q", *format)
	}
	shardsSet := false
	fs.Visit(func(f *flag.Flag) { shardsSet = shardsSet || f.Name == "shards" })
	if shardsSet && (*shards < 1 || opts.sel.Shard != "") {
		return invalidf("--shards: must be >= 1 and not combined with --shard, got %d", *shards)
	}
	p, err := loadPlan(opts)
	if err != nil {
		return err
	}
	est := estimateSweep(p.Servers)
	printWarnings(env, append(configWarnings(ctx, p.Config), est.warnings()...))
	if shardsSet {
		if w := shardWarning(*shards, len(p.Servers)); w != "" {
			printWarnings(env, []string{w})
		}
		return printMatrix(env, p.Servers, *shards, *format)
	}
	plan := make([]planServer, 0, len(p.Servers))
	for _, s := range p.Servers {
		recipe, _, err := runner.Recipe(ctx, s, env.Executable, env.Getenv)
		if err != nil {
			return invalidf("run %q: %v", s.Run.Name, err)
		}
		ps := planServer{
			Run: s.Run.Name, Engine: s.Run.Engine, TP: s.TP, DP: s.DP, PP: s.PP,
			Argv: recipe.Argv, BaseURL: recipe.BaseURL, OutputDir: s.Run.Bench.OutputDir,
			Results: s.ResultNames(), CacheDir: recipe.CacheDir,
		}
		if ps.Argv == nil {
			ps.Argv = []string{}
		} else {
			ps.Log = filepath.Join(s.Run.Bench.OutputDir, "logs", s.LogName())
		}
		plan = append(plan, ps)
	}
	if *format == "json" {
		enc := json.NewEncoder(env.Stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(map[string]any{"servers": plan}); err != nil {
			return infraf("writing JSON: %v", err)
		}
		return nil
	}
	printPlan(env.Stdout, plan, est)
	return nil
}

func printPlan(w io.Writer, plan []planServer, est estimate) {
	points := 0
	for _, s := range plan {
		points += len(s.Results)
	}
	fmt.Fprintf(w, "%s, %s; %s\n", plural(len(plan), "server"), plural(points, "point"), est.line())
	for i, s := range plan {
		fmt.Fprintf(w, "\nserver %d/%d: %s TP%d DP%d PP%d (engine %s)\n", i+1, len(plan), s.Run, s.TP, s.DP, s.PP, s.Engine)
		if len(s.Argv) > 0 {
			fmt.Fprintf(w, "  start: %s\n", runner.ShellQuote(s.Argv))
			fmt.Fprintf(w, "  log:   %s\n", s.Log)
		}
		if s.CacheDir != "" {
			fmt.Fprintf(w, "  compile cache: %s\n", s.CacheDir)
		}
		fmt.Fprintf(w, "  url:   %s\n", s.BaseURL)
		fmt.Fprintf(w, "  results in %s:\n", s.OutputDir)
		for _, r := range s.Results {
			fmt.Fprintf(w, "    %s\n", r)
		}
	}
}

// printMatrix prints the shards of a sweep as a GitHub Actions matrix. The
// JSON form is one line, ready for $GITHUB_OUTPUT and fromJSON: each entry
// has the shard and, for job names, the servers it starts.
func printMatrix(env *Env, servers []sweep.ServerConfig, n int, format string) error {
	if format == "json" {
		fmt.Fprintln(env.Stdout, matrixJSON(servers, n))
		return nil
	}
	names, costs := shardServers(servers, n)
	for k := range names {
		fmt.Fprintf(env.Stdout, "shard %d/%d (estimated cost %d tokens): %s\n", k+1, n, costs[k], strings.Join(names[k], ", "))
	}
	return nil
}

// matrixJSON is the matrix of n shards as one line of JSON:
// {"include":[{"servers":"...","shard":"1/n"},...]}.
func matrixJSON(servers []sweep.ServerConfig, n int) string {
	names, _ := shardServers(servers, n)
	include := make([]map[string]string, n)
	for k := range include {
		include[k] = map[string]string{"shard": fmt.Sprintf("%d/%d", k+1, n), "servers": strings.Join(names[k], " ")}
	}
	data, _ := json.Marshal(map[string]any{"include": include}) // strings only: cannot fail
	return string(data)
}

// shardServers returns the servers of each of n shards, by stem, and each
// shard's estimated cost in tokens.
func shardServers(servers []sweep.ServerConfig, n int) (names [][]string, costs []int64) {
	assign := sweep.Assign(servers, n)
	names = make([][]string, n)
	costs = make([]int64, n)
	for i, s := range servers {
		names[assign[i]] = append(names[assign[i]], s.Stem())
		costs[assign[i]] += s.Cost()
	}
	return names, costs
}
