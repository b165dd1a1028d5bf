package probe

import (
	"encoding/csv"
	"fmt"
	"math"
	"strconv"
	"strings"
)

// Throttle reasons, the bits of nvidia-smi's clocks_event_reasons.active
// (clocks_throttle_reasons.active before driver 535), as nvml.h defines
// them.
const (
	reasonGPUIdle            uint64 = 0x1
	reasonApplicationsClocks uint64 = 0x2
	reasonSWPowerCap         uint64 = 0x4
	reasonHWSlowdown         uint64 = 0x8
	reasonSyncBoost          uint64 = 0x10
	reasonSWThermal          uint64 = 0x20
	reasonHWThermal          uint64 = 0x40
	reasonHWPowerBrake       uint64 = 0x80
	reasonDisplayClocks      uint64 = 0x100
)

// Groups of reasons: a thermal throttle, a power throttle, and any reason
// that lowers the clocks for heat or power (HW slowdown is engaged for
// either).
const (
	thermalReasons  = reasonSWThermal | reasonHWThermal
	powerReasons    = reasonSWPowerCap | reasonHWPowerBrake
	throttleReasons = thermalReasons | powerReasons | reasonHWSlowdown
)

// reasonNames names each reason bit, in bit order, for the block's
// reasons_pct.
var reasonNames = []struct {
	bit  uint64
	name string
}{
	{reasonGPUIdle, "gpu_idle"},
	{reasonApplicationsClocks, "applications_clocks_setting"},
	{reasonSWPowerCap, "sw_power_cap"},
	{reasonHWSlowdown, "hw_slowdown"},
	{reasonSyncBoost, "sync_boost"},
	{reasonSWThermal, "sw_thermal_slowdown"},
	{reasonHWThermal, "hw_thermal_slowdown"},
	{reasonHWPowerBrake, "hw_power_brake_slowdown"},
	{reasonDisplayClocks, "display_clock_setting"},
}

// The throttle-reasons field under its newer and older names.
const (
	reasonsField    = "clocks_event_reasons.active"
	oldReasonsField = "clocks_throttle_reasons.active"
)

// telemetryFields are the fields of the telemetry query, in the order
// parseTelemetryRow reads them; the last is the reasons field.
var telemetryFields = []string{
	"index", "uuid", "name", "clocks.sm", "clocks.mem", "power.draw", "power.limit",
	"temperature.gpu", "utilization.gpu", "memory.used",
}

// telemetryArgs are nvidia-smi's arguments for one query with the given
// reasons field; intervalMs > 0 adds the loop mode (-lms).
func telemetryArgs(reasons string, intervalMs int) []string {
	args := []string{
		"--query-gpu=" + strings.Join(telemetryFields, ",") + "," + reasons,
		"--format=csv,noheader,nounits",
	}
	if intervalMs > 0 {
		args = append(args, "-lms", strconv.Itoa(intervalMs))
	}
	return args
}

// gpuSample is one row of the telemetry query. A value nvidia-smi does not
// have ([N/A], [Not Supported]) is NaN; reasonsOK is false without reasons.
type gpuSample struct {
	index                        int
	uuid, name                   string
	smMHz, memMHz                float64
	powerW, powerLimitW          float64
	temperatureC, utilizationPct float64
	memoryUsedMiB                float64
	reasons                      uint64
	reasonsOK                    bool
}

// parseTelemetryRow reads one line of the telemetry query's output.
func parseTelemetryRow(line string) (gpuSample, error) {
	r := csv.NewReader(strings.NewReader(line))
	r.TrimLeadingSpace = true
	rec, err := r.Read()
	if err != nil {
		return gpuSample{}, fmt.Errorf("nvidia-smi row %q: %w", line, err)
	}
	if len(rec) != len(telemetryFields)+1 {
		return gpuSample{}, fmt.Errorf("nvidia-smi row %q: want %d fields, got %d", line, len(telemetryFields)+1, len(rec))
	}
	index, err := strconv.Atoi(strings.TrimSpace(rec[0]))
	if err != nil {
		return gpuSample{}, fmt.Errorf("nvidia-smi row %q: index %q is not a number", line, rec[0])
	}
	s := gpuSample{index: index, uuid: strings.TrimSpace(rec[1]), name: strings.TrimSpace(rec[2])}
	for i, dst := range []*float64{&s.smMHz, &s.memMHz, &s.powerW, &s.powerLimitW, &s.temperatureC, &s.utilizationPct, &s.memoryUsedMiB} {
		*dst = parseSMIValue(rec[3+i])
	}
	if v := strings.TrimSpace(rec[len(rec)-1]); strings.HasPrefix(v, "0x") {
		bits, err := strconv.ParseUint(v[2:], 16, 64)
		if err != nil {
			return gpuSample{}, fmt.Errorf("nvidia-smi row %q: reasons %q is not a hex bitmask", line, v)
		}
		s.reasons, s.reasonsOK = bits, true
	}
	return s, nil
}

// parseSMIValue reads a number; anything else ([N/A], [Not Supported],
// [Unknown Error]) is NaN.
func parseSMIValue(v string) float64 {
	f, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
	if err != nil {
		return math.NaN()
	}
	return f
}

// isInvalidField reports whether nvidia-smi's output says a queried field
// is unknown to this driver.
func isInvalidField(out string) bool {
	return strings.Contains(strings.ToLower(out), "is not a valid field")
}
