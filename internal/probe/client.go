package probe

import (
	"context"
	"encoding/binary"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"runtime"
	"slices"
	"sync"
	"time"
)

// ClientTick is how often the client probe sends itself a wake-up at the
// most: 200 a second, 12,000 samples in a minute's point, for about 1 % of
// one core (BenchmarkClientProbeCost) on an otherwise busy process. A probe told the load wakes
// ClientTickHzPerStream times a second per stream in flight, up to this.
const ClientTick = 5 * time.Millisecond

// ClientTickHzPerStream is how often a load-aware probe wakes per stream in
// flight: 4 a second for one stream, ClientTick's 200 from 50 streams on.
// Its cost follows the load: a wake-up of the idle process costs about as
// much CPU as one to two chunks do, and a stream reads from about a hundred
// chunks a second (a token every 10 ms) to thousands, so the probe stays a
// small share of the client's work at one stream as at a thousand
// (BenchmarkClientCostOneStream in loadgen); a client near saturation,
// which needs many streams, is sampled at the full rate.
const ClientTickHzPerStream = 4

// clientIdleTick is how often a load-aware probe wakes with no stream in
// flight.
const clientIdleTick = time.Second

// SaturationLagMs bounds the scheduling lag's p99: above 1 ms, the tail of
// the timestamps is late by more than the harness's timing-fidelity target
// (1 ms p99), whatever the server's pace.
const SaturationLagMs = 1.0

// SaturationITLFraction bounds the scheduling lag's median against the
// point's median ITL: when the typical token is read later than 10 % of the
// typical gap between tokens, the medians the gate judges (ITL, TPOT) move
// with the client, and tokens start to be read in bunches. The median lag,
// not its p99, is held to it, because the machine's occasional hiccups
// (another process on the core) reach the tail of a sub-millisecond lag
// without moving any median.
const SaturationITLFraction = 0.10

// MinTailSamples is the fewest lag samples whose p99 is held to
// SaturationLagMs (half a second of ticks). The p99 of fewer samples is
// their maximum, which one hiccup of the machine sets; a shorter point has
// its median lag held to SaturationLagMs instead.
const MinTailSamples = 100

// maxLagSamples bounds the lag samples kept (4 MB); beyond it a uniform
// reservoir of the samples is kept, which leaves the percentiles unbiased.
const maxLagSamples = 1 << 20

// ClientHealth is what the client probe found over one point. A point whose
// client was saturated measured the client as well as the server: its
// latencies are suspect.
type ClientHealth struct {
	// SchedLagP50Ms and SchedLagP99Ms are percentiles of the scheduling
	// lag: how long a goroutine woken by the network poller, as a stream's
	// goroutine is when its chunk arrives, waited before it ran.
	SchedLagP50Ms float64 `json:"sched_lag_p50_ms"`
	SchedLagP99Ms float64 `json:"sched_lag_p99_ms"`
	// SchedLagMaxMs is the largest lag seen.
	SchedLagMaxMs float64 `json:"sched_lag_max_ms"`
	// LagSamples is the number of wake-ups measured.
	LagSamples int `json:"sched_lag_samples"`
	// CPUSeconds is the process's CPU time (user + system) over the point;
	// absent where the platform does not tell.
	CPUSeconds float64 `json:"cpu_s,omitempty"`
	// CPUPercent is CPUSeconds over the point's wall time, in percent of
	// one core (up to GOMAXPROCS x 100).
	CPUPercent float64 `json:"cpu_percent,omitempty"`
	// GOMAXPROCS is the number of cores the client could use.
	GOMAXPROCS int `json:"gomaxprocs"`
	// DurationS is the wall time the probe ran.
	DurationS float64 `json:"duration_s"`
	// SaturationBoundMs is the bound SchedLagP99Ms is held to
	// (SaturationLagMs).
	SaturationBoundMs float64 `json:"saturation_bound_ms"`
	// SaturationP50BoundMs is the bound SchedLagP50Ms is held to: 10 % of
	// the point's median ITL; absent when the median ITL is unknown or 0.
	SaturationP50BoundMs float64 `json:"saturation_p50_bound_ms,omitempty"`
	// BunchedTokens is true when the point measured inter-token gaps and
	// their median was 0: the tokens were read in bunches, so the client
	// (or the server's release of tokens) did not keep the pace the ITLs
	// are meant to show.
	BunchedTokens bool `json:"bunched_tokens,omitempty"`
	// Saturated is true when SchedLagP99Ms exceeds SaturationBoundMs (the
	// median lag, below MinTailSamples samples), SchedLagP50Ms exceeds
	// SaturationP50BoundMs, or the tokens were bunched (BunchedTokens).
	Saturated bool `json:"saturated"`
	// Chunks is the number of streamed messages the client read over the
	// probe's time (CountChunks), 0 when not counted.
	Chunks int `json:"chunks,omitempty"`
	// CPUMicrosPerChunk is CPUSeconds per chunk in µs: the whole process's
	// CPU time (load generator, probes, HTTP, runtime) over the messages it
	// read; absent without a CPU time or chunks.
	CPUMicrosPerChunk float64 `json:"cpu_us_per_chunk,omitempty"`
}

