package sim

import (
	"math"
	"sort"
)

// loadResult summarises a simulated closed-loop run (simulated seconds).
type loadResult struct {
	ttftS, tpotS  []float64
	outputTokens  int
	durationS     float64
	maxRunning    int
	maxWaiting    int
	preemptions   int
	completedReqs int
}

func (r loadResult) outputTokS() float64 { return float64(r.outputTokens) / r.durationS }

func mean(xs []float64) float64 {
	s := 0.0
	for _, x := range xs {
		s += x
	}
	return s / float64(len(xs))
}

func median(xs []float64) float64 {
	c := append([]float64(nil), xs...)
	sort.Float64s(c)
	return c[len(c)/2]
}

// testConfig is the default plan (7B bf16 on one H100) without noise,
// optionally changed by edit.
func testConfig(edit func(o *options)) (engineConfig, plan) {
	o := defaultOptions()
	o.Model = "m"
	if edit != nil {
		edit(&o)
	}
	p, err := newPlan(&o)
	if err != nil {
		panic(err) // test setup only
	}
	cfg := p.engineConfig(1)
	cfg.jitterCV = 0
	return cfg, p
}

// simulateClosedLoop runs `requests` requests of inputLen/outputLen tokens
// through `replicas` engines, keeping `concurrency` in flight (a new one
// arrives when one finishes), routed to the least-loaded engine. It is a
// discrete-event simulation: the busy engine with the earliest clock steps
// next, and an arrival is routed only once every busy engine has reached it.
func simulateClosedLoop(cfg engineConfig, replicas, concurrency, requests, inputLen, outputLen int) loadResult {
	engines := make([]*engine, replicas)
	clocks := make([]float64, replicas)
	for i := range engines {
		engines[i] = newEngine(cfg, nil)
	}
	var arrivals []float64 // times, kept sorted
	issued := 0
	for ; issued < min(concurrency, requests); issued++ {
		arrivals = append(arrivals, 0)
	}
	var res loadResult
	route := func(t float64) {
		best := 0
		for i, e := range engines {
			if e.load() < engines[best].load() {
				best = i
			}
		}
		if engines[best].idle() {
			clocks[best] = math.Max(clocks[best], t)
		}
		engines[best].add(&sequence{promptTokens: inputLen, maxTokens: outputLen, stopAfter: outputLen, arrivalS: t})
	}
	for res.completedReqs < requests {
		// The busy engine with the earliest clock.
		next := -1
		for i, e := range engines {
			if !e.idle() && (next < 0 || clocks[i] < clocks[next]) {
				next = i
			}
		}
		if len(arrivals) > 0 && (next < 0 || arrivals[0] <= clocks[next]) {
			route(arrivals[0])
			arrivals = arrivals[1:]
			continue
		}
		if next < 0 {
			break
		}
		r := engines[next].step(clocks[next])
		clocks[next] = r.endS
		res.maxRunning = max(res.maxRunning, r.numRunning)
		res.maxWaiting = max(res.maxWaiting, r.numWaiting)
		res.outputTokens += len(r.emitted)
		for _, s := range r.finished {
			res.completedReqs++
			res.preemptions += s.preemptions
			res.ttftS = append(res.ttftS, s.firstTokenS-s.arrivalS)
			if s.generated > 1 {
				res.tpotS = append(res.tpotS, (s.finishS-s.firstTokenS)/float64(s.generated-1))
			}
			res.durationS = math.Max(res.durationS, s.finishS)
			if issued < requests {
				issued++
				i := sort.SearchFloat64s(arrivals, s.finishS)
				arrivals = append(arrivals, 0)
				copy(arrivals[i+1:], arrivals[i:])
				arrivals[i] = s.finishS
			}
		}
	}
	return res
}
