package sim

import (
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"strings"
)

// The simulated compile cache. vLLM keeps its torch.compile artifacts
// under $VLLM_CACHE_ROOT/torch_compile_cache/<hash>/rank_<i>_<j>/, and a
// start that finds them there skips most of its compilation. The simulator
// keeps a marker in the same place, keyed by a digest of its model and
// arguments: a start that finds the marker of its own digest loads for
// --sim-warm-load-time instead of --sim-load-time.

// cacheRootEnv names the environment variable vLLM reads its cache root
// from. The simulator models the cache only when it is set.
const cacheRootEnv = "VLLM_CACHE_ROOT"

// warmLoadShare is the warm start's share of --sim-load-time when
// --sim-warm-load-time is not given: a 90 s cold vLLM start that reuses
// its compiled graphs takes about 25 s.
const warmLoadShare = 0.3

// markerName is the file the simulator writes into its cache directory.
const markerName = "sim-compiled"

// cacheKey digests the model and the arguments that shape a start: the
// command line without the port (and the host), which only say where the
// server listens.
func cacheKey(args []string) string {
	var kept []string
	for i := 0; i < len(args); i++ {
		name, _, hasVal := strings.Cut(args[i], "=")
		if name == "--port" || name == "--host" {
			if !hasVal {
				i++
			}
			continue
		}
		kept = append(kept, args[i])
	}
	sum := sha256.Sum256([]byte(strings.Join(kept, "\x00")))
	return hex.EncodeToString(sum[:])[:16]
}

// markerPath is where a start with the given key keeps its marker under
// root.
func markerPath(root, key string) string {
	return filepath.Join(root, "torch_compile_cache", key, "rank_0_0", markerName)
}

// cacheWarm reports whether root holds the marker of key.
func cacheWarm(root, key string) bool {
	if root == "" {
		return false
	}
	_, err := os.Stat(markerPath(root, key))
	return err == nil
}

// keepCompiled writes the marker of key under root, as a finished vLLM
// start leaves its compiled graphs.
func keepCompiled(root, key string) error {
	if root == "" {
		return nil
	}
	path := markerPath(root, key)
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	return os.WriteFile(path, []byte("compiled by vllm-bench sim\n"), 0o644)
}

// loadTimeS is the simulated load time in seconds (before the speedup):
// the warm one when the cache holds this start's marker.
func (o *options) loadTimeS(warm bool) float64 {
	if !warm {
		return o.SimLoadTimeS
	}
	if o.SimWarmLoadTimeS != nil {
		return *o.SimWarmLoadTimeS
	}
	return warmLoadShare * o.SimLoadTimeS
}
