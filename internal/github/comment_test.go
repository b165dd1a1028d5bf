package github

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/vllm-bench-action/vllm-bench-action/internal/github/githubtest"
)

var pr42 = Thread{Owner: "acme-ml", Repo: "llm-serving", PR: 42}

func newTestClient(t *testing.T, h *harness) *CommentClient {
	t.Helper()
	env := h.Env()
	c, err := NewCommentClient(ClientOptions{APIURL: h.fake.URL, Token: testToken, HTTPClient: env.HTTPClient, Sleep: env.Sleep})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestUpsertCreatesThenEdits(t *testing.T) {
	h := newHarness(t, "pull_request", "pull_request_opened.json")
	c := newTestClient(t, h)
	m := Marker("bench.yaml")
	first, err := c.Upsert(context.Background(), pr42, m, m+"\nfirst", true)
	if err != nil || !first.Created || first.URL == "" {
		t.Fatalf("first Upsert = %+v, %v", first, err)
	}
	second, err := c.Upsert(context.Background(), pr42, m, m+"\nsecond", true)
	if err != nil || second.Created || second.ID != first.ID || second.URL != first.URL {
		t.Fatalf("second Upsert = %+v, %v; want an edit of %d", second, err, first.ID)
	}
	got := h.fake.Comments("acme-ml", "llm-serving", 42)
	if len(got) != 1 || got[0].Body != m+"\nsecond" {
		t.Errorf("comments = %+v, want one with the second body", got)
	}
	// Another config keeps its own comment.
	other := Marker("other.yaml")
	if cm, err := c.Upsert(context.Background(), pr42, other, other+"\nx", true); err != nil || !cm.Created {
		t.Errorf("other config: %+v, %v", cm, err)
	}
}

func TestUpsertFindsCommentOnPage2(t *testing.T) {
	h := newHarness(t, "pull_request", "pull_request_opened.json")
	m := Marker("bench.yaml")
	for i := range 100 {
		h.fake.Seed("acme-ml", "llm-serving", 42, "reviewer", fmt.Sprintf("comment %d", i))
	}
	// A reply that quotes our comment, marker included, is not ours.
	h.fake.Seed("acme-ml", "llm-serving", 42, "reviewer", "> "+m+"\n> old\n\nwhy is TTFT up?")
	ours := h.fake.Seed("acme-ml", "llm-serving", 42, "github-actions[bot]", m+"\nold")
	h.fake.Seed("acme-ml", "llm-serving", 42, "reviewer", "after")
	cm, err := newTestClient(t, h).Upsert(context.Background(), pr42, m, m+"\nnew", true)
	if err != nil || cm.ID != ours.ID || cm.Created {
		t.Fatalf("Upsert = %+v, %v; want an edit of %d", cm, err, ours.ID)
	}
	if n := len(h.fake.Comments("acme-ml", "llm-serving", 42)); n != 103 {
		t.Errorf("%d comments, want 103 (no duplicate)", n)
	}
	if h.fake.Count(githubtest.OpList) != 2 {
		t.Errorf("%d list calls, want 2 pages", h.fake.Count(githubtest.OpList))
	}
	for _, call := range h.fake.Calls() {
		if call.Op == githubtest.OpList && !strings.Contains(call.Query, "per_page=100") {
			t.Errorf("list without per_page=100: %q", call.Query)
		}
	}
}

func TestUpsertNoCreate(t *testing.T) {
	h := newHarness(t, "pull_request", "pull_request_opened.json")
	m := Marker("bench.yaml")
	cm, err := newTestClient(t, h).Upsert(context.Background(), pr42, m, m+"\nx", false)
	if err != nil || cm.ID != 0 || h.fake.Count(githubtest.OpCreate) != 0 {
		t.Errorf("Upsert(create=false) = %+v, %v; created %d", cm, err, h.fake.Count(githubtest.OpCreate))
	}
}

func TestUpsertRetries(t *testing.T) {
	tests := []struct {
		name  string
		op    githubtest.Op
		reply githubtest.Reply
		wait  time.Duration
	}{
		{"502 on create", githubtest.OpCreate, githubtest.ServerError(http.StatusBadGateway), DefaultBaseDelay},
		{"503 on list", githubtest.OpList, githubtest.ServerError(http.StatusServiceUnavailable), DefaultBaseDelay},
		{"secondary rate limit", githubtest.OpCreate, githubtest.SecondaryRateLimit(7), 7 * time.Second},
		{"429", githubtest.OpList, githubtest.TooManyRequests(3), 3 * time.Second},
		{"403 abuse message without Retry-After", githubtest.OpCreate, githubtest.Reply{
			Status: http.StatusForbidden, Message: "You have exceeded a secondary rate limit"}, DefaultBaseDelay},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t, "pull_request", "pull_request_opened.json")
			h.fake.FailNext(tt.op, tt.reply)
			m := Marker("bench.yaml")
			cm, err := newTestClient(t, h).Upsert(context.Background(), pr42, m, m+"\nx", true)
			if err != nil || !cm.Created {
				t.Fatalf("Upsert = %+v, %v", cm, err)
			}
			if len(h.sleeps) != 1 || h.sleeps[0] != tt.wait {
				t.Errorf("slept %v, want [%v]", h.sleeps, tt.wait)
			}
			if n := len(h.fake.Comments("acme-ml", "llm-serving", 42)); n != 1 {
				t.Errorf("%d comments, want 1", n)
			}
		})
	}
}

