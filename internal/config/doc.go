// Package config loads and validates the benchmark campaign file (the YAML
// schema of DESIGN §4). It is the first stage of the pipeline: it imports no
// internal package and does no I/O beyond reading the file.
//
// Every problem in a file is reported at once, each as
// FILE:LINE: path.to.key: what is wrong, got X. Optional keys left out take
// the Default* constants; a key written with an explicit zero is judged as
// written, not replaced by a default. Rules of other stages (the gate's)
// join through a Check, so config stays first. Anchors, aliases and merge
// keys (<<: *name) work as in yaml.v3; a problem in a merged or aliased
// value is reported at the line that writes it. Values that are valid but
// hardly meant (a million prompts, more GPUs than the machine has) are not
// errors: Config.Warnings lists them.
//
// Allowed internal imports: none.
package config
