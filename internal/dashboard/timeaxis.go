package dashboard

import (
	"fmt"
	"time"

	"github.com/vllm-bench-action/vllm-bench-action/internal/trend"
)

// maxTimeTicks is the most labelled ticks of a chart's x-axis.
const maxTimeTicks = 5

// tickSteps returns the steps between x-axis ticks a chart chooses from,
// the smallest that gives at most maxTimeTicks.
func tickSteps() []time.Duration {
	return []time.Duration{
		time.Second, 2 * time.Second, 5 * time.Second, 10 * time.Second, 15 * time.Second, 30 * time.Second,
		time.Minute, 2 * time.Minute, 5 * time.Minute, 10 * time.Minute, 15 * time.Minute, 30 * time.Minute,
		time.Hour, 2 * time.Hour, 3 * time.Hour, 6 * time.Hour, 12 * time.Hour,
		day, 2 * day, 3 * day, 5 * day, 7 * day, 14 * day, 28 * day, 56 * day, 91 * day, 182 * day, 364 * day,
	}
}

const day = 24 * time.Hour

// timeAxis places the runs of a history on a chart's x-axis by the time
// they were measured, so that the gaps between nights show; a history
// whose dates do not all parse, or all fall at one instant, is placed by
// run number instead.
type timeAxis struct {
	// pos is the x of each run of the history.
	pos   []float64
	ticks []xTick
	title string
}

// xTick is one labelled tick of the x-axis.
type xTick struct {
	x             float64
	label, anchor string
}

// x returns the position of the run with history index run.
func (a timeAxis) x(run int) float64 { return a.pos[run] }

// newTimeAxis lays out the x-axis of the history between left and right.
func newTimeAxis(history []trend.RunInfo, left, right float64) timeAxis {
	times := make([]time.Time, len(history))
	ok := len(history) > 1
	for i, r := range history {
		t, err := time.Parse(time.RFC3339, r.Date)
		times[i], ok = t.UTC(), ok && err == nil
	}
	if ok {
		lo, hi := times[0], times[0]
		for _, t := range times {
			if t.Before(lo) {
				lo = t
			}
			if t.After(hi) {
				hi = t
			}
		}
		if hi.After(lo) {
			return dateAxis(times, lo, hi, left, right)
		}
	}
	return runAxis(len(history), left, right)
}

// dateAxis places runs by their times between lo and hi.
func dateAxis(times []time.Time, lo, hi time.Time, left, right float64) timeAxis {
	span := hi.Sub(lo)
	at := func(t time.Time) float64 { return left + (right-left)*float64(t.Sub(lo))/float64(span) }
	a := timeAxis{pos: make([]float64, len(times)), title: "date of the run (UTC); hover a run for its commit"}
	for i, t := range times {
		a.pos[i] = at(t)
	}
	steps := tickSteps()
	step := steps[len(steps)-1]
	for _, s := range steps {
		if span >= day && s < day {
			continue // runs on different days: ticks on dates
		}
		if int(span/s)+1 <= maxTimeTicks {
			step = s
			break
		}
	}
	layout := "2006-01-02"
	switch {
	case step < day && lo.Truncate(day).Equal(hi.Truncate(day)):
		layout = "15:04"
		a.title = fmt.Sprintf("time of the run on %s (UTC); hover a run for its commit", lo.Format("2006-01-02"))
	case step < day:
		layout = "01-02 15:04"
		a.title = "date and time of the run (UTC); hover a run for its commit"
	}
	if step < time.Minute {
		layout += ":05"
	}
	// Ticks from the first step boundary at or after lo; day steps count
	// from lo's midnight so that they fall on midnights.
	first := lo.Truncate(step)
	if step >= day {
		first = lo.Truncate(day)
	}
	for first.Before(lo) {
		first = first.Add(step)
	}
	var ts []time.Time
	for t := first; !t.After(hi); t = t.Add(step) {
		ts = append(ts, t)
	}
	if len(ts) < 2 { // a span just under a step: label its ends
		ts = []time.Time{lo, hi}
	}
	for _, t := range ts {
		x := at(t)
		a.ticks = append(a.ticks, xTick{x: x, label: t.Format(layout), anchor: tickAnchor(x, left, right)})
	}
	return a
}

// runAxis places n runs evenly and labels the first, the last and up to two
// between with their numbers (#1, #5, ...).
func runAxis(n int, left, right float64) timeAxis {
	a := timeAxis{pos: make([]float64, n), title: fmt.Sprintf("run (%d in the history); hover a run for its commit and date", n)}
	for i := range a.pos {
		a.pos[i] = (left + right) / 2
		if n > 1 {
			a.pos[i] = left + (right-left)*float64(i)/float64(n-1)
		}
	}
	var idx []int
	switch {
	case n == 1:
		idx = []int{0}
	case n > 1 && n < 8:
		idx = []int{0, n - 1}
	case n >= 8:
		idx = []int{0, (n - 1) / 3, 2 * (n - 1) / 3, n - 1}
	}
	for _, i := range idx {
		a.ticks = append(a.ticks, xTick{x: a.pos[i], label: fmt.Sprintf("#%d", i+1), anchor: tickAnchor(a.pos[i], left, right)})
	}
	return a
}

// tickAnchor keeps a tick's label inside the plot's width near its ends.
func tickAnchor(x, left, right float64) string {
	switch {
	case x-left < 30:
		return "start"
	case right-x < 30:
		return "end"
	}
	return "middle"
}
