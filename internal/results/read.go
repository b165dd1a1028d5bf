package results

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
)

// Read loads the result file at path. It refuses files whose schema_version
// is newer than SchemaVersion; errors name the file and the cause.
func Read(path string) (*File, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("reading result %q: %w", path, err)
	}
	return Decode(path, data)
}

// Decode parses the bytes of a result file read from path (named in
// errors), with the checks of Read.
func Decode(path string, data []byte) (*File, error) {
	if len(bytes.TrimSpace(data)) == 0 {
		return nil, fmt.Errorf("reading result %q: the file is empty", path)
	}
	var f File
	if err := json.Unmarshal(data, &f); err != nil {
		return nil, fmt.Errorf("reading result %q: %w", path, err)
	}
	if v := f.VllmBench.SchemaVersion; v > SchemaVersion {
		return nil, fmt.Errorf("reading result %q: schema_version %d is newer than this vllm-bench understands (%d); upgrade vllm-bench", path, v, SchemaVersion)
	}
	return &f, nil
}

// Complete reports whether path holds a finished measurement, so --resume
// may skip its point: the file parses, records no error, and accounts for
// every request (completed + failed = num_prompts x repeats).
func Complete(path string) bool {
	f, err := Read(path)
	if err != nil || f.VllmBench.Error != "" {
		return false
	}
	repeats := max(len(f.VllmBench.Repeats), 1)
	want := f.NumPrompts * repeats
	if p := f.VllmBench.Point.NumPrompts; p > 0 {
		want = p * repeats
	}
	return want > 0 && f.Completed+f.Failed == want
}
