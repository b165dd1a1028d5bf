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
// step's tokens when wall time reaches its simulated end divided by
// --sim-speedup, with sub-millisecond precision (pacer.go), and count the
// steps they release late. /metrics carries vLLM's metric names (one
// series per replica, request intervals in simulated seconds) and the
// loop's own sim: figures (metrics.go). Faults (failed start, crash, hang,
// HTTP 500s, a slowdown, a drift, a small KV cache that forces preemptions)
// are injected by flags so the harness's error paths run for real.
//
// Package sim imports no other internal package; only the app stage wires
// it into the command line through Main.
package sim
