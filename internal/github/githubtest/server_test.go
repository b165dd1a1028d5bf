package githubtest

import (
	"net/http"
	"strings"
	"testing"
)

func get(t *testing.T, s *Server, path, auth string) *http.Response {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, s.URL+path, nil)
	if auth != "" {
		req.Header.Set("Authorization", auth)
	}
	resp, err := s.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp
}

func TestServer(t *testing.T) {
	s := New(t)
	s.RequireToken("tok")
	for range 3 {
		s.Seed("o", "r", 1, "u", "hi")
	}
	const list = "/repos/o/r/issues/1/comments"
	if r := get(t, s, list, ""); r.StatusCode != http.StatusUnauthorized {
		t.Errorf("no token: %d", r.StatusCode)
	}
	r := get(t, s, list+"?per_page=2", "Bearer tok")
	if link := r.Header.Get("Link"); r.StatusCode != 200 || !strings.Contains(link, `page=2&per_page=2>; rel="next"`) {
		t.Errorf("page 1: %d, Link %q", r.StatusCode, link)
	}
	if link := get(t, s, list+"?per_page=2&page=2", "token tok").Header.Get("Link"); strings.Contains(link, `rel="next"`) {
		t.Errorf("last page has a next link: %q", link)
	}
	s.FailNext(OpList, ServerError(http.StatusBadGateway))
	if r := get(t, s, list, "Bearer tok"); r.StatusCode != http.StatusBadGateway {
		t.Errorf("injected fault: %d", r.StatusCode)
	}
	if r := get(t, s, list, "Bearer tok"); r.StatusCode != http.StatusOK {
		t.Errorf("after the fault: %d", r.StatusCode)
	}
	if s.Count(OpList) != 5 {
		t.Errorf("Count = %d, want 5", s.Count(OpList))
	}
}
