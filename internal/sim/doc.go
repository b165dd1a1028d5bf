// Package sim is the simulator stage of vllm-bench: a stand-in for a vLLM
// OpenAI-compatible server (`vllm-bench sim`) that needs no GPU.
//
// It accepts the `vllm serve` command line plus --sim-* flags, "loads" for a
// simulated time before it binds its port, and then serves /health,
// /version, /v1/models, /v1/completions, /v1/chat/completions (streamed and
// not), /tokenize, /detokenize and /metrics with vLLM's response and error
// shapes. Token timing comes from a pure performance model of a GPU
// (perfmodel.go) driven by a continuous-batching scheduler (engine.go), one
// per data-parallel replica; the replica loops (replica.go) release each
// token when wall time reaches its simulated time divided by --sim-speedup.
// Faults (failed start, crash, hang, HTTP 500s, a slowdown) are injected by
// flags so the harness's error paths run for real.
//
// Package sim imports no other internal package; only the app stage wires
// it into the command line through Main.
package sim
