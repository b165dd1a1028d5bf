// Package results is the result-file stage of vllm-bench: the JSON schema of
// one point's result (File), filling it from the metrics of the point's
// repeats, writing it atomically, reading it back, and telling whether a
// file is complete so that --resume can skip its point.
//
// The top-level keys are those of `vllm bench serve --save-result`, so
// vLLM's own tooling reads the files; everything of our own sits under the
// "vllm_bench" key (Meta).
//
// It also merges the result directories of a sweep's shards (Merge).
//
// Allowed internal imports: config, sweep, loadgen, metrics, probe.
package results
