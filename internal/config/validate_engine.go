package config

import (
	"errors"
	"fmt"
)

// externalIgnores are the serve keys that shape a server the harness
// starts; with engine external it starts none, so they would be ignored.
// model_path (the model named in requests), tp_dp_pairs (the labels of the
// result files), max_model_len (checked against the grid), startup_timeout
// (how long to wait for the server) and base_url are used.
var externalIgnores = []string{"port", "gpu_memory_utilization", "max_num_seqs", "dtype", "disable_log_requests",
	"enable_expert_parallel", "distributed_executor_backend", "command", "args", "extra_args", "env", "cache_dir"}

// customIgnores are the serve keys that become vLLM flags of their own; an
// engine custom server gets only serve.args (and extra_args).
var customIgnores = []string{"disable_log_requests", "enable_expert_parallel", "distributed_executor_backend"}

// launch checks the serve keys that say how the server is started against
// the run's engine: what external and custom would ignore, custom's command
// and args template, and args on any other engine. A key it rejects is not
// judged again by the value checks.
func (v *validator) launch(r *Run, p string) {
	s := &r.Serve
	reject := func(keys []string, format string, args ...any) {
		for _, key := range keys {
			if path := p + "." + key; v.written(path) {
				v.add(path, format, args...)
				v.failed[path] = true
			}
		}
	}
	switch r.Engine {
	case EngineExternal:
		reject(externalIgnores, "not used with engine external, which starts no server (serve.base_url is the server); remove it")
	case EngineCustom:
		reject(customIgnores, "not passed with engine custom; write the server's own flag in serve.args")
		if len(s.Command) == 0 {
			v.add(p+".command", "required with engine custom: the server's launcher, e.g. [python3, -m, my_server]")
		}
		pair := Parallel{TP: 1, DP: 1, PP: 1}
		if len(s.TPDPPairs) > 0 {
			pair = s.TPDPPairs[0]
		}
		// Only tp, dp and pp differ between layouts, and they are never
		// unset: one expansion finds every problem.
		var argErr *ArgError
		if _, err := s.ExpandArgs(pair); errors.As(err, &argErr) {
			v.add(fmt.Sprintf("%s.args[%d]", p, argErr.Index), "%s", argErr.Msg)
		}
	case EngineSGLang:
		reject([]string{"cache_dir"}, "not passed to SGLang, which keeps its compile cache under SGLANG_JIT_CACHE_ROOT; set that in serve.env")
		reject([]string{"args"}, "only used with engine custom (this run's engine is %q); extra_args appends flags to its command", r.Engine)
	default:
		reject([]string{"args"}, "only used with engine custom (this run's engine is %q); extra_args appends flags to its command", r.Engine)
	}
}
