// Package app holds the subcommands of vllm-bench. It is the only package
// that wires the stages together (config -> sweep -> engine/server ->
// loadgen -> metrics -> results -> baseline -> stats -> report -> github);
// every other package knows only those to its left.
package app
