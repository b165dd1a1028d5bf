package app

import (
	"bytes"
	"errors"
	"testing"
)

func TestSuggest(t *testing.T) {
	cmds := commands()
	tests := []struct{ typed, want string }{
		{"c", ` (did you mean "calibrate"?)`},     // a prefix of calibrate and compare: alphabetical
		{"comapre", ` (did you mean "compare"?)`}, // two edits
		{"rn", ` (did you mean "run"?)`},
		{"benchmark", ` (did you mean "bench"?)`},
		{"xyzzy", ""},
	}
	for _, tt := range tests {
		for range 20 { // map order must not matter
			if got := suggest(tt.typed, cmds); got != tt.want {
				t.Fatalf("suggest(%q) = %q, want %q", tt.typed, got, tt.want)
			}
		}
	}
}

func TestExitWith(t *testing.T) {
	tests := []struct {
		err  error
		code int
		out  string
	}{
		{nil, ExitOK, ""},
		{quietExit(ExitRegression), ExitRegression, ""},
		{invalidf("--format: bad %q", "x"), ExitInvalid, "vllm-bench: --format: bad \"x\"\n"},
		{infraf("server died"), ExitInfra, "vllm-bench: server died\n"},
		{invalidInput(errors.New("c.yaml:3: runs[0].engine: bad")), ExitInvalid, "c.yaml:3: runs[0].engine: bad\n"},
		{errors.New("unclassified"), ExitInfra, "vllm-bench: unclassified\n"},
	}
	for _, tt := range tests {
		var b bytes.Buffer
		if code := exitWith(&b, tt.err); code != tt.code || b.String() != tt.out {
			t.Errorf("exitWith(%v) = %d, %q; want %d, %q", tt.err, code, b.String(), tt.code, tt.out)
		}
	}
}
