package sim

import "time"

// driftPeriodS is the simulated time over which --sim-drift F reaches its
// full factor: one hour.
const driftPeriodS = 3600.0

// minDriftFactor keeps a drift toward faster steps from reaching zero or
// below after many hours.
const minDriftFactor = 0.05

// driftFactor is the multiplier of step times at simulated time simS under
// --sim-drift drift: it changes linearly from 1 at time 0 to drift at
// driftPeriodS and keeps that slope before and after (1.05 gives steps 5 %
// slower after an hour and 10 % slower after two). A drift of 0 or 1 means
// none. The result never falls below minDriftFactor.
func driftFactor(simS, drift float64) float64 {
	if drift == 0 || drift == 1 {
		return 1
	}
	f := 1 + (drift-1)*simS/driftPeriodS
	if f < minDriftFactor {
		return minDriftFactor
	}
	return f
}

// driftOffsetS is the simulated time from the drift's epoch to the clock's
// time 0: the wall time between them times the speedup, so that servers
// started one after another with one epoch continue one drift. Without an
// epoch the drift starts with the process (0).
func driftOffsetS(clk clock, epoch *time.Time) float64 {
	if epoch == nil {
		return 0
	}
	return clk.base.Sub(*epoch).Seconds() * clk.speedup
}
