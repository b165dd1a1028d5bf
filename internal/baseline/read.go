package baseline

import (
	"fmt"
	"os"

	"github.com/vllm-bench-action/vllm-bench-action/internal/results"
)

// readResult reads one result file and returns it decoded and as bytes,
// which promotion copies unchanged. Errors name the file.
func readResult(path string) (*results.File, []byte, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, nil, fmt.Errorf("read %q: %w", path, err)
	}
	f, err := results.Decode(path, data)
	if err != nil {
		return nil, nil, err
	}
	return f, data, nil
}
