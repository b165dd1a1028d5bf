// Package engine turns a run's serve options and one tp/dp/pp layout into a
// launch recipe: the argv and environment of the server process, the URL
// the harness talks to and the path it polls for health. It knows vLLM,
// SGLang, the built-in simulator and external (already running) servers.
// Reading a server's version is its only I/O.
//
// Allowed internal imports: config, sweep.
package engine
