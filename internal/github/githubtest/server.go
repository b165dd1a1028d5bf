package githubtest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"unicode/utf8"
)

// Op names one endpoint of the fake.
type Op string

// The endpoints the fake serves.
const (
	// OpList is GET /repos/{owner}/{repo}/issues/{number}/comments.
	OpList Op = "list"
	// OpCreate is POST /repos/{owner}/{repo}/issues/{number}/comments.
	OpCreate Op = "create"
	// OpEdit is PATCH /repos/{owner}/{repo}/issues/comments/{id}.
	OpEdit Op = "edit"
)

// MaxBodyChars is the comment size GitHub refuses, in characters.
const MaxBodyChars = 65536

// firstCommentID is the id of the first comment the fake holds.
const firstCommentID = 1000

// Comment is an issue comment held by the fake.
type Comment struct {
	ID          int64
	Owner, Repo string
	Issue       int
	User        string
	Body        string
	HTMLURL     string
}

// Call is one request the fake received.
type Call struct {
	// Op is the endpoint; empty for a request no endpoint matched.
	Op Op
	// Method and Path are the request's.
	Method, Path string
	// Query is the raw query string.
	Query string
	// Authorization is the Authorization header as received.
	Authorization string
	// Body is the request body.
	Body string
}

// Server is a fake GitHub REST API. Its zero value is not usable; call New.
type Server struct {
	// URL is the API root to use as GITHUB_API_URL.
	URL string

	srv      *httptest.Server
	mu       sync.Mutex
	token    string
	comments []Comment
	nextID   int64
	faults   map[Op][]Reply
	calls    []Call
}

// New starts a fake API that t closes at its end.
func New(t testing.TB) *Server {
	t.Helper()
	s := &Server{nextID: firstCommentID, faults: map[Op][]Reply{}}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /repos/{owner}/{repo}/issues/{number}/comments", s.serve(OpList, s.list))
	mux.HandleFunc("POST /repos/{owner}/{repo}/issues/{number}/comments", s.serve(OpCreate, s.create))
	mux.HandleFunc("PATCH /repos/{owner}/{repo}/issues/comments/{id}", s.serve(OpEdit, s.edit))
	mux.HandleFunc("/", s.serve("", func(w http.ResponseWriter, r *http.Request, _ string) {
		writeError(w, Reply{Status: http.StatusNotFound, Message: "Not Found"})
	}))
	s.srv = httptest.NewServer(mux)
	s.URL = s.srv.URL
	t.Cleanup(s.srv.Close)
	return s
}

// Client returns an HTTP client that reaches the fake.
func (s *Server) Client() *http.Client { return s.srv.Client() }

// RequireToken makes every request without "Bearer <token>" or
// "token <token>" get 401 Bad credentials.
func (s *Server) RequireToken(token string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.token = token
}

// Seed adds a comment as if user had written it, and returns it.
func (s *Server) Seed(owner, repo string, issue int, user, body string) Comment {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.add(owner, repo, issue, user, body)
}

// Comments returns the comments of one issue or pull request, oldest first.
func (s *Server) Comments(owner, repo string, issue int) []Comment {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Comment
	for _, c := range s.comments {
		if c.Owner == owner && c.Repo == repo && c.Issue == issue {
			out = append(out, c)
		}
	}
	return out
}

// FailNext makes the next requests to op get replies, one each, in order;
// later requests are served normally again.
func (s *Server) FailNext(op Op, replies ...Reply) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults[op] = append(s.faults[op], replies...)
}

// Calls returns every request received so far, in order.
func (s *Server) Calls() []Call {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.calls)
}

// Count returns how many requests op received, failed ones included.
func (s *Server) Count(op Op) int {
	n := 0
	for _, c := range s.Calls() {
		if c.Op == op {
			n++
		}
	}
	return n
}

// serve records the call, checks the token, plays an injected fault, and
// otherwise runs h under the lock.
func (s *Server) serve(op Op, h func(http.ResponseWriter, *http.Request, string)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		body := readBody(r)
		s.mu.Lock()
		defer s.mu.Unlock()
		auth := r.Header.Get("Authorization")
		s.calls = append(s.calls, Call{Op: op, Method: r.Method, Path: r.URL.Path, Query: r.URL.RawQuery, Authorization: auth, Body: body})
		if s.token != "" && auth != "Bearer "+s.token && auth != "token "+s.token {
			writeError(w, Reply{Status: http.StatusUnauthorized, Message: "Bad credentials"})
			return
		}
		if q := s.faults[op]; len(q) > 0 {
			s.faults[op] = q[1:]
			writeError(w, q[0])
			return
		}
		h(w, r, body)
	}
}

