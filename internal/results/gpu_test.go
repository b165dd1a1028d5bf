package results

import (
	"os"
	"path/filepath"
	"testing"
)

func TestParseNvidiaSMI(t *testing.T) {
	tests := []struct {
		file string
		want Env
	}{
		{"h100x8.csv", Env{GPUModel: "NVIDIA H100 80GB HBM3", GPUDriver: "550.54.15", GPUCount: 8, GPUMemoryMiB: 81559}},
		{"a100x1.csv", Env{GPUModel: "NVIDIA A100-SXM4-80GB", GPUDriver: "535.129.03", GPUCount: 1, GPUMemoryMiB: 81920}},
		{"mixed.csv", Env{GPUModel: "NVIDIA L40S + NVIDIA GeForce RTX 4090", GPUDriver: "560.35.03", GPUCount: 2, GPUMemoryMiB: 46068}},
	}
	for _, tt := range tests {
		data, err := os.ReadFile(filepath.Join("..", "..", "testdata", "nvidia-smi", tt.file))
		if err != nil {
			t.Fatal(err)
		}
		got, err := ParseNvidiaSMI(string(data))
		if err != nil {
			t.Fatalf("%s: %v", tt.file, err)
		}
		if got != tt.want {
			t.Errorf("%s: got %+v, want %+v", tt.file, got, tt.want)
		}
	}
}

func TestParseNvidiaSMIErrors(t *testing.T) {
	for _, out := range []string{
		"",
		"name, driver_version, memory.total [MiB]\n",
		"NVIDIA H100, 550.54.15\n",
		"NVIDIA H100, 550.54.15, lots MiB\n",
		"No devices were found\n",
	} {
		if env, err := ParseNvidiaSMI(out); err == nil {
			t.Errorf("ParseNvidiaSMI(%q) = %+v, want an error", out, env)
		}
	}
}
