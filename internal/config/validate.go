package config

import (
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"strings"
)

// Dtypes are the values vLLM's --dtype accepts.
var Dtypes = []string{"auto", "half", "float16", "bfloat16", "float", "float32"}

// Endpoints are the OpenAI-compatible APIs a benchmark may load.
var Endpoints = []string{"completions", "chat"}

// GoodputMetrics are the SLO keys bench.goodput accepts, in milliseconds.
var GoodputMetrics = []string{"ttft_ms", "tpot_ms", "e2el_ms"}

var runName = regexp.MustCompile(`^[A-Za-z0-9._-]+$`)

// validator checks decoded values and reports each problem at the line of
// its key. Paths that already failed to decode are not judged again.
type validator struct {
	errs   *Errors
	lines  map[string]int
	failed map[string]bool
}

func (v *validator) add(path, format string, args ...any) {
	for p := path; p != ""; p = parent(p) {
		if v.failed[p] {
			return
		}
	}
	v.errs.add(v.line(path), path, format, args...)
}

// line is the line of path, or of its nearest ancestor written in the file.
func (v *validator) line(path string) int {
	for p := path; p != ""; p = parent(p) {
		if l, ok := v.lines[p]; ok {
			return l
		}
	}
	return 0
}

func parent(path string) string {
	i := strings.LastIndexAny(path, ".[")
	if i < 0 {
		return ""
	}
	return path[:i]
}

func (v *validator) config(cfg *Config) {
	names := map[string]string{}
	for i := range cfg.Runs {
		r := &cfg.Runs[i]
		p := fmt.Sprintf("runs[%d]", i)
		switch {
		case r.Name == "":
			v.add(p+".name", "required: give the run a name of letters, digits, '.', '_' or '-'")
		case !runName.MatchString(r.Name):
			v.add(p+".name", "must use only letters, digits, '.', '_' and '-' (it names files), got %q", r.Name)
		case names[r.Name] != "":
			v.add(p+".name", "duplicate run name %q (first used by %s)", r.Name, names[r.Name])
		default:
			names[r.Name] = p
		}
		v.run(r, p)
	}
}

func (v *validator) run(r *Run, p string) {
	if !slices.Contains(Engines(), r.Engine) {
		v.add(p+".engine", "must be one of %s, got %q", EngineList(Engines()), r.Engine)
	}
	v.serve(r, p+".serve")
	v.bench(r, p+".bench")
	v.ab(r, p)
}

func (v *validator) serve(r *Run, p string) {
	s := &r.Serve
	v.launch(r, p)
	external := r.Engine == EngineExternal
	if s.ModelPath == "" && !external {
		v.add(p+".model_path", "required: the model to serve (a Hugging Face id or a local path)")
	}
	if s.Port < 1 || s.Port > 65535 {
		v.add(p+".port", "must be between 1 and 65535, got %d", s.Port)
	}
	if s.GPUMemoryUtilization <= 0 || s.GPUMemoryUtilization > 1 {
		v.add(p+".gpu_memory_utilization", "must be in (0, 1], got %g", s.GPUMemoryUtilization)
	}
	if s.MaxModelLen < 0 || (s.MaxModelLen == 0 && v.written(p+".max_model_len")) {
		v.add(p+".max_model_len", "must be >= 1, got %d", s.MaxModelLen)
	}
	if s.MaxNumSeqs < 1 {
		v.add(p+".max_num_seqs", "must be >= 1, got %d", s.MaxNumSeqs)
	}
	if !slices.Contains(Dtypes, s.Dtype) {
		v.add(p+".dtype", "must be one of %s, got %q", strings.Join(Dtypes, ", "), s.Dtype)
	}
	if len(s.TPDPPairs) == 0 {
		v.add(p+".tp_dp_pairs", "must list at least one {tp, dp, pp} layout")
	}
	seen := map[Parallel]int{}
	for j, pair := range s.TPDPPairs {
		pp := fmt.Sprintf("%s.tp_dp_pairs[%d]", p, j)
		for _, f := range []struct {
			key string
			n   int
		}{{"tp", pair.TP}, {"dp", pair.DP}, {"pp", pair.PP}} {
			if f.n < 1 {
				v.add(pp+"."+f.key, "must be >= 1, got %d", f.n)
			}
		}
		if k, dup := seen[pair]; dup {
			v.add(pp, "duplicate layout tp=%d dp=%d pp=%d (same as tp_dp_pairs[%d]); it would write the same files", pair.TP, pair.DP, pair.PP, k)
		}
		seen[pair] = j
	}
	for j, arg := range s.Command {
		if arg == "" {
			v.add(fmt.Sprintf("%s.command[%d]", p, j), "must not be empty")
		}
	}
	switch {
	case external && s.BaseURL == "":
		v.add(p+".base_url", "required with engine external: the URL of the running server, e.g. http://localhost:8000")
	case !external && s.BaseURL != "":
		v.add(p+".base_url", "only used with engine external (this run's engine is %q)", r.Engine)
	case s.BaseURL != "":
		if u, err := url.Parse(s.BaseURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			v.add(p+".base_url", "must be an http:// or https:// URL, got %q", s.BaseURL)
		}
	}
	if v.written(p+".cache_dir") && !v.failed[p+".cache_dir"] {
		_, inEnv := s.Env[CacheRootEnv]
		switch {
		case strings.TrimSpace(s.CacheDir) == "":
			v.add(p+".cache_dir", "must be a directory, or %s to keep no compile cache; leave the key out for the default", CacheDirNone)
		case inEnv:
			v.add(p+".cache_dir", "serve.env also sets %s; give the cache directory once", CacheRootEnv)
		}
	}
	if s.DistributedExecutorBackend != "" && s.DistributedExecutorBackend != "mp" && s.DistributedExecutorBackend != "ray" {
		v.add(p+".distributed_executor_backend", "must be mp or ray, got %q", s.DistributedExecutorBackend)
	}
}