// CountChunks records that the client read n streamed messages while the
// probe ran, and the CPU time per message.
func (h *ClientHealth) CountChunks(n int) {
	h.Chunks, h.CPUMicrosPerChunk = n, 0
	if n > 0 && h.CPUSeconds > 0 {
		h.CPUMicrosPerChunk = h.CPUSeconds * 1e6 / float64(n)
	}
}

// Judge is JudgePoint without a count of inter-token gaps: a median ITL of
// 0 counts as unknown.
func (h *ClientHealth) Judge(medianITLMs float64) { h.JudgePoint(medianITLMs, 0) }

// JudgePoint sets the saturation verdict for a point whose median ITL was
// medianITLMs over itlGaps inter-token gaps: the client is saturated when
// the lag p99 exceeds 1 ms (SaturationLagMs), the median lag exceeds 10 %
// of the median ITL (SaturationITLFraction), or the median ITL of some
// gaps is 0 (tokens read in bunches, which the bound against the ITL can
// no longer see). Without gaps (one-token outputs, unknown) only the first
// bound holds. With fewer than MinTailSamples samples the median lag, not
// the p99, is held to 1 ms.
func (h *ClientHealth) JudgePoint(medianITLMs float64, itlGaps int) {
	h.SaturationBoundMs, h.SaturationP50BoundMs = SaturationLagMs, 0
	if medianITLMs > 0 {
		h.SaturationP50BoundMs = SaturationITLFraction * medianITLMs
	}
	h.BunchedTokens = itlGaps > 0 && medianITLMs <= 0
	tail := h.SchedLagP99Ms
	if h.LagSamples < MinTailSamples {
		tail = h.SchedLagP50Ms
	}
	h.Saturated = h.BunchedTokens || h.LagSamples > 0 && (tail > h.SaturationBoundMs ||
		h.SaturationP50BoundMs > 0 && h.SchedLagP50Ms > h.SaturationP50BoundMs)
}

// Warning is the one-line warning for a point measured by a saturated
// client, or "" when the client kept up.
func (h ClientHealth) Warning() string {
	if !h.Saturated {
		return ""
	}
	var lag string
	switch {
	case h.LagSamples >= MinTailSamples && h.SchedLagP99Ms > h.SaturationBoundMs:
		lag = fmt.Sprintf("scheduling lag p99 %s ms > %s ms", ms(h.SchedLagP99Ms), ms(h.SaturationBoundMs))
	case h.LagSamples > 0 && h.LagSamples < MinTailSamples && h.SchedLagP50Ms > h.SaturationBoundMs:
		lag = fmt.Sprintf("scheduling lag p50 %s ms > %s ms", ms(h.SchedLagP50Ms), ms(h.SaturationBoundMs))
	case h.SaturationP50BoundMs > 0 && h.SchedLagP50Ms > h.SaturationP50BoundMs:
		lag = fmt.Sprintf("scheduling lag p50 %s ms > %s ms, 10 %% of the median ITL", ms(h.SchedLagP50Ms), ms(h.SaturationP50BoundMs))
	default:
		lag = fmt.Sprintf("median ITL 0 ms: tokens read in bunches, scheduling lag p50 %s ms", ms(h.SchedLagP50Ms))
	}
	cpu := ""
	if h.CPUPercent > 0 {
		cpu = fmt.Sprintf(", CPU %.0f %% of %d cores", h.CPUPercent, h.GOMAXPROCS)
	}
	return fmt.Sprintf("client saturated (%s%s): latencies are suspect", lag, cpu)
}

// ClientProbe measures the client's health while a point runs: every tick
// (ClientTick, or slower at a light load) a goroutine writes the time into
// a pipe, and another goroutine, blocked on the pipe's read end as stream
// goroutines are on their sockets, notes how late it woke; the process's
// CPU time is read at the start and the end.
type ClientProbe struct {
	start  time.Time
	cpu0   time.Duration
	cpuOK  bool
	cancel context.CancelFunc
	wg     sync.WaitGroup
	once   sync.Once
	health ClientHealth

	// streams reports the streams in flight; nil ticks at ClientTick.
	streams func() int

	mu      sync.Mutex
	lags    []float64 // ms
	seen    int
	keepMax int // maxLagSamples, smaller in tests
	rng     *rand.Rand
}

