// Package sweep expands a config into what will run: the ordered server
// configurations (run x tp/dp/pp layout), the benchmark points inside each,
// the name of every result file, and the split of a sweep into shards. It
// is pure (no I/O).
//
// Allowed internal imports: config.
package sweep
