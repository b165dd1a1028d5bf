package probe

import (
	"strings"
	"testing"
)

// FuzzParseTelemetryRow: any line gives a sample or an error, never a panic.
func FuzzParseTelemetryRow(f *testing.F) {
	f.Add("0, GPU-5c1f, NVIDIA H100 80GB HBM3, 1410, 2619, 539.53, 700.00, 87, 100, 74213, 0x0000000000000048")
	f.Add("3, GPU-aa, NVIDIA A10G, 1710, 6251, [N/A], 300.00, 40, 0, 1, [Not Supported]")
	f.Add(`0, "GPU, x", 1, 2, 3`)
	f.Fuzz(func(t *testing.T, line string) {
		s, err := parseTelemetryRow(line)
		if err == nil && s.uuid == "" && s.name == "" && s.index == 0 && !strings.Contains(line, ",") {
			t.Errorf("%q parsed without a comma", line)
		}
	})
}
