package app

import (
	"context"
	"fmt"

	"github.com/vllm-bench-action/vllm-bench-action/internal/results"
)

// cmdMerge is `vllm-bench merge`: it merges the result directories of a
// sweep's shards into one. Exit 3 when a point or a shard is missing.
func cmdMerge(ctx context.Context, env *Env, args []string) error {
	fs := newFlags(env, "merge", "--out DIR SHARD_DIR...")
	out := fs.String("out", "", "directory to merge the shards' results into")
	if err := parseFlagsArgs(fs, args); err != nil {
		return err
	}
	if *out == "" || fs.NArg() == 0 {
		return invalidf("merge: need --out DIR and at least one shard directory")
	}
	merged, err := results.Merge(*out, fs.Args())
	if err != nil {
		return invalidf("merge: %v", err)
	}
	fmt.Fprintf(env.Stdout, "merged %s from %s into %s\n", plural(merged.Files, "result file"), plural(fs.NArg(), "shard"), *out)
	if missing := append(merged.MissingShards, merged.Missing...); len(missing) > 0 {
		fmt.Fprintf(env.Stderr, "vllm-bench: merge: %s not complete:\n", plural(len(missing), "point"))
		for _, m := range missing {
			fmt.Fprintf(env.Stderr, "  - %s\n", m)
		}
		return quietExit(ExitInfra)
	}
	return nil
}
