// Package gatetest builds synthetic, realistic result files and matched
// baseline pairs for the tests of the gate and of the report that renders
// its outcome: Spec describes a point (medians, throughput, noise, failed
// requests), File draws its requests from a seeded generator, Pair matches
// it with a baseline, and GoldenPairs is a small sweep with one point of
// each verdict.
//
// Allowed internal imports: baseline, results, stats, sweep.
package gatetest
