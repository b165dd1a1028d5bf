// Package server runs one inference server process for the length of a
// benchmark: it starts the process in its own process group with its output
// in a log file, waits until the server answers, and stops the whole group,
// so no server outlives the harness. It also waits for external servers.
// It is the lifecycle stage beside engine. Process groups need Linux;
// elsewhere Start refuses with the way out (an external server).
//
// Allowed internal imports: none.
package server
