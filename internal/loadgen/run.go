package loadgen

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"time"
)

// Load is one round of requests against the server.
type Load struct {
	// Prompts makes the prompts; request k of the round sends prompt
	// FirstPrompt + k.
	Prompts     *PromptSet
	FirstPrompt int
	// N is the number of requests.
	N int
	// OutputLen is max_tokens (max_completion_tokens for chat).
	OutputLen int
	// Concurrency caps the requests in flight; with RequestRate 0 it is a
	// closed loop of that many requests. Values < 1 mean 1.
	Concurrency int
	// RequestRate is the mean arrival rate in requests per second; 0 sends
	// every request as soon as a slot is free.
	RequestRate float64
	// Burstiness is the gamma shape of the arrival gaps (see Schedule).
	Burstiness float64
	// Seed makes the arrival schedule reproducible.
	Seed int64
	// Enough, when set, is asked before each request is sent, once its
	// slot is free: true ends the round there. No later request is sent;
	// those in flight finish and are recorded. Run calls it from one
	// goroutine, not the sink's.
	Enough func() bool
}

// Round is what a round of requests reports besides its records.
type Round struct {
	// Start is the round's origin: the wall-clock instant just before the
	// first request was dispatched.
	Start time.Time
	// DurationS runs from the origin to the end of the last request.
	DurationS float64
	// Sent is the number of requests sent.
	Sent int
}

// Run sends the requests of l and calls sink once per request, from one
// goroutine, as requests finish. It returns an error only when ctx ends
// before every request was sent and finished, or when the server stalls
// (no stream received anything for the client's stall timeout; the error
// then matches ErrStalled and holds a *StallError); requests in flight then
// end promptly as failed records, and the records of finished requests have
// been delivered. Failed requests are records with Error set, not errors.
func (c *Client) Run(parent context.Context, l Load, sink func(Record)) (Round, error) {
	ctx, cancel := context.WithCancelCause(parent)
	defer cancel(nil)
	schedule := Schedule(l.Seed, l.N, l.RequestRate, l.Burstiness)
	slots := make(chan struct{}, max(l.Concurrency, 1))
	records := make(chan Record, max(l.Concurrency, 1))
	path := requestPath(l.Prompts.Endpoint)

	var round Round
	collected := make(chan struct{})
	go func() {
		defer close(collected)
		for rec := range records {
			round.DurationS = max(round.DurationS, rec.EndS)
			if sink != nil {
				sink(rec)
			}
		}
	}()

	var wg, inFlight sync.WaitGroup
	origin := time.Now()
	round.Start = origin
	var watch *stallWatch
	if c.stall > 0 {
		watch = &stallWatch{origin: origin, timeout: c.stall}
		wg.Go(func() { watch.run(ctx, cancel) })
	}
	timer := time.NewTimer(0)
	<-timer.C
dispatch:
	for i := range l.N {
		due := origin.Add(schedule[i])
		if wait := time.Until(due); wait > 0 {
			timer.Reset(wait)
			select {
			case <-timer.C:
			case <-ctx.Done():
				timer.Stop()
				break dispatch
			}
		}
		select {
		case slots <- struct{}{}:
		case <-ctx.Done():
			break dispatch
		}
		if l.Enough != nil && l.Enough() {
			<-slots
			break dispatch
		}
		queueS := max(time.Since(due).Seconds(), 0)
		prompt := l.Prompts.Prompt(l.FirstPrompt + i)
		body, err := requestBody(l.Prompts.Model, l.Prompts.Endpoint, prompt, l.OutputLen)
		round.Sent++
		inFlight.Add(1)
		wg.Go(func() {
			defer inFlight.Done()
			defer func() { <-slots }()
			var rec Record
			if err != nil {
				now := time.Since(origin).Seconds()
				rec = Record{StartS: now, EndS: now, Error: fmt.Sprintf("encoding the request: %v", err)}
			} else {
				rec = c.stream(ctx, path, body, origin, l.OutputLen, watch)
			}
			rec.Index, rec.QueueS = i, queueS
			if rec.PromptTokens == 0 {
				rec.PromptTokens = prompt.Len
			}
			records <- rec
		})
	}
	inFlight.Wait()
	close(records)
	<-collected
	cancel(nil) // ends the watchdog
	wg.Wait()
	// The round's own cancel(nil) above is no failure; a stall or the end
	// of parent is.
	if err := context.Cause(ctx); (err != nil && !errors.Is(err, context.Canceled)) || parent.Err() != nil {
		return round, fmt.Errorf("round stopped after %d of %d requests: %w", round.Sent, l.N, err)
	}
	return round, nil
}

// stream sends one streamed request and measures it; watch, when not nil,
// hears of its signs of life.
func (c *Client) stream(parent context.Context, path string, body []byte, origin time.Time, outputLen int, watch *stallWatch) Record {
	ctx, cancel := context.WithTimeout(parent, c.timeout)
	defer cancel()
	c.streams.Add(1)
	defer c.streams.Add(-1)
	var rec Record
	fail := func(err error) Record {
		rec.EndS = time.Since(origin).Seconds()
		switch {
		case errors.Is(context.Cause(parent), ErrStalled):
			rec.Error = fmt.Sprintf("cancelled: %v", context.Cause(parent))
		case parent.Err() != nil:
			rec.Error = fmt.Sprintf("cancelled: %v", err)
		case errors.Is(ctx.Err(), context.DeadlineExceeded):
			rec.Error = fmt.Sprintf("request timed out after %s: %v", c.timeout, err)
		default:
			rec.Error = err.Error()
		}
		return rec
	}
	var sent time.Time
	clock := time.Now
	if watch != nil {
		watch.begin(time.Now())
		defer watch.end()
		clock = watch.clock()
	}
	// A retry on a fresh connection starts the request's clock again.
	resp, retried, err := c.send(ctx, http.MethodPost, path, body,
		func(req *http.Request) { req.Header.Set("Accept", "text/event-stream") },
		func() { sent = time.Now(); rec.StartS = sent.Sub(origin).Seconds() })
	rec.Retried = retried
	if err != nil {
		return fail(err)
	}
	if watch != nil {
		watch.alive(time.Now())
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fail(statusError(resp))
	}
	// Every request asks for usage (stream_options.include_usage).
	st := streamState{sent: sent, needUsage: true, itls: make([]float32, 0, min(max(outputLen-1, 0), 8192))}
	if err := readStream(resp.Body, clock, &st); err != nil {
		return fail(err)
	}
	if st.chunks == 0 {
		return fail(errors.New("the stream ended without a message with choices"))
	}
	rec.EndS = time.Since(origin).Seconds()
	rec.TTFTS, rec.LatencyS, rec.ITLsS = st.ttftS, st.latencyS, st.itls
	rec.PromptTokens, rec.CompletionTokens = st.promptTok, st.complTok
	rec.Usage = st.hasUsage && st.complTok > 0
	if !rec.Usage {
		rec.CompletionTokens = st.chunks
	}
	return rec
}