func TestUpsertGivesUpAfterAttempts(t *testing.T) {
	h := newHarness(t, "pull_request", "pull_request_opened.json")
	for range 10 {
		h.fake.FailNext(githubtest.OpList, githubtest.ServerError(http.StatusBadGateway))
	}
	m := Marker("bench.yaml")
	_, err := newTestClient(t, h).Upsert(context.Background(), pr42, m, m, true)
	if err == nil || !strings.Contains(err.Error(), "after 5 attempt(s)") {
		t.Fatalf("Upsert = %v, want a failure after 5 attempts", err)
	}
	want := []time.Duration{time.Second, 2 * time.Second, 4 * time.Second, 8 * time.Second}
	if fmt.Sprint(h.sleeps) != fmt.Sprint(want) {
		t.Errorf("slept %v, want %v", h.sleeps, want)
	}
	var perm *PermissionError
	if errors.As(err, &perm) {
		t.Error("a 502 became a permission error")
	}
}

func TestUpsertRetriesNetworkErrors(t *testing.T) {
	h := newHarness(t, "pull_request", "pull_request_opened.json")
	env := h.Env()
	down := &http.Client{Transport: &failingTransport{n: 2, next: h.fake.Client().Transport}}
	c, err := NewCommentClient(ClientOptions{APIURL: h.fake.URL, Token: testToken, HTTPClient: down, Sleep: env.Sleep})
	if err != nil {
		t.Fatal(err)
	}
	m := Marker("bench.yaml")
	if cm, err := c.Upsert(context.Background(), pr42, m, m, true); err != nil || !cm.Created {
		t.Fatalf("Upsert = %+v, %v", cm, err)
	}
	if len(h.sleeps) != 2 {
		t.Errorf("slept %v, want 2 waits", h.sleeps)
	}
}

// failingTransport fails its first n requests with a network error.
type failingTransport struct {
	n, seen int
	next    http.RoundTripper
}

func (f *failingTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	f.seen++
	if f.seen <= f.n {
		return nil, &net.OpError{Op: "read", Net: "tcp", Err: errors.New("connection reset by peer")}
	}
	return f.next.RoundTrip(r)
}

func TestUpsertPermissionErrors(t *testing.T) {
	tests := []struct {
		op    githubtest.Op
		reply githubtest.Reply
		perm  string
	}{
		{githubtest.OpCreate, githubtest.Forbidden(), "pull-requests: write"},
		{githubtest.OpList, githubtest.NotFound(), "pull-requests: read"},
	}
	for _, tt := range tests {
		h := newHarness(t, "pull_request", "pull_request_fork.json")
		h.fake.FailNext(tt.op, tt.reply)
		m := Marker("bench.yaml")
		_, err := newTestClient(t, h).Upsert(context.Background(), pr42, m, m, true)
		var perm *PermissionError
		if !errors.As(err, &perm) || perm.Permission != tt.perm {
			t.Fatalf("%s: Upsert = %v, want a *PermissionError for %q", tt.op, err, tt.perm)
		}
		for _, want := range []string{tt.perm, "forks", "read-only token", tt.reply.Message} {
			if !strings.Contains(err.Error(), want) {
				t.Errorf("%s: error %q lacks %q", tt.op, err, want)
			}
		}
		if len(h.sleeps) != 0 {
			t.Errorf("%s: a permission error was retried", tt.op)
		}
	}
}

func TestUpsertBadToken(t *testing.T) {
	h := newHarness(t, "pull_request", "pull_request_opened.json")
	env := h.Env()
	c, _ := NewCommentClient(ClientOptions{APIURL: h.fake.URL, Token: "wrong", HTTPClient: env.HTTPClient, Sleep: env.Sleep})
	m := Marker("bench.yaml")
	_, err := c.Upsert(context.Background(), pr42, m, m, true)
	var perm *PermissionError
	if !errors.As(err, &perm) || perm.Status != http.StatusUnauthorized || !strings.Contains(err.Error(), "github-token") {
		t.Errorf("Upsert with a bad token = %v", err)
	}
}
