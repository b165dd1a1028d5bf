package sim

import (
	"math"
	"math/rand/v2"
)

// stepJitterCV is the spread of the per-step noise: real steps of the same
// shape vary by a couple of percent (kernels, Python, the host).
const stepJitterCV = 0.02

// engineConfig is what one replica's scheduler needs.
type engineConfig struct {
	model            perfModel
	maxNumSeqs       int
	maxBatchedTokens int
	kvTokens         int     // KV-cache capacity in tokens (whole blocks)
	scale            float64 // per-process speed factor x --sim-slowdown
	drift            float64 // --sim-drift: step-time factor after an hour of simulated time; 0 or 1 for none
	driftOffsetS     float64 // simulated seconds from the drift's epoch to the engine's time 0
	jitterCV         float64 // per-step noise; 0 for exact tests
}

// scheduled is one sequence's share of a step.
type scheduled struct {
	seq    *sequence
	tokens int
}

// stepResult is the outcome of one step.
type stepResult struct {
	durationS     float64
	endS          float64
	tokens        int
	emitted       []*sequence // sequences that got a new output token (finished ones included)
	finished      []*sequence
	dropped       int // aborted sequences removed at the start of the step
	preempted     int // sequences whose cache was dropped to make room in this step
	prefixQueries int // tokens looked up in the prefix cache by sequences (re)admitted in this step
	numRunning    int // after the step
	numWaiting    int
	kvUsage       float64 // share of KV blocks held, after the step
}

// engine is a continuous-batching scheduler in the style of vLLM V1 for one
// data-parallel replica. It is pure: time is whatever the caller says, and
// the only randomness is the per-step jitter from its own generator.
//
// Each step it first serves the running sequences in order (a prefill chunk
// or one decode token each) within the token budget, allocating KV blocks as
// sequences grow; when blocks run out it preempts the most recently admitted
// sequence (its cache is dropped and recomputed later). Then, if nothing was
// preempted, it admits waiting sequences first-come first-served while there
// are free slots, token budget and KV blocks for their first chunk.
type engine struct {
	cfg        engineConfig
	rng        *rand.Rand
	totalBlock int
	freeBlocks int
	waiting    []*sequence
	running    []*sequence
	sched      []scheduled
	res        stepResult
}

// newEngine returns an idle engine; rng may be nil when jitterCV is 0.
func newEngine(cfg engineConfig, rng *rand.Rand) *engine {
	if cfg.scale <= 0 {
		cfg.scale = 1
	}
	blocks := cfg.kvTokens / kvBlockTokens
	return &engine{cfg: cfg, rng: rng, totalBlock: blocks, freeBlocks: blocks}
}

// add queues a sequence; it is scheduled from the next step on.
func (e *engine) add(s *sequence) { e.waiting = append(e.waiting, s) }

// idle reports whether there is nothing to schedule.
func (e *engine) idle() bool { return len(e.running) == 0 && len(e.waiting) == 0 }

// load is the number of sequences the engine holds.
func (e *engine) load() int { return len(e.running) + len(e.waiting) }

// kvUsage is the share of KV-cache blocks in use.
func (e *engine) kvUsage() float64 {
	if e.totalBlock == 0 {
		return 0
	}
	return float64(e.totalBlock-e.freeBlocks) / float64(e.totalBlock)
}

// dropAborted removes sequences whose client went away, frees their blocks
// and returns how many it removed.
func (e *engine) dropAborted() int {
	before := e.load()
	keep := e.running[:0]
	for _, s := range e.running {
		if s.aborted.Load() {
			e.freeBlocks += s.blocks
			s.blocks = 0
			continue
		}
		keep = append(keep, s)
	}
	clear(e.running[len(keep):])
	e.running = keep
	wk := e.waiting[:0]
	for _, s := range e.waiting {
		if !s.aborted.Load() {
			wk = append(wk, s)
		}
	}
	clear(e.waiting[len(wk):])
	e.waiting = wk
	return before - e.load()
}

