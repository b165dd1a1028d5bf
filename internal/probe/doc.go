// Package probe is the sampling stage of vllm-bench: what is measured beside
// the load while a point runs, so that a verdict can say why a point changed.
//
//   - Server metrics: the server's Prometheus /metrics, scraped just before
//     and just after each timed round and every second in between, folded
//     into a ServerMetrics block (counter and histogram deltas, per-request
//     means, gauge peaks and means) with vLLM's names, older and newer, and
//     SGLang's where they map.
//   - GPU telemetry: nvidia-smi in its loop mode for the GPUs the server
//     uses, folded into a GPUTelemetry block (per-GPU min/median/max of
//     clocks, power, temperature, utilization and memory, and the share of
//     samples with a thermal or power throttle).
//   - Client health: the load generator's own scheduling lag (how late a
//     goroutine woken by the network poller runs) and CPU use over the timed
//     rounds, folded into a ClientHealth block with a saturation verdict
//     (Judge), so that a point measured by a saturated client is known.
//   - Host health: the machine's CPU pressure (/proc/pressure/cpu) and
//     steal (/proc/stat) over the timed rounds, its load, and the processes
//     other than the server's on the point's GPUs (nvidia-smi
//     --query-compute-apps), folded into a HostHealth block whose
//     BusyReasons and SharedGPUReason make a point suspect.
//   - The simulator's engine loop: its late steps and lag over the rounds,
//     read from its sim: metrics into ServerMetrics.Sim, which says when
//     the simulated timing was not faithful.
//   - Hints: a pure comparison of a baseline's blocks with the current ones
//     that names the largest changes in a few words and judges whether the
//     current point was measured on a throttled GPU (suspect).
//
// A missing source is never an error: a server without /metrics gives an
// empty block with a note, a machine without nvidia-smi gives no block, a
// machine without /proc gives a host block with a note. Output lines of a
// child process too long to be read are skipped and counted, and a reading
// error ends up in the block's note.
//
// Runner samples through probe, and results, gate and report carry and
// read its blocks.
//
// Allowed internal imports: sigfig.
package probe
