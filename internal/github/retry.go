package github

import (
	"errors"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"

	gh "github.com/google/go-github/v60/github"
)

// Retry defaults, used where RetryPolicy's fields are zero.
const (
	// DefaultAttempts is how many times one comment update is tried.
	DefaultAttempts = 5
	// DefaultBaseDelay is the wait after the first failure; it doubles.
	DefaultBaseDelay = time.Second
	// DefaultMaxDelay caps one wait, also one asked for by Retry-After.
	DefaultMaxDelay = time.Minute
)

// RetryPolicy bounds the retries of a comment update. The zero value means
// the defaults above.
type RetryPolicy struct {
	// Attempts is the number of tries in all, at least 1.
	Attempts int
	// BaseDelay is the first wait; each later one doubles, up to MaxDelay.
	BaseDelay time.Duration
	// MaxDelay caps each wait.
	MaxDelay time.Duration
}

func (p RetryPolicy) withDefaults() RetryPolicy {
	if p.Attempts <= 0 {
		p.Attempts = DefaultAttempts
	}
	if p.BaseDelay <= 0 {
		p.BaseDelay = DefaultBaseDelay
	}
	if p.MaxDelay <= 0 {
		p.MaxDelay = DefaultMaxDelay
	}
	return p
}

// backoff is the wait before try number attempt+1 (attempt counts from 0).
func (p RetryPolicy) backoff(attempt int) time.Duration {
	d := p.BaseDelay
	for range attempt {
		d *= 2
		if d >= p.MaxDelay {
			return p.MaxDelay
		}
	}
	return min(d, p.MaxDelay)
}

// retryWait says whether err is worth another try and how long to wait:
// server errors (5xx), secondary rate limits (403/429 with Retry-After or
// GitHub's secondary-rate-limit message), a primary rate limit that resets
// within MaxDelay, and network errors. Anything else, permission errors
// included, is final.
func (p RetryPolicy) retryWait(err error, attempt int) (time.Duration, bool) {
	var abuse *gh.AbuseRateLimitError
	var primary *gh.RateLimitError
	var resp *gh.ErrorResponse
	var netErr net.Error
	switch {
	case errors.As(err, &abuse):
		if abuse.RetryAfter != nil {
			return p.clamp(*abuse.RetryAfter), true
		}
		return p.backoff(attempt), true
	case errors.As(err, &primary):
		wait := time.Until(primary.Rate.Reset.Time)
		if wait <= 0 {
			return p.backoff(attempt), true
		}
		return wait, wait <= p.MaxDelay
	case errors.As(err, &resp):
		if resp.Response == nil {
			return 0, false
		}
		if d, ok := retryAfter(resp.Response); ok && isRateLimited(resp) {
			return p.clamp(d), true
		}
		if isRateLimited(resp) || resp.Response.StatusCode >= 500 {
			return p.backoff(attempt), true
		}
		return 0, false
	case errors.As(err, &netErr):
		return p.backoff(attempt), true
	}
	return 0, false
}

// clamp keeps a server-asked wait within [0, MaxDelay].
func (p RetryPolicy) clamp(d time.Duration) time.Duration {
	return max(0, min(d, p.MaxDelay))
}

// isRateLimited reports whether an error answer is a (secondary) rate limit
// rather than a refusal: a 429, or a 403 with Retry-After, with no requests
// remaining, or with GitHub's rate-limit message.
func isRateLimited(resp *gh.ErrorResponse) bool {
	r := resp.Response
	switch r.StatusCode {
	case http.StatusTooManyRequests:
		return true
	case http.StatusForbidden:
		msg := strings.ToLower(resp.Message)
		return r.Header.Get("Retry-After") != "" ||
			r.Header.Get("X-RateLimit-Remaining") == "0" ||
			strings.Contains(msg, "rate limit") ||
			strings.Contains(msg, "abuse")
	}
	return false
}

// retryAfter reads a Retry-After header given in seconds.
func retryAfter(r *http.Response) (time.Duration, bool) {
	s, err := strconv.Atoi(strings.TrimSpace(r.Header.Get("Retry-After")))
	if err != nil || s < 0 {
		return 0, false
	}
	return time.Duration(s) * time.Second, true
}
