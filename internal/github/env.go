package github

import (
	"context"
	"io"
	"net/http"
	"os"
	"time"
)

// Env is what this package may touch of the outside world. The zero value
// means the real process: os.Getenv, os.Stdout, a default HTTP client and
// real sleeping.
type Env struct {
	// Getenv reads an environment variable; it also resolves the paths of
	// GITHUB_OUTPUT, GITHUB_STEP_SUMMARY and GITHUB_EVENT_PATH.
	Getenv func(string) string
	// Stdout receives workflow commands (::group::, ::error::, ...).
	Stdout io.Writer
	// HTTPClient talks to the GitHub REST API.
	HTTPClient *http.Client
	// Sleep waits between retries; it returns early with ctx's error.
	Sleep func(ctx context.Context, d time.Duration) error
}

// DefaultHTTPTimeout bounds one request to the GitHub API when Env has no
// HTTP client.
const DefaultHTTPTimeout = 30 * time.Second

// withDefaults fills the unset fields of e with the real process.
func (e Env) withDefaults() Env {
	if e.Getenv == nil {
		e.Getenv = os.Getenv
	}
	if e.Stdout == nil {
		e.Stdout = os.Stdout
	}
	if e.HTTPClient == nil {
		e.HTTPClient = &http.Client{Timeout: DefaultHTTPTimeout}
	}
	if e.Sleep == nil {
		e.Sleep = sleep
	}
	return e
}

// sleep waits for d or until ctx is done.
func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