func (v *validator) bench(r *Run, p string) {
	b := &r.Bench
	lists := []struct {
		key    string
		values []int
	}{
		{"context_size", b.ContextSize},
		{"concurrency", b.Concurrency},
		{"num_prompts", b.NumPrompts},
		{"output_len", b.OutputLen},
	}
	for _, l := range lists {
		if len(l.values) == 0 {
			v.add(p+"."+l.key, "must list at least one value")
		}
		for j, n := range l.values {
			if n < 1 {
				v.add(fmt.Sprintf("%s.%s[%d]", p, l.key, j), "must be >= 1, got %d", n)
			}
		}
		unique(v, p+"."+l.key, l.values)
	}
	for j, rate := range b.RequestRate {
		if rate <= 0 {
			v.add(fmt.Sprintf("%s.request_rate[%d]", p, j), "must be > 0 requests per second (leave the list empty for all at once), got %g", rate)
		}
	}
	unique(v, p+".request_rate", b.RequestRate)
	if maxLen := r.Serve.MaxModelLen; maxLen > 0 {
		for j, ctx := range b.ContextSize {
			for _, out := range b.OutputLen {
				if ctx > 0 && out > 0 && ctx+out > maxLen {
					v.add(fmt.Sprintf("%s.context_size[%d]", p, j), "context_size %d + output_len %d = %d exceeds serve.max_model_len %d", ctx, out, ctx+out, maxLen)
					break
				}
			}
		}
	}
	if b.Burstiness <= 0 {
		v.add(p+".burstiness", "must be > 0 (1 gives Poisson arrivals), got %g", b.Burstiness)
	}
	if b.WarmupPrompts < 0 {
		v.add(p+".warmup_prompts", "must be >= 0, got %d", b.WarmupPrompts)
	}
	if b.Repeats < 1 {
		v.add(p+".repeats", "must be >= 1, got %d", b.Repeats)
	}
	if pr := b.Precision; !pr.Auto && (pr.Value < 0 || pr.Value >= 1 || (pr.Value == 0 && v.written(p+".precision"))) {
		v.add(p+".precision", "must be in (0, 1), a relative half-width such as 0.02 for ±2%%, or %s; leave it out to send every num_prompts, got %g", PrecisionAuto, pr.Value)
	}
	switch {
	case b.MinPrompts < 1:
		v.add(p+".min_prompts", "must be >= 1, got %d", b.MinPrompts)
	case v.written(p+".min_prompts") && !v.written(p+".precision"):
		v.add(p+".min_prompts", "only used with bench.precision, which stops a point early; set both or neither")
	}
	if !slices.Contains(Endpoints, b.Endpoint) {
		v.add(p+".endpoint", "must be one of %s, got %q", strings.Join(Endpoints, ", "), b.Endpoint)
	}
	for key, ms := range b.Goodput {
		switch {
		case !slices.Contains(GoodputMetrics, key):
			v.add(p+".goodput."+key, "unknown SLO (valid: %s)", strings.Join(GoodputMetrics, ", "))
		case ms <= 0:
			v.add(p+".goodput."+key, "must be > 0 milliseconds, got %g", ms)
		}
	}
}

// unique reports a value listed twice: it would name, and measure, the same
// point twice.
func unique[T comparable](v *validator, path string, values []T) {
	first := map[T]int{}
	for j, x := range values {
		if k, dup := first[x]; dup {
			v.add(fmt.Sprintf("%s[%d]", path, j), "%v is listed twice (also at [%d]); each value makes its own points", x, k)
			continue
		}
		first[x] = j
	}
}

func (v *validator) written(path string) bool {
	_, ok := v.lines[path]
	return ok
}
