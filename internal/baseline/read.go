package baseline

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"

	"github.com/vllm-bench-action/vllm-bench-action/internal/results"
)

// readResult reads and decodes one result file. Errors name the file.
//
// It stands in for results.Read until that exists; it refuses files of a
// newer schema, as results' readers must.
func readResult(path string) (*results.File, []byte, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, nil, fmt.Errorf("read %q: %w", path, err)
	}
	var f results.File
	dec := json.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&f); err != nil {
		return nil, nil, fmt.Errorf("result file %q is not valid JSON: %w", path, err)
	}
	if v := f.VllmBench.SchemaVersion; v > results.SchemaVersion {
		return nil, nil, fmt.Errorf("result file %q has vllm_bench.schema_version %d, newer than this harness reads (%d)", path, v, results.SchemaVersion)
	}
	return &f, data, nil
}

// writeAtomic writes data to path through a temporary file in the same
// directory and a rename, so readers see the old file or the new one.
func writeAtomic(path string, data []byte) error {
	dir, base := filepath.Dir(path), filepath.Base(path)
	tmp, err := os.CreateTemp(dir, "."+base+".tmp*")
	if err != nil {
		return fmt.Errorf("write %q: %w", path, err)
	}
	defer os.Remove(tmp.Name()) // no-op after the rename
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return fmt.Errorf("write %q: %w", path, err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return fmt.Errorf("write %q: %w", path, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("write %q: %w", path, err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("write %q: %w", path, err)
	}
	return nil
}