// list serves one page of an issue's comments with a Link header.
func (s *Server) list(w http.ResponseWriter, r *http.Request, _ string) {
	owner, repo := r.PathValue("owner"), r.PathValue("repo")
	issue, err := strconv.Atoi(r.PathValue("number"))
	if err != nil {
		writeError(w, Reply{Status: http.StatusNotFound, Message: "Not Found"})
		return
	}
	perPage := queryInt(r.URL.Query(), "per_page", 30)
	perPage = min(max(perPage, 1), 100)
	page := max(queryInt(r.URL.Query(), "page", 1), 1)
	var all []Comment
	for _, c := range s.comments {
		if c.Owner == owner && c.Repo == repo && c.Issue == issue {
			all = append(all, c)
		}
	}
	last := max((len(all)+perPage-1)/perPage, 1)
	lo := min((page-1)*perPage, len(all))
	hi := min(lo+perPage, len(all))
	if link := s.link(r, page, last, perPage); link != "" {
		w.Header().Set("Link", link)
	}
	out := make([]map[string]any, 0, hi-lo)
	for _, c := range all[lo:hi] {
		out = append(out, c.json())
	}
	writeJSON(w, http.StatusOK, out)
}

// link builds the pagination Link header GitHub sends.
func (s *Server) link(r *http.Request, page, last, perPage int) string {
	at := func(p int) string {
		q := url.Values{"page": {strconv.Itoa(p)}, "per_page": {strconv.Itoa(perPage)}}
		return fmt.Sprintf("<%s%s?%s>", s.URL, r.URL.Path, q.Encode())
	}
	var parts []string
	if page < last {
		parts = append(parts, at(page+1)+`; rel="next"`, at(last)+`; rel="last"`)
	}
	if page > 1 {
		parts = append(parts, at(1)+`; rel="first"`, at(page-1)+`; rel="prev"`)
	}
	return strings.Join(parts, ", ")
}

// create adds a comment.
func (s *Server) create(w http.ResponseWriter, r *http.Request, body string) {
	issue, err := strconv.Atoi(r.PathValue("number"))
	if err != nil {
		writeError(w, Reply{Status: http.StatusNotFound, Message: "Not Found"})
		return
	}
	text, ok := commentText(w, body)
	if !ok {
		return
	}
	c := s.add(r.PathValue("owner"), r.PathValue("repo"), issue, "github-actions[bot]", text)
	writeJSON(w, http.StatusCreated, c.json())
}

// edit replaces a comment's body.
func (s *Server) edit(w http.ResponseWriter, r *http.Request, body string) {
	id, _ := strconv.ParseInt(r.PathValue("id"), 10, 64)
	i := slices.IndexFunc(s.comments, func(c Comment) bool {
		return c.ID == id && c.Owner == r.PathValue("owner") && c.Repo == r.PathValue("repo")
	})
	if i < 0 {
		writeError(w, Reply{Status: http.StatusNotFound, Message: "Not Found"})
		return
	}
	text, ok := commentText(w, body)
	if !ok {
		return
	}
	s.comments[i].Body = text
	writeJSON(w, http.StatusOK, s.comments[i].json())
}

// add stores a new comment; the caller holds the lock.
func (s *Server) add(owner, repo string, issue int, user, body string) Comment {
	c := Comment{
		ID: s.nextID, Owner: owner, Repo: repo, Issue: issue, User: user, Body: body,
		HTMLURL: fmt.Sprintf("https://github.com/%s/%s/pull/%d#issuecomment-%d", owner, repo, issue, s.nextID),
	}
	s.nextID++
	s.comments = append(s.comments, c)
	return c
}

// commentText decodes {"body": ...} and applies GitHub's checks, answering
// 422 when they fail.
func commentText(w http.ResponseWriter, body string) (string, bool) {
	var in struct {
		Body *string `json:"body"`
	}
	if err := json.Unmarshal([]byte(body), &in); err != nil || in.Body == nil || *in.Body == "" {
		writeError(w, Reply{Status: http.StatusUnprocessableEntity, Message: "Validation Failed"})
		return "", false
	}
	if utf8.RuneCountInString(*in.Body) >= MaxBodyChars {
		writeError(w, Reply{Status: http.StatusUnprocessableEntity, Message: "Validation Failed: Body is too long (maximum is 65536 characters)"})
		return "", false
	}
	return *in.Body, true
}

// json returns the comment as the REST API shows it.
func (c Comment) json() map[string]any {
	return map[string]any{
		"id":       c.ID,
		"body":     c.Body,
		"html_url": c.HTMLURL,
		"user":     map[string]any{"login": c.User, "type": "Bot"},
		"issue_url": fmt.Sprintf("https://api.github.com/repos/%s/%s/issues/%d",
			c.Owner, c.Repo, c.Issue),
	}
}
