package probe

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"time"
)

// DefaultGaugeInterval is how often the gauges are sampled while a round
// runs.
const DefaultGaugeInterval = time.Second

// DefaultFirstGaugeDelay is how long after a round's start the first gauge
// sample is taken, so that a round shorter than DefaultGaugeInterval still
// gets one sample under load.
const DefaultFirstGaugeDelay = 250 * time.Millisecond

// DefaultScrapeTimeout bounds one GET of /metrics.
const DefaultScrapeTimeout = 3 * time.Second

// maxMetricsBytes bounds the body read from /metrics.
const maxMetricsBytes = 32 << 20

// ServerOptions configures a ServerProbe; the zero value means the
// defaults.
type ServerOptions struct {
	// Client makes the scrapes; nil means a client with
	// DefaultScrapeTimeout.
	Client *http.Client
	// GaugeInterval is the period of gauge samples during a round; zero
	// means DefaultGaugeInterval.
	GaugeInterval time.Duration
	// FirstGaugeDelay is the delay of the first gauge sample after a
	// round's start; zero means DefaultFirstGaugeDelay.
	FirstGaugeDelay time.Duration
	// SharedHost records the simulator's late steps without judging them
	// (see SharedHostVar).
	SharedHost bool
}

// ServerProbe scrapes one server's Prometheus /metrics around the timed
// rounds of a point and folds the scrapes into a ServerMetrics block. A
// failed scrape is counted and noted, never returned as an error. Its
// methods are safe for concurrent use.
type ServerProbe struct {
	url string
	opt ServerOptions
	mu  sync.Mutex
	acc serverAcc
}

// NewServerProbe returns a probe of baseURL + "/metrics".
func NewServerProbe(baseURL string, opt ServerOptions) *ServerProbe {
	if opt.Client == nil {
		opt.Client = &http.Client{Timeout: DefaultScrapeTimeout}
	}
	if opt.GaugeInterval <= 0 {
		opt.GaugeInterval = DefaultGaugeInterval
	}
	if opt.FirstGaugeDelay <= 0 {
		opt.FirstGaugeDelay = DefaultFirstGaugeDelay
	}
	return &ServerProbe{url: strings.TrimRight(baseURL, "/") + "/metrics", opt: opt, acc: serverAcc{sharedHost: opt.SharedHost}}
}

// ServerRound is one timed round being sampled; End finishes it.
type ServerRound struct {
	p      *ServerProbe
	before snapshot
	stop   context.CancelFunc
	done   chan struct{}
}

// BeginRound scrapes /metrics once (the "before" scrape) and samples the
// gauges in the background until End. Call it just before the round's
// first request and End just after its last one.
func (p *ServerProbe) BeginRound(ctx context.Context) *ServerRound {
	r := &ServerRound{p: p, done: make(chan struct{})}
	r.before = p.scrape(ctx)
	tickCtx, stop := context.WithCancel(ctx)
	r.stop = stop
	if r.before == nil {
		close(r.done) // no /metrics now: no use polling it every second
		return r
	}
	go func() {
		defer close(r.done)
		r.sampleGauges(tickCtx)
	}()
	return r
}

// sampleGauges scrapes the gauges until ctx ends: the first time after
// FirstGaugeDelay, then every GaugeInterval.
func (r *ServerRound) sampleGauges(ctx context.Context) {
	t := time.NewTimer(r.p.opt.FirstGaugeDelay)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		if s := r.p.scrape(ctx); s != nil {
			r.p.mu.Lock()
			r.p.acc.addGauges(s)
			r.p.mu.Unlock()
		}
		t.Reset(r.p.opt.GaugeInterval)
	}
}

// End stops the gauge samples, scrapes /metrics once more (the "after"
// scrape) and folds the round into the probe's block. ctx bounds only the
// after scrape.
func (r *ServerRound) End(ctx context.Context) {
	r.stop()
	<-r.done
	after := r.p.scrape(ctx)
	if r.before == nil || after == nil {
		return
	}
	r.p.mu.Lock()
	defer r.p.mu.Unlock()
	r.p.acc.addRound(r.before, after)
}

// Metrics returns the block over every round ended so far.
func (p *ServerProbe) Metrics() ServerMetrics {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.acc.block()
}

// scrape GETs and parses /metrics; a failure is counted, noted and gives nil.
func (p *ServerProbe) scrape(ctx context.Context) snapshot {
	s, err := p.get(ctx)
	p.mu.Lock()
	defer p.mu.Unlock()
	if err != nil {
		if ctx.Err() == nil { // a cancelled gauge sample is no failure
			p.acc.failed++
			p.acc.note("%v", err)
		}
		return nil
	}
	p.acc.scrapes++
	return s
}

func (p *ServerProbe) get(ctx context.Context) (snapshot, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, p.url, nil)
	if err != nil {
		return nil, fmt.Errorf("server metrics %q: %w", p.url, err)
	}
	req.Header.Set("Accept", "text/plain;version=0.0.4")
	resp, err := p.opt.Client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("server metrics: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
		return nil, fmt.Errorf("server metrics: GET %q: %s", p.url, resp.Status)
	}
	s, err := parseExposition(io.LimitReader(resp.Body, maxMetricsBytes))
	if err != nil {
		return nil, fmt.Errorf("server metrics %q: %w", p.url, err)
	}
	return s, nil
}
