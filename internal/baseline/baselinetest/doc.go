// Package baselinetest writes baselines stores for tests of the packages
// that read them (trend analysis, the dashboard, the commands): WriteHistory
// puts a run's history.jsonl in place from entries built in the test.
//
// Allowed internal imports: baseline.
package baselinetest
