package runner

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/vllm-bench-action/vllm-bench-action/internal/loadgen"
)

func TestStallCause(t *testing.T) {
	stall := fmt.Errorf("round stopped after 4 of 8 requests: %w", &loadgen.StallError{Timeout: time.Minute})
	healthy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	defer healthy.Close()
	dead := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusServiceUnavailable)
	}))
	defer dead.Close()
	closed := httptest.NewServer(http.NotFoundHandler())
	closed.Close()

	tests := []struct {
		name, url, want string
	}{
		{"alive", healthy.URL + "/health", "server stalled: no token for 60s; /health answered 200 OK in "},
		{"unhealthy", dead.URL + "/health", "server stalled: no token for 60s; /health answered 503 Service Unavailable in "},
		{"gone", closed.URL + "/health", "server stalled: no token for 60s; /health failed: "},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := stallCause(context.Background(), stall, tt.url)
			if !strings.HasPrefix(err.Error(), tt.want) || !errors.Is(err, loadgen.ErrStalled) {
				t.Errorf("stallCause = %q, want it to start with %q and match ErrStalled", err, tt.want)
			}
			if hint := strings.Contains(err.Error(), "raise bench.stall_timeout"); hint != (tt.name == "alive") {
				t.Errorf("stallCause = %q: the stall_timeout hint only when /health answers 200", err)
			}
		})
	}
	other := errors.New("connection refused")
	if got := stallCause(context.Background(), other, healthy.URL); got != other {
		t.Errorf("stallCause of another error = %v, want it unchanged", got)
	}
}
