package sim

import (
	"context"
	"io"
	"net/http"
	"sync"
	"time"
)

// statsInterval is how often the engine logs its throughput line, like
// vLLM's periodic "Avg prompt throughput" log.
const statsInterval = 10 * time.Second

// maxBodyBytes bounds a request body.
const maxBodyBytes = 64 << 20

// server is the OpenAI-compatible API over the simulated engine replicas.
type server struct {
	opts     options
	plan     plan
	log      *logger
	tok      *tokenizer
	faults   *faults
	replicas []*replica
	clk      clock
	seed     uint64
	created  int64 // unix time the models were "loaded"

	reqMu  sync.Mutex
	reqSeq uint64

	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup
}

// newServer builds the server for a plan; seed drives every random draw and
// speed is the per-process speed factor. Nothing runs until start.
func newServer(o options, p plan, lg *logger, seed uint64, speed float64) *server {
	ctx, cancel := context.WithCancel(context.Background())
	s := &server{
		opts:    o,
		plan:    p,
		log:     lg,
		tok:     newTokenizer(),
		faults:  newFaults(&o, newRand(seed, 1)),
		clk:     clock{base: time.Now(), speedup: o.SimSpeedup},
		seed:    seed,
		created: time.Now().Unix(),
		ctx:     ctx,
		cancel:  cancel,
	}
	cfg := p.engineConfig(speed * o.SimSlowdown)
	cfg.driftOffsetS = driftOffsetS(s.clk, o.SimDriftEpoch)
	for i := 0; i < p.replicas; i++ {
		eng := newEngine(cfg, newRand(seed, uint64(100+i)))
		s.replicas = append(s.replicas, newReplica(eng, s.clk, func(msg string) { lg.warnf("sim", "%s", msg) }))
	}
	return s
}

// start runs the replica loops and the periodic stats log.
func (s *server) start() {
	for _, r := range s.replicas {
		s.wg.Add(1)
		go func() {
			defer s.wg.Done()
			r.run(s.ctx, s.faults.hung)
		}()
	}
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		s.logStats()
	}()
}

// stop ends the loops and releases every waiting handler.
func (s *server) stop() {
	s.cancel()
	s.wg.Wait()
}

// logStats logs throughput and queue lengths every statsInterval while
// there is activity.
func (s *server) logStats() {
	t := time.NewTicker(statsInterval)
	defer t.Stop()
	var last statsTotals
	for {
		select {
		case <-s.ctx.Done():
			return
		case <-t.C:
		}
		cur := s.totals()
		sec := statsInterval.Seconds()
		if cur.promptTokens != last.promptTokens || cur.generationTokens != last.generationTokens || cur.running > 0 || cur.waiting > 0 {
			s.log.infof("loggers.py", "Engine 000: Avg prompt throughput: %.1f tokens/s, Avg generation throughput: %.1f tokens/s, Running: %d reqs, Waiting: %d reqs, GPU KV cache usage: %.1f%%, Prefix cache hit rate: 0.0%%",
				(cur.promptTokens-last.promptTokens)/sec, (cur.generationTokens-last.generationTokens)/sec, cur.running, cur.waiting, 100*cur.kvUsage)
		}
		last = cur
	}
}

// statsTotals is the replicas' state summed for the stats log.
type statsTotals struct {
	promptTokens, generationTokens float64
	running, waiting               int
	kvUsage                        float64 // mean over replicas
}

// totals sums the replicas' state.
func (s *server) totals() statsTotals {
	var t statsTotals
	for _, r := range s.replicas {
		r.met.mu.Lock()
		st := &r.met.st
		t.promptTokens += st.promptTokens
		t.generationTokens += st.generationTokens
		t.running += st.running
		t.waiting += st.waiting
		t.kvUsage += st.kvUsage
		r.met.mu.Unlock()
	}
	t.kvUsage /= float64(len(s.replicas))
	return t
}

// pickReplica routes to the replica holding the fewest sequences.
func (s *server) pickReplica() *replica {
	best := s.replicas[0]
	for _, r := range s.replicas[1:] {
		if r.size.Load() < best.size.Load() {
			best = r
		}
	}
	return best
}

// nextRequest returns a fresh request number and its seed.
func (s *server) nextRequest() (n uint64, seed uint64) {
	s.reqMu.Lock()
	s.reqSeq++
	n = s.reqSeq
	s.reqMu.Unlock()
	return n, splitmix64(s.seed ^ n*0x9e3779b97f4a7c15)
}

// handler returns the API routes. Once the server hangs, every route stops
// answering until the server stops.
func (s *server) handler() http.Handler {
	routes := []struct {
		method, path string
		handle       http.HandlerFunc
	}{
		{http.MethodGet, "/health", s.handleHealth},
		{http.MethodGet, "/version", s.handleVersion},
		{http.MethodGet, "/v1/models", s.handleModels},
		{http.MethodGet, "/metrics", s.handleMetrics},
		{http.MethodPost, "/v1/completions", s.handleCompletions},
		{http.MethodPost, "/v1/chat/completions", s.handleChat},
		{http.MethodPost, "/tokenize", s.handleTokenize},
		{http.MethodPost, "/detokenize", s.handleDetokenize},
	}
	mux := http.NewServeMux()
	known := map[string]bool{}
	for _, rt := range routes {
		mux.HandleFunc(rt.method+" "+rt.path, rt.handle)
		known[rt.path] = true
	}
	// Unknown paths and wrong methods answer as vLLM's FastAPI server does.
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		if known[r.URL.Path] {
			writeJSON(w, http.StatusMethodNotAllowed, map[string]string{"detail": "Method Not Allowed"})
			return
		}
		writeJSON(w, http.StatusNotFound, map[string]string{"detail": "Not Found"})
	})
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if s.faults.isHung() {
			s.hang(r)
			return
		}
		r.Body = http.MaxBytesReader(w, r.Body, maxBodyBytes)
		mux.ServeHTTP(w, r)
	})
}

// hang blocks without answering until the client leaves or the server
// stops.
func (s *server) hang(r *http.Request) {
	select {
	case <-r.Context().Done():
	case <-s.ctx.Done():
	}
}

func (s *server) handleHealth(w http.ResponseWriter, r *http.Request) {
	w.WriteHeader(http.StatusOK)
}

func (s *server) handleVersion(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, map[string]string{"version": Version})
}

// modelCard is one entry of /v1/models.
type modelCard struct {
	ID          string  `json:"id"`
	Object      string  `json:"object"`
	Created     int64   `json:"created"`
	OwnedBy     string  `json:"owned_by"`
	Root        string  `json:"root"`
	Parent      *string `json:"parent"`
	MaxModelLen int     `json:"max_model_len"`
}

func (s *server) handleModels(w http.ResponseWriter, r *http.Request) {
	names := s.opts.ServedModelNames
	if len(names) == 0 {
		names = []string{s.opts.Model}
	}
	cards := make([]modelCard, 0, len(names))
	for _, n := range names {
		cards = append(cards, modelCard{ID: n, Object: "model", Created: s.created, OwnedBy: "vllm",
			Root: s.opts.Model, MaxModelLen: s.opts.MaxModelLen})
	}
	writeJSON(w, http.StatusOK, map[string]any{"object": "list", "data": cards})
}

func (s *server) handleMetrics(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
	engines := make([]engineStats, len(s.replicas))
	for i, r := range s.replicas {
		engines[i] = r.met.snapshot()
	}
	_, _ = io.WriteString(w, writeMetrics(s.opts.servedName(), engines))
}
