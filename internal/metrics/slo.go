package metrics

import (
	"fmt"
	"math"
	"sort"
)

// SLO is a set of service-level objectives for goodput, in milliseconds. A
// zero field sets no objective; a request is good when it meets every set
// one (value <= objective).
type SLO struct {
	TTFTMs float64
	TPOTMs float64
	E2ELMs float64
}

// Set reports whether any objective is set.
func (s SLO) Set() bool { return s.TTFTMs > 0 || s.TPOTMs > 0 || s.E2ELMs > 0 }

// ParseSLO turns the config's goodput map (keys ttft_ms, tpot_ms, e2el_ms)
// into an SLO. Unknown keys and values that are not positive are errors.
func ParseSLO(goodput map[string]float64) (SLO, error) {
	var s SLO
	keys := make([]string, 0, len(goodput))
	for k := range goodput {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		v := goodput[k]
		if !(v > 0) || math.IsInf(v, 0) {
			return SLO{}, fmt.Errorf("goodput %s: must be a positive number of milliseconds, got %v", k, v)
		}
		switch k {
		case "ttft_ms":
			s.TTFTMs = v
		case "tpot_ms":
			s.TPOTMs = v
		case "e2el_ms":
			s.E2ELMs = v
		default:
			return SLO{}, fmt.Errorf("goodput: unknown key %q (want ttft_ms, tpot_ms or e2el_ms)", k)
		}
	}
	return s, nil
}

// good reports whether a successful request meets every set objective.
// tpotS is 0 for requests of one output token, as in vLLM.
func (s SLO) good(ttftS, tpotS, e2elS float64) bool {
	ok := func(slo, vS float64) bool { return slo <= 0 || vS <= slo/1000 }
	return ok(s.TTFTMs, ttftS) && ok(s.TPOTMs, tpotS) && ok(s.E2ELMs, e2elS)
}
