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
	return fmt.Errorf("%w; /health %s", stall, healthState(ctx, healthURL))
}

// healthState says in a few words how GET healthURL answers.
func healthState(ctx context.Context, healthURL string) string {
	ctx, cancel := context.WithTimeout(ctx, stallHealthTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, healthURL, nil)
	if err != nil {
		return fmt.Sprintf("could not be asked: %v", err)
	}
	start := time.Now()
	resp, err := http.DefaultClient.Do(req)
	switch {
	case errors.Is(ctx.Err(), context.DeadlineExceeded):
		return fmt.Sprintf("did not answer within %s", stallHealthTimeout)
	case err != nil:
		return fmt.Sprintf("failed: %v", err)
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 4<<10))
	return fmt.Sprintf("answered %s in %d ms", resp.Status, time.Since(start).Milliseconds())
}
