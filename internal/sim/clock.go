package sim

import "time"

// clock maps simulated seconds to wall time: simulated time runs speedup
// times faster than wall time from base.
type clock struct {
	base    time.Time
	speedup float64
}

// simAt is the simulated time at wall time t.
func (c clock) simAt(t time.Time) float64 { return t.Sub(c.base).Seconds() * c.speedup }

// simNow is the simulated time now.
func (c clock) simNow() float64 { return c.simAt(time.Now()) }

// wallAt is the wall time at which simulated time simS is reached.
func (c clock) wallAt(simS float64) time.Time {
	return c.base.Add(time.Duration(simS / c.speedup * float64(time.Second)))
}

// wallDuration is the wall time that simS simulated seconds take.
func (c clock) wallDuration(simS float64) time.Duration {
	return time.Duration(simS / c.speedup * float64(time.Second))
}
