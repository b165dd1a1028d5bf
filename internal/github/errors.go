package github

import (
	"errors"
	"fmt"
	"net/http"

	gh "github.com/google/go-github/v60/github"
)

// PermissionError means the token may not read or write the PR comment: a
// 401, a 403 that is not a rate limit, or a 404 (what a token that cannot
// see the repository gets). Pull requests from forks get a read-only token,
// so this is expected there; callers turn it into a warning.
type PermissionError struct {
	// Op is what failed: "list comments", "create comment" or "edit comment".
	Op string
	// Repo is "owner/name"; PR the pull request number.
	Repo string
	PR   int
	// Status is the HTTP status GitHub answered.
	Status int
	// Message is GitHub's own message, e.g. "Resource not accessible by integration".
	Message string
	// Permission is the job permission that would allow Op.
	Permission string
}

// Error says what failed, which permission is missing and why fork pull
// requests cannot comment.
func (e *PermissionError) Error() string {
	what := fmt.Sprintf("cannot %s on %s#%d: GitHub answered %d %q", e.Op, e.Repo, e.PR, e.Status, e.Message)
	if e.Status == http.StatusUnauthorized {
		return what + ": the token was rejected; check the github-token input"
	}
	return what + fmt.Sprintf(": the token lacks the %s permission (%s also works); add it to the job's permissions."+
		" Pull requests from forks always get a read-only token, so for them the results are in the job summary only",
		e.Permission, issuesEquivalent(e.Permission))
}

// issuesEquivalent returns the issues permission that grants the same
// access to PR comments as p.
func issuesEquivalent(p string) string {
	if p == permWrite {
		return "issues: write"
	}
	return "issues: read"
}

// Job permissions named in PermissionError.
const (
	permRead  = "pull-requests: read"
	permWrite = "pull-requests: write"
)

// asPermissionError returns err as a *PermissionError when it is a 401, 403
// or 404 answer that is not a rate limit.
func asPermissionError(op string, t Thread, err error) (*PermissionError, bool) {
	var resp *gh.ErrorResponse
	if !errors.As(err, &resp) || resp.Response == nil || isRateLimited(resp) {
		return nil, false
	}
	switch resp.Response.StatusCode {
	case http.StatusUnauthorized, http.StatusForbidden, http.StatusNotFound:
	default:
		return nil, false
	}
	perm := permWrite
	if op == opList {
		perm = permRead
	}
	return &PermissionError{
		Op: op, Repo: t.Owner + "/" + t.Repo, PR: t.PR,
		Status: resp.Response.StatusCode, Message: resp.Message, Permission: perm,
	}, true
}
