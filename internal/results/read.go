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

// Complete reports whether f is a finished measurement: it records no
// error and accounts for every request (completed + failed = num_prompts x
// repeats). It is the one meaning of "complete": --resume skips a point
// whose file is complete, and a baseline is a complete file with no failed
// request.
func (f *File) Complete() bool {
	if f.VllmBench.Error != "" {
		return false
	}
	repeats := max(len(f.VllmBench.Repeats), 1)
	want := f.NumPrompts * repeats
	if p := f.VllmBench.Point.NumPrompts; p > 0 {
		want = p * repeats
	}
	if es := f.VllmBench.EarlyStop; es != nil && len(es.Sent) == repeats {
		// Stopped once its medians had settled: what was sent is whole.
		want = 0
		for _, n := range es.Sent {
			want += n
		}
	}
	return want > 0 && f.Completed+f.Failed == want
}

// FirstError returns the first error a request of f recorded, or "no error
// message".
func (f *File) FirstError() string {
	for _, e := range f.Errors {
		if e != "" {
			return e
		}
	}
	return "no error message"
}
