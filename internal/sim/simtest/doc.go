// Package simtest starts the vLLM simulator of package sim in-process for
// tests of the packages that talk to a server (the runner's measurements,
// the app's commands): Start binds a free loopback port, waits until
// /health answers and stops the simulator when the test ends.
//
// Allowed internal imports: sim.
package simtest