// StartClient starts a client probe that wakes every ClientTick; it runs
// until Stop or the end of ctx. Where the pipe cannot be made, the probe
// measures CPU use only.
func StartClient(ctx context.Context) *ClientProbe { return StartClientLoad(ctx, nil) }

// StartClientLoad starts a client probe whose wake-ups follow the load:
// ClientTickHzPerStream a second per stream in flight (streams reports
// them), at most one every ClientTick, one a second when none is in
// flight. A nil streams ticks at ClientTick.
func StartClientLoad(ctx context.Context, streams func() int) *ClientProbe {
	ctx, cancel := context.WithCancel(ctx)
	p := &ClientProbe{start: time.Now(), streams: streams, cancel: cancel, keepMax: maxLagSamples, rng: rand.New(rand.NewPCG(1, 2))}
	p.cpu0, p.cpuOK = processCPU()
	r, w, err := os.Pipe()
	if err != nil {
		return p
	}
	p.wg.Go(func() { p.read(r) })
	p.wg.Go(func() { p.tick(ctx, w) })
	return p
}

// tick writes the time since start into w every nextTick until ctx ends,
// then closes w, which ends read.
func (p *ClientProbe) tick(ctx context.Context, w *os.File) {
	defer w.Close()
	t := time.NewTimer(p.nextTick())
	defer t.Stop()
	var b [8]byte
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			binary.LittleEndian.PutUint64(b[:], uint64(time.Since(p.start)))
			if _, err := w.Write(b[:]); err != nil {
				return
			}
			t.Reset(p.nextTick())
		}
	}
}

// nextTick is the time to the next wake-up at the load now.
func (p *ClientProbe) nextTick() time.Duration {
	if p.streams == nil {
		return ClientTick
	}
	return tickInterval(p.streams())
}

// tickInterval is a load-aware probe's time between wake-ups with streams in
// flight: a second over ClientTickHzPerStream x streams, no shorter than
// ClientTick, clientIdleTick with none.
func tickInterval(streams int) time.Duration {
	if streams <= 0 {
		return clientIdleTick
	}
	return max(time.Second/time.Duration(ClientTickHzPerStream*streams), ClientTick)
}

// read takes the times from r and notes each one's lag until r ends.
func (p *ClientProbe) read(r *os.File) {
	defer r.Close()
	var b [8]byte
	for {
		if _, err := io.ReadFull(r, b[:]); err != nil {
			return
		}
		lag := time.Since(p.start) - time.Duration(binary.LittleEndian.Uint64(b[:]))
		p.add(float64(lag) / float64(time.Millisecond))
	}
}

// add keeps one lag sample, in a uniform reservoir beyond maxLagSamples.
func (p *ClientProbe) add(lagMs float64) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.seen++
	if len(p.lags) < p.keepMax {
		p.lags = append(p.lags, lagMs)
		return
	}
	if k := p.rng.IntN(p.seen); k < p.keepMax {
		p.lags[k] = lagMs
	}
}

// Stop ends the probe and returns what it found, judged against the
// absolute bound only; call Judge with the point's median ITL for the full
// verdict. Later calls return the same.
func (p *ClientProbe) Stop() ClientHealth {
	p.once.Do(func() { p.health = p.stop() })
	return p.health
}

// stop ends the probe and sums up.
func (p *ClientProbe) stop() ClientHealth {
	p.cancel()
	p.wg.Wait()
	h := ClientHealth{GOMAXPROCS: runtime.GOMAXPROCS(0), DurationS: time.Since(p.start).Seconds()}
	if cpu1, ok := processCPU(); ok && p.cpuOK {
		h.CPUSeconds = (cpu1 - p.cpu0).Seconds()
		if h.DurationS > 0 {
			h.CPUPercent = 100 * h.CPUSeconds / h.DurationS
		}
	}
	p.mu.Lock()
	lags := slices.Clone(p.lags)
	h.LagSamples = p.seen
	p.mu.Unlock()
	if len(lags) > 0 {
		slices.Sort(lags)
		h.SchedLagP50Ms = quantile(lags, 0.50)
		h.SchedLagP99Ms = quantile(lags, 0.99)
		h.SchedLagMaxMs = lags[len(lags)-1]
	}
	h.Judge(0)
	return h
}

// quantile is the nearest-rank q-quantile of sorted values.
func quantile(sorted []float64, q float64) float64 {
	i := int(q*float64(len(sorted))+0.5) - 1
	return sorted[min(max(i, 0), len(sorted)-1)]
}
