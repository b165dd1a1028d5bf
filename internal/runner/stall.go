package runner

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/vllm-bench-action/vllm-bench-action/internal/loadgen"
)

// stallHealthTimeout bounds the /health check that follows a stall: a hung
// server often stops answering it too.
const stallHealthTimeout = 5 * time.Second

// stallCause turns a round's stall into the cause recorded for the point and
// the server's remaining points: the stall, then what /health says now, e.g.
// "server stalled: no token for 60s; /health did not answer within 5s".
// Other errors are returned as they are.
func stallCause(ctx context.Context, err error, healthURL string) error {
	var stall *loadgen.StallError
	if !errors.As(err, &stall) || healthURL == "" {
		return err
	}
	state, ok := healthState(ctx, healthURL)
	if ok {
		// Alive but silent: a prefill longer than the timeout looks the same.
		state += " (if prefills run longer than that, raise bench.stall_timeout)"
	}
	return fmt.Errorf("%w; /health %s", stall, state)
}

// healthState says in a few words how GET healthURL answers; ok is true
// for 200.
func healthState(ctx context.Context, healthURL string) (state string, ok bool) {
	ctx, cancel := context.WithTimeout(ctx, stallHealthTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, healthURL, nil)
	if err != nil {
		return fmt.Sprintf("could not be asked: %v", err), false
	}
	start := time.Now()
	resp, err := http.DefaultClient.Do(req)
	switch {
	case errors.Is(ctx.Err(), context.DeadlineExceeded):
		return fmt.Sprintf("did not answer within %s", stallHealthTimeout), false
	case err != nil:
		return fmt.Sprintf("failed: %v", err), false
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 4<<10))
	return fmt.Sprintf("answered %s in %d ms", resp.Status, time.Since(start).Milliseconds()), resp.StatusCode == http.StatusOK
}
