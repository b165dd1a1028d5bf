package engine

import (
	"crypto/sha256"
	"encoding/hex"
	"path/filepath"
	"strings"

	"github.com/vllm-bench-action/vllm-bench-action/internal/config"
)

// CacheDir is the compile cache a run's servers keep across starts, passed
// to them as VLLM_CACHE_ROOT; "" when none is kept (serve.cache_dir: none,
// engines that start no vLLM-like server, or no directory to default to).
// serve.env's VLLM_CACHE_ROOT, when set, is the cache. Else serve.cache_dir
// ("~/" is the home directory), else the default: vllm-bench under
// $RUNNER_TOOL_CACHE on a GitHub runner, else under $XDG_CACHE_HOME, else
// ~/.cache/vllm-bench. getenv reads the harness's environment.
func CacheDir(run *config.Run, getenv func(string) string) string {
	switch run.Engine {
	case config.EngineVLLM, config.EngineSim, config.EngineCustom:
	default:
		return ""
	}
	s := &run.Serve
	if dir, ok := s.Env[config.CacheRootEnv]; ok {
		return dir
	}
	home := getenv("HOME")
	switch dir := s.CacheDir; {
	case dir == config.CacheDirNone:
		return ""
	case dir == "~" || strings.HasPrefix(dir, "~/"):
		if home == "" {
			return ""
		}
		return filepath.Join(home, strings.TrimPrefix(dir, "~"))
	case dir != "":
		return dir
	}
	for _, base := range []string{getenv("RUNNER_TOOL_CACHE"), getenv("XDG_CACHE_HOME")} {
		if base != "" {
			return filepath.Join(base, config.DefaultCacheDirName)
		}
	}
	if home == "" {
		return ""
	}
	return filepath.Join(home, ".cache", config.DefaultCacheDirName)
}

// CacheKey digests what makes two starts share compiled graphs: the
// server's arguments after its command (the model and its flags) without
// the port, which only says where it listens.
func CacheKey(argv []string) string {
	var kept []string
	for i := 1; i < len(argv); i++ {
		name, _, hasVal := strings.Cut(argv[i], "=")
		if name == "--port" {
			if !hasVal {
				i++
			}
			continue
		}
		kept = append(kept, argv[i])
	}
	sum := sha256.Sum256([]byte(strings.Join(kept, "\x00")))
	return hex.EncodeToString(sum[:])
}
