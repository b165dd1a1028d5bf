package githubtest

import (
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strconv"
)

// Reply is a canned error answer injected with Server.FailNext.
type Reply struct {
	// Status is the HTTP status.
	Status int
	// Header is sent as it is (e.g. Retry-After).
	Header http.Header
	// Message and DocumentationURL form GitHub's JSON error body.
	Message, DocumentationURL string
}

// ServerError is a 5xx answer such as a 502 from GitHub's front end.
func ServerError(status int) Reply {
	return Reply{Status: status, Message: http.StatusText(status)}
}

// SecondaryRateLimit is GitHub's 403 for a secondary rate limit, asking to
// retry after retryAfterS seconds.
func SecondaryRateLimit(retryAfterS int) Reply {
	return Reply{
		Status:           http.StatusForbidden,
		Header:           http.Header{"Retry-After": {strconv.Itoa(retryAfterS)}},
		Message:          "You have exceeded a secondary rate limit. Please wait a few minutes before you try again.",
		DocumentationURL: "https://docs.github.com/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits",
	}
}

// TooManyRequests is a 429 with Retry-After.
func TooManyRequests(retryAfterS int) Reply {
	return Reply{
		Status:  http.StatusTooManyRequests,
		Header:  http.Header{"Retry-After": {strconv.Itoa(retryAfterS)}},
		Message: "API rate limit exceeded",
	}
}

// Forbidden is the 403 a read-only token gets, as on a fork pull request.
func Forbidden() Reply {
	return Reply{
		Status:           http.StatusForbidden,
		Message:          "Resource not accessible by integration",
		DocumentationURL: "https://docs.github.com/rest/issues/comments#create-an-issue-comment",
	}
}

// NotFound is the 404 a token that cannot see the repository gets.
func NotFound() Reply {
	return Reply{Status: http.StatusNotFound, Message: "Not Found", DocumentationURL: "https://docs.github.com/rest"}
}

// writeError sends r as GitHub's JSON error.
func writeError(w http.ResponseWriter, r Reply) {
	for k, vs := range r.Header {
		for _, v := range vs {
			w.Header().Add(k, v)
		}
	}
	body := map[string]string{"message": r.Message}
	if r.DocumentationURL != "" {
		body["documentation_url"] = r.DocumentationURL
	}
	writeJSON(w, r.Status, body)
}

// writeJSON sends v with status.
func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// readBody returns the request body, empty when there is none.
func readBody(r *http.Request) string {
	b, _ := io.ReadAll(r.Body)
	return string(b)
}

// queryInt reads an integer query parameter, def when absent or bad.
func queryInt(q url.Values, key string, def int) int {
	if v, err := strconv.Atoi(q.Get(key)); err == nil {
		return v
	}
	return def
}
