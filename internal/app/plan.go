package app

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"path/filepath"
	"strings"

	"github.com/vllm-bench-action/vllm-bench-action/internal/sweep"
)

// planServer is one server of `plan --format json`.
type planServer struct {
	Run     string   `json:"run"`
	Engine  string   `json:"engine"`
	TP      int      `json:"tp"`
	DP      int      `json:"dp"`
	PP      int      `json:"pp"`
	Argv    []string `json:"argv"`
	BaseURL string   `json:"base_url"`
	Log     string   `json:"log,omitempty"`
	// OutputDir is where the results go.
	OutputDir string   `json:"output_dir"`
	Results   []string `json:"results"`
}

func cmdPlan(ctx context.Context, env *Env, args []string) int {
	fs := newFlags(env, "plan", "-c CONFIG [--format text|json] [--shard i/n | --shards N] [--engine sim] [--out DIR] [--run NAME]")
	var opts sweepOptions
	addSweepFlags(fs, &opts, "show", "", "write results here instead of each run's bench.output_dir")
	format := fs.String("format", "text", "output format: text or json")
	shards := fs.Int("shards", 0, "print a GitHub Actions matrix of N shards ({\"include\":[{\"shard\":\"1/N\"},...]}) and the servers of each")
	if code, ok := parseFlags(fs, args); !ok {
		return code
	}
	if *format != "text" && *format != "json" {
		return errorf(env, ExitInvalid, "--format: must be text or json, got %q", *format)
	}
	if *shards < 0 || (*shards > 0 && opts.shard != "") {
		return errorf(env, ExitInvalid, "--shards: must be >= 1 and not combined with --shard, got %d", *shards)
	}
	_, servers, err := loadSweep(opts)
	if err != nil {
		fmt.Fprintln(env.Stderr, err)
		return ExitInvalid
	}
	if *shards > 0 {
		return printMatrix(env, servers, *shards, *format)
	}
	plan := make([]planServer, 0, len(servers))
	for _, s := range servers {
		recipe, _, err := recipeFor(ctx, env, s)
		if err != nil {
			return errorf(env, ExitInvalid, "run %q: %v", s.Run.Name, err)
		}
		ps := planServer{
			Run: s.Run.Name, Engine: s.Run.Engine, TP: s.TP, DP: s.DP, PP: s.PP,
			Argv: recipe.Argv, BaseURL: recipe.BaseURL, OutputDir: s.Run.Bench.OutputDir,
			Results: s.ResultNames(),
		}
		if ps.Argv == nil {
			ps.Argv = []string{}
		} else {
			ps.Log = filepath.Join(s.Run.Bench.OutputDir, "logs", s.LogName())
		}
		plan = append(plan, ps)
	}
	if *format == "json" {
		return writeJSON(env, map[string]any{"servers": plan})
	}
	printPlan(env.Stdout, plan)
	return ExitOK
}

func printPlan(w io.Writer, plan []planServer) {
	points := 0
	for _, s := range plan {
		points += len(s.Results)
	}
	fmt.Fprintf(w, "%s, %s\n", plural(len(plan), "server"), plural(points, "point"))
	for i, s := range plan {
		fmt.Fprintf(w, "\nserver %d/%d: %s TP%d DP%d PP%d (engine %s)\n", i+1, len(plan), s.Run, s.TP, s.DP, s.PP, s.Engine)
		if len(s.Argv) > 0 {
			fmt.Fprintf(w, "  start: %s\n", shellQuote(s.Argv))
			fmt.Fprintf(w, "  log:   %s\n", s.Log)
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
func printMatrix(env *Env, servers []sweep.ServerConfig, n int, format string) int {
	assign := sweep.Assign(servers, n)
	names := make([][]string, n)
	costs := make([]int64, n)
	for i, s := range servers {
		names[assign[i]] = append(names[assign[i]], s.Stem())
		costs[assign[i]] += s.Cost()
	}
	if format == "json" {
		include := make([]map[string]string, n)
		for k := range include {
			include[k] = map[string]string{"shard": fmt.Sprintf("%d/%d", k+1, n), "servers": strings.Join(names[k], " ")}
		}
		if err := json.NewEncoder(env.Stdout).Encode(map[string]any{"include": include}); err != nil {
			return errorf(env, ExitInfra, "writing JSON: %v", err)
		}
		return ExitOK
	}
	for k := range names {
		fmt.Fprintf(env.Stdout, "shard %d/%d (estimated cost %d tokens): %s\n", k+1, n, costs[k], strings.Join(names[k], ", "))
	}
	return ExitOK
}

func writeJSON(env *Env, v any) int {
	enc := json.NewEncoder(env.Stdout)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		return errorf(env, ExitInfra, "writing JSON: %v", err)
	}
	return ExitOK
}

// shellQuote prints argv as a shell would need it typed.
func shellQuote(argv []string) string {
	out := make([]string, len(argv))
	for i, a := range argv {
		if a != "" && !strings.ContainsAny(a, " \t\n'\"\\$`*?[]{}()<>|&;#~!") {
			out[i] = a
			continue
		}
		out[i] = "'" + strings.ReplaceAll(a, "'", `'\''`) + "'"
	}
	return strings.Join(out, " ")
}
