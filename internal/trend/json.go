package trend

import (
	"encoding/json"
	"math"
)

// finite returns a pointer to v, or nil when v is NaN or infinite.
func finite(v float64) *float64 {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return nil
	}
	return &v
}

// MarshalJSON writes a shift with its interval.
func (s Shift) MarshalJSON() ([]byte, error) {
	type plain Shift // no methods: no recursion
	return json.Marshal(struct {
		plain
		Change *float64 `json:"change"`
		CILo   *float64 `json:"ci_lo"`
		CIHi   *float64 `json:"ci_hi"`
	}{plain(s), finite(s.Change), finite(s.CI.Lo), finite(s.CI.Hi)})
}

// JSON renders the analysis with its change-point count, indented.
func (a *Analysis) JSON() ([]byte, error) {
	return json.MarshalIndent(struct {
		ChangePoints   int `json:"change_points"`
		NewRegressions int `json:"new_regressions"`
		*Analysis
	}{a.ChangePoints(), a.NewRegressions(), a}, "", "  ")
}
