package github

import (
	"strings"
	"testing"
)

func TestParseInputsModeAB(t *testing.T) {
	in, err := ParseInputs(getter(map[string]string{"config": "c.yaml", "mode": "ab", "engine": "sim", "tolerance": "0.1"}))
	if err != nil || in.Mode != ModeAB || in.Engine != "sim" || in.Tolerance != 0.1 {
		t.Fatalf("ParseInputs = %+v, %v", in, err)
	}
	tests := []struct {
		name string
		in   map[string]string
		want string
	}{
		{"shard", map[string]string{"shard": "1/2"}, `input "shard": is not used with mode: ab`},
		{"update-baselines", map[string]string{"update-baselines": "true"}, `input "update-baselines": is not used with mode: ab`},
		{"results", map[string]string{"results": "shards/*"}, `input "results": is only used with mode: compare`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.in["config"], tt.in["mode"] = "c.yaml", "ab"
			_, err := ParseInputs(getter(tt.in))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err = %v, want %q", err, tt.want)
			}
		})
	}
}
