package app

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"sort"
	"strings"
)

// Env is what the command line may touch of the outside world. Every field
// is injected so the commands run in tests without a real process around
// them.
type Env struct {
	// Getenv reads an environment variable.
	Getenv func(string) string
	// Stdout receives results (tables, JSON, reports).
	Stdout io.Writer
	// Stderr receives progress and errors.
	Stderr io.Writer
	// Executable is the path of this binary, used to start the simulator as
	// a child process.
	Executable string
	// Abort is closed when the user insists on stopping (a second Ctrl-C):
	// servers are then killed without their grace period. Nil never closes.
	Abort <-chan struct{}
}

// command is one subcommand of vllm-bench.
type command struct {
	summary string
	run     func(ctx context.Context, env *Env, args []string) error
}

func commands() map[string]command {
	return map[string]command{
		"validate": {"check a config file and report every problem in it", cmdValidate},
		"plan":     {"print the servers and result files a config would produce", cmdPlan},
		"run":      {"run a sweep: start each server, benchmark every point, write the results", cmdRun},
		"bench":    {"benchmark one point against a running server", cmdBench},
		"compare":  {"compare results with baselines and gate regressions", cmdCompare},
		"baseline": {"accept results as the new baselines (baseline update)", cmdBaseline},
		"merge":    {"merge the result directories of sweep shards", cmdMerge},
		"sim":      {"run the built-in vLLM simulator (takes vllm serve flags)", cmdSim},
		"action":   {"the GitHub Action's entrypoint (reads INPUT_* variables)", cmdAction},

		"ab":        {"paired A/B: start the reference build and the candidate in turn, a round at a time, and gate the paired change", cmdAB},
		"trend":     {"find change points in the baselines' history and name the first changed run of each", cmdTrend},
		"dashboard": {"write a static site of trend charts over the baselines' history", cmdDashboard},

		"calibrate": {"run the sweep K times and measure the gate on A/A pairs (noise, false alarms, detectable change)", cmdCalibrate},
	}
}

// Main runs the vllm-bench command line; args exclude the program name. It
// returns the process exit code.
func Main(ctx context.Context, args []string, env Env) int {
	if env.Getenv == nil {
		env.Getenv = func(string) string { return "" }
	}
	cmds := commands()
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		usage(env.Stdout, cmds)
		if len(args) == 0 {
			return ExitInvalid
		}
		return ExitOK
	}
	if args[0] == "version" || args[0] == "--version" {
		fmt.Fprintln(env.Stdout, "vllm-bench", Version)
		return ExitOK
	}
	cmd, ok := cmds[args[0]]
	if !ok {
		return exitWith(env.Stderr, invalidf("unknown command %q%s; run 'vllm-bench --help' for the list", args[0], suggest(args[0], cmds)))
	}
	return exitWith(env.Stderr, cmd.run(ctx, &env, args[1:]))
}

func usage(w io.Writer, cmds map[string]command) {
	names := make([]string, 0, len(cmds))
	for name := range cmds {
		names = append(names, name)
	}
	sort.Strings(names)
	fmt.Fprintln(w, "vllm-bench: benchmark vLLM servers and gate performance regressions")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Usage: vllm-bench <command> [flags]")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Commands:")
	for _, name := range names {
		fmt.Fprintf(w, "  %-10s %s\n", name, cmds[name].summary)
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Run 'vllm-bench <command> --help' for a command's flags.")
	fmt.Fprintln(w, "Exit codes: 0 ok, 1 regression, 2 invalid input, 3 infrastructure failure.")
}

// suggest returns " (did you mean X?)" for a near miss of a command name:
// the command with the fewest edits from name (a prefix either way counts
// as one edit), ties broken alphabetically, so the answer is the same from
// run to run. Names more than two edits away get no suggestion.
func suggest(name string, cmds map[string]command) string {
	best, bestDist := "", 3
	names := make([]string, 0, len(cmds))
	for cand := range cmds {
		names = append(names, cand)
	}
	sort.Strings(names)
	for _, cand := range names {
		d := editDistance(name, cand)
		if strings.HasPrefix(cand, name) || strings.HasPrefix(name, cand) {
			d = min(d, 1)
		}
		if d < bestDist {
			best, bestDist = cand, d
		}
	}
	if best == "" {
		return ""
	}
	return fmt.Sprintf(" (did you mean %q?)", best)
}

// editDistance is the Levenshtein distance between a and b, in bytes.
func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

// newFlags returns a flag set for a subcommand whose errors and help go to
// stderr and which never exits the process.
func newFlags(env *Env, name, synopsis string) *flag.FlagSet {
	fs := flag.NewFlagSet("vllm-bench "+name, flag.ContinueOnError)
	fs.SetOutput(env.Stderr)
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "Usage: vllm-bench %s %s\n\nFlags:\n", name, synopsis)
		fs.PrintDefaults()
	}
	return fs
}

// parseFlags parses args. A non-nil error ends the command: help was
// asked (exit 0, the usage printed) or a flag is bad (exit 2, one line
// naming it rather than the whole usage).
func parseFlags(fs *flag.FlagSet, args []string) error {
	return parse(fs, args, false)
}

// parseFlagsArgs is parseFlags for commands that take positional arguments
// after their flags.
func parseFlagsArgs(fs *flag.FlagSet, args []string) error {
	return parse(fs, args, true)
}

func parse(fs *flag.FlagSet, args []string, positional bool) error {
	out, usage := fs.Output(), fs.Usage
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	err := fs.Parse(args)
	fs.SetOutput(out)
	fs.Usage = usage
	switch {
	case errors.Is(err, flag.ErrHelp):
		fs.Usage()
		return quietExit(ExitOK)
	case err != nil:
		return invalidInput(fmt.Errorf("%s: %v (run '%s --help' for usage)", fs.Name(), err, fs.Name()))
	case fs.NArg() > 0 && !positional:
		return invalidInput(fmt.Errorf("%s: unexpected argument %q (run '%s --help' for usage)", fs.Name(), fs.Arg(0), fs.Name()))
	}
	return nil
}
