package results

import (
	"encoding/csv"
	"fmt"
	"strconv"
	"strings"
)

// NvidiaSMIQuery is the nvidia-smi invocation whose output ParseNvidiaSMI
// reads: one CSV row per GPU, with a header.
var NvidiaSMIQuery = []string{"nvidia-smi", "--query-gpu=name,driver_version,memory.total", "--format=csv"}

// ParseNvidiaSMI reads the output of NvidiaSMIQuery into the GPU fields of
// an Env: the model and driver of the first GPU, the number of GPUs and the
// memory of one GPU in MiB. Mixed GPUs are named "A + B".
func ParseNvidiaSMI(out string) (Env, error) {
	r := csv.NewReader(strings.NewReader(strings.TrimSpace(out)))
	r.TrimLeadingSpace = true
	rows, err := r.ReadAll()
	if err != nil {
		return Env{}, fmt.Errorf("nvidia-smi output: %w", err)
	}
	var env Env
	var models []string
	for _, row := range rows {
		if len(row) < 3 {
			return Env{}, fmt.Errorf("nvidia-smi output: want name, driver_version, memory.total, got %q", strings.Join(row, ","))
		}
		if row[0] == "name" {
			continue // the header
		}
		mem, err := strconv.Atoi(strings.TrimSpace(strings.TrimSuffix(row[2], "MiB")))
		if err != nil {
			return Env{}, fmt.Errorf("nvidia-smi output: memory.total %q is not a number of MiB", row[2])
		}
		if env.GPUCount == 0 {
			env.GPUDriver, env.GPUMemoryMiB = row[1], mem
		}
		env.GPUCount++
		if len(models) == 0 || models[len(models)-1] != row[0] {
			models = append(models, row[0])
		}
	}
	if env.GPUCount == 0 {
		return Env{}, fmt.Errorf("nvidia-smi output lists no GPU")
	}
	env.GPUModel = strings.Join(models, " + ")
	return env, nil
}
