package results

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
)

// Names of files in a results directory.
const (
	// SummaryName is the file that indexes a results directory.
	SummaryName = "summary.json"
	// FailedSuffix ends the name of a point that could not be measured:
	// NAME.failed.json instead of NAME.json.
	FailedSuffix = ".failed.json"
)

// Summary is summary.json: the index of an output directory, one entry per
// point the sweep planned there, with what became of it. Readers judge the
// points it lists and nothing else the directory may hold from earlier
// sweeps.
type Summary struct {
	Config string `json:"config"`
	// ConfigSHA256 identifies the config's content, so that merge refuses
	// shards of different configs.
	ConfigSHA256 string `json:"config_sha256"`
	// Shard is "i/n" for a shard's directory, empty for a whole sweep.
	Shard   string        `json:"shard,omitempty"`
	Written string        `json:"written"`
	Harness string        `json:"harness_version"`
	Points  []PointStatus `json:"points"`
}

// The statuses of a planned point in summary.json.
const (
	// StatusOK: measured, every request completed.
	StatusOK = "ok"
	// StatusRequestsFailed: measured on a live server, but some requests
	// failed; a failed point for the gate.
	StatusRequestsFailed = "requests-failed"
	// StatusFailed: could not be measured (NAME.failed.json says why).
	StatusFailed = "failed"
	// StatusSkipped: kept from an earlier sweep by --resume.
	StatusSkipped = "skipped"
	// StatusNotRun: planned, but the sweep stopped before it.
	StatusNotRun = "not-run"
)

// PointStatus is what became of one planned point.
type PointStatus struct {
	// File is the point's file as written: NAME.json, or NAME.failed.json
	// when it could not be measured.
	File string `json:"file"`
	// Status is one of the Status* constants.
	Status    string `json:"status"`
	Completed int    `json:"completed"`
	Failed    int    `json:"failed"`
	Error     string `json:"error,omitempty"`
}

// ReadSummary reads dir's summary.json; os.ErrNotExist (wrapped) when the
// directory has none.
func ReadSummary(dir string) (*Summary, error) {
	path := filepath.Join(dir, SummaryName)
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("reading %q: %w", path, err)
	}
	var s Summary
	if err := json.Unmarshal(data, &s); err != nil {
		return nil, fmt.Errorf("reading %q: invalid JSON: %w", path, err)
	}
	return &s, nil
}

// WriteSummary writes s as dir's summary.json, atomically.
func WriteSummary(dir string, s *Summary) error {
	data, err := EncodeSummary(s)
	if err != nil {
		return err
	}
	return WriteAtomic(filepath.Join(dir, SummaryName), data)
}

// EncodeSummary returns s as WriteSummary stores it.
func EncodeSummary(s *Summary) ([]byte, error) {
	data, err := json.MarshalIndent(s, "", "  ")
	if err != nil {
		return nil, err
	}
	return append(data, '\n'), nil
}
