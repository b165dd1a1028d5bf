package results

import (
	"encoding/json"
	"fmt"
	"math"
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
	// Accounting says where the time of this invocation's servers went;
	// nil when no server was started or waited for.
	Accounting *Accounting `json:"accounting,omitempty"`
}

// Accounting is the cost of the servers one invocation ran into a
// directory: one entry per server start, and their totals.
type Accounting struct {
	Servers []ServerAccount `json:"servers"`
	Totals  AccountTotals   `json:"totals"`
}

// NewAccounting returns the accounting of the given starts with their
// totals; nil when there are none.
func NewAccounting(servers []ServerAccount) *Accounting {
	if len(servers) == 0 {
		return nil
	}
	return &Accounting{Servers: servers, Totals: Total(servers)}
}

// ServerAccount is where the time of one server start went, from the
// spawn (or the first look at an external server) to the end of its stop.
// HeldS is the whole span; StartS, WarmupS, MeasuringS and StoppingS are
// its phases and OtherS the rest (prompts tokenized, probes, the moments
// between points). GPUSeconds is HeldS times the GPUs the layout uses.
type ServerAccount struct {
	// Server is the configuration's stem, e.g. "llama_tp2_dp1_pp1".
	Server string `json:"server"`
	// Side and Round place a start of a paired A/B comparison: the build
	// ("baseline" or "candidate") and the round, from 1.
	Side  string `json:"side,omitempty"`
	Round int    `json:"round,omitempty"`
	// GPUs is tp x pp x dp.
	GPUs int `json:"gpus"`
	// StartS is spawn to ready (for an external server, the wait until it
	// answered); a start that failed counts until it failed.
	StartS float64 `json:"start_s"`
	// Started is false when the server never became ready.
	Started bool `json:"started"`
	// CacheWarm says whether the compile cache held this model and
	// arguments before the start; nil when no cache directory is used.
	CacheWarm  *bool   `json:"cache_warm,omitempty"`
	CacheDir   string  `json:"cache_dir,omitempty"`
	WarmupS    float64 `json:"warmup_s"`
	MeasuringS float64 `json:"measuring_s"`
	StoppingS  float64 `json:"stopping_s"`
	OtherS     float64 `json:"other_s"`
	HeldS      float64 `json:"held_s"`
	GPUSeconds float64 `json:"gpu_seconds"`
	// Points is the number of points measured on this start.
	Points int `json:"points"`
}

// AccountTotals adds up server starts. The phase seconds are wall-clock
// seconds; GPUSeconds weighs each start by its GPUs.
type AccountTotals struct {
	Starts     int     `json:"starts"`
	WarmStarts int     `json:"warm_starts"`
	StartS     float64 `json:"start_s"`
	WarmupS    float64 `json:"warmup_s"`
	MeasuringS float64 `json:"measuring_s"`
	StoppingS  float64 `json:"stopping_s"`
	OtherS     float64 `json:"other_s"`
	HeldS      float64 `json:"held_s"`
	GPUSeconds float64 `json:"gpu_seconds"`
	// StartGPUSeconds and MeasuringGPUSeconds are the GPU-seconds of the
	// starts and of the timed rounds.
	StartGPUSeconds     float64 `json:"start_gpu_seconds"`
	MeasuringGPUSeconds float64 `json:"measuring_gpu_seconds"`
	Points              int     `json:"points"`
}

// Total adds up the given starts, to the millisecond.
func Total(servers []ServerAccount) AccountTotals {
	var t AccountTotals
	for _, a := range servers {
		t.Starts++
		if a.CacheWarm != nil && *a.CacheWarm {
			t.WarmStarts++
		}
		t.StartS += a.StartS
		t.WarmupS += a.WarmupS
		t.MeasuringS += a.MeasuringS
		t.StoppingS += a.StoppingS
		t.OtherS += a.OtherS
		t.HeldS += a.HeldS
		t.GPUSeconds += a.GPUSeconds
		t.StartGPUSeconds += a.StartS * float64(a.GPUs)
		t.MeasuringGPUSeconds += a.MeasuringS * float64(a.GPUs)
		t.Points += a.Points
	}
	for _, s := range []*float64{&t.StartS, &t.WarmupS, &t.MeasuringS, &t.StoppingS, &t.OtherS, &t.HeldS, &t.GPUSeconds, &t.StartGPUSeconds, &t.MeasuringGPUSeconds} {
		*s = math.Round(*s*1000) / 1000
	}
	return t
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
