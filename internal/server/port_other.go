//go:build !linux

package server

// portListening is unknown off Linux, where the plain bind decides alone.
func portListening(port int) (listening, known bool) { return false, false }
