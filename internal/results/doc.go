// Package results is the result-file stage of vllm-bench: the JSON schema of
// one point's result (File), filling it from the metrics of the point's
// repeats, writing it atomically, reading it back, and telling whether a
// file is complete so that --resume can skip its point.
//
// The top-level keys are those of `vllm bench serve --save-result`, so
// vLLM's own tooling reads the files; everything of our own sits under the
// "vllm_bench" key (Meta).
//
// Package results may import metrics, loadgen and sweep; it imports no stage
// to its right (baseline, stats, report, github).
package results
