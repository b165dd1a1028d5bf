package runner

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"

	"github.com/vllm-bench-action/vllm-bench-action/internal/engine"
)

// The compile cache a server keeps across starts (serve.cache_dir, passed
// as VLLM_CACHE_ROOT). vLLM names its torch.compile artifacts by a hash of
// its whole configuration, which the harness cannot compute; so the
// harness keeps, beside them, a marker per model and arguments
// (engine.CacheKey) written once a start with them was ready. A start is
// warm when its marker is there and the cache holds compiled graphs.

// startsDir is the harness's directory of start markers in a cache.
const startsDir = "vllm-bench-starts"

// compiledDir is where vLLM (and the simulator) keep compiled graphs under
// the cache root.
const compiledDir = "torch_compile_cache"

// prepareCache creates the cache directory and says whether it already
// holds a start of argv.
func prepareCache(dir string, argv []string) (warm bool, err error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return false, fmt.Errorf("compile cache %q cannot be created (serve.cache_dir; set it to none to keep no cache): %w", dir, err)
	}
	if _, err := os.Stat(filepath.Join(dir, startsDir, engine.CacheKey(argv))); err != nil {
		return false, nil
	}
	compiled, err := os.ReadDir(filepath.Join(dir, compiledDir))
	return err == nil && len(compiled) > 0, nil
}

// keepStart records in the cache that a server with argv started ready
// with it.
func keepStart(dir string, argv []string) error {
	path := filepath.Join(dir, startsDir, engine.CacheKey(argv))
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	data, _ := json.Marshal(argv)
	return os.WriteFile(path, append(data, '\n'), 0o644)
}