// preemptLast drops the cache of the last running sequence and puts it at
// the head of the waiting queue.
func (e *engine) preemptLast() *sequence {
	last := len(e.running) - 1
	v := e.running[last]
	e.running[last] = nil
	e.running = e.running[:last]
	e.freeBlocks += v.blocks
	v.blocks = 0
	v.computed = 0
	v.preemptions++
	e.waiting = append(e.waiting, nil)
	copy(e.waiting[1:], e.waiting)
	e.waiting[0] = v
	return v
}

// schedule picks the work of the step that starts at startS; see the
// engine doc. It counts preemptions and prefix-cache lookups in e.res.
func (e *engine) schedule(startS float64) {
	budget := e.cfg.maxBatchedTokens
	e.sched = e.sched[:0]
	e.res.preempted = 0
	e.res.prefixQueries = 0
	for i := 0; i < len(e.running) && budget > 0; i++ {
		s := e.running[i]
		n := min(s.pending(), budget)
		need := blocksFor(s.computed+n) - s.blocks
		for need > e.freeBlocks && len(e.running) > i+1 {
			e.preemptLast()
			e.res.preempted++
		}
		if need > e.freeBlocks {
			// Only s itself is left to give way.
			e.preemptLast()
			e.res.preempted++
			break
		}
		e.freeBlocks -= need
		s.blocks += need
		budget -= n
		e.sched = append(e.sched, scheduled{s, n})
	}
	if e.res.preempted > 0 {
		return
	}
	for len(e.waiting) > 0 && len(e.running) < e.cfg.maxNumSeqs && budget > 0 {
		s := e.waiting[0]
		n := min(s.pending(), budget)
		need := blocksFor(s.computed+n) - s.blocks
		if need > e.freeBlocks {
			break
		}
		e.waiting[0] = nil
		e.waiting = e.waiting[1:]
		e.running = append(e.running, s)
		if !s.scheduled {
			s.scheduled = true
			s.scheduledS = startS
		}
		// Prefix sharing is not modelled: every lookup misses.
		e.res.prefixQueries += s.promptTokens + s.generated
		e.freeBlocks -= need
		s.blocks += need
		budget -= n
		e.sched = append(e.sched, scheduled{s, n})
	}
}

// step schedules and runs one step that starts at simulated time startS. The
// returned result (and its slices) is valid until the next call. A step with
// nothing to do has zero duration.
func (e *engine) step(startS float64) *stepResult {
	r := &e.res
	r.dropped = e.dropAborted()
	e.schedule(startS)
	r.emitted = r.emitted[:0]
	r.finished = r.finished[:0]
	load := stepLoad{}
	for _, sc := range e.sched {
		load.tokens += sc.tokens
		load.contextTokens += sc.seq.computed + sc.tokens
	}
	r.tokens = load.tokens
	r.durationS = e.cfg.model.stepS(load) * e.cfg.scale * driftFactor(startS+e.cfg.driftOffsetS, e.cfg.drift) * e.jitter()
	r.endS = startS + r.durationS
	finishedAny := false
	for _, sc := range e.sched {
		s := sc.seq
		s.computed += sc.tokens
		if s.pending() > 0 {
			continue // a prefill chunk that did not reach the end of the prompt
		}
		s.generated++
		if s.generated == 1 {
			s.firstTokenS = r.endS
			s.itlS = 0
		} else {
			s.itlS = r.endS - s.lastTokenS
		}
		s.lastTokenS = r.endS
		if s.generated >= s.stopAfter {
			s.finished = true
			s.finishS = r.endS
			e.freeBlocks += s.blocks
			s.blocks = 0
			r.finished = append(r.finished, s)
			finishedAny = true
		}
		r.emitted = append(r.emitted, s)
	}
	if finishedAny {
		keep := e.running[:0]
		for _, s := range e.running {
			if !s.finished {
				keep = append(keep, s)
			}
		}
		clear(e.running[len(keep):])
		e.running = keep
	}
	r.numRunning = len(e.running)
	r.numWaiting = len(e.waiting)
	r.kvUsage = e.kvUsage()
	return r
}

// jitter is the per-step noise factor, kept within [0.5, 1.5].
func (e *engine) jitter() float64 {
	if e.cfg.jitterCV == 0 || e.rng == nil {
		return 1
	}
	return math.Min(1.5, math.Max(0.5, 1+e.cfg.jitterCV*e.rng.NormFloat64()))
}
