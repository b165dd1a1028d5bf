package github

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	gh "github.com/google/go-github/v60/github"
)

// Operations named in errors.
const (
	opList   = "list comments"
	opCreate = "create comment"
	opEdit   = "edit comment"
)

// commentsPerPage is the page size when looking for the sticky comment, the
// most GitHub serves.
const commentsPerPage = 100

// Thread is the pull request a comment belongs to.
type Thread struct {
	// Owner and Repo name the repository.
	Owner, Repo string
	// PR is the pull request number.
	PR int
}

// String returns "owner/repo#pr".
func (t Thread) String() string { return fmt.Sprintf("%s/%s#%d", t.Owner, t.Repo, t.PR) }

// Comment is the sticky comment after an update.
type Comment struct {
	// ID is GitHub's comment id, 0 when no comment was written.
	ID int64
	// URL is the comment's html_url.
	URL string
	// Created is true when the comment is new, false when an old one was
	// edited in place.
	Created bool
}

// commentsAPI is the part of the REST API the sticky comment uses;
// *github.IssuesService implements it.
type commentsAPI interface {
	ListComments(ctx context.Context, owner, repo string, number int, opts *gh.IssueListCommentsOptions) ([]*gh.IssueComment, *gh.Response, error)
	CreateComment(ctx context.Context, owner, repo string, number int, c *gh.IssueComment) (*gh.IssueComment, *gh.Response, error)
	EditComment(ctx context.Context, owner, repo string, id int64, c *gh.IssueComment) (*gh.IssueComment, *gh.Response, error)
}

// ClientOptions configure a CommentClient. The zero value talks to
// api.github.com without a token.
type ClientOptions struct {
	// APIURL is the REST API root (GITHUB_API_URL); empty means DefaultAPIURL.
	APIURL string
	// Token authenticates the requests; it is sent in a header only.
	Token string
	// HTTPClient sends the requests; nil means one with DefaultHTTPTimeout.
	HTTPClient *http.Client
	// Sleep waits between retries; nil means real sleeping.
	Sleep func(ctx context.Context, d time.Duration) error
	// Retry bounds the retries.
	Retry RetryPolicy
}

// CommentClient keeps one sticky comment per marker on a pull request.
type CommentClient struct {
	newAPI func() commentsAPI
	sleep  func(ctx context.Context, d time.Duration) error
	retry  RetryPolicy
}

// NewCommentClient returns a client for the API at opts.APIURL.
func NewCommentClient(opts ClientOptions) (*CommentClient, error) {
	base, err := url.Parse(strings.TrimSuffix(or(opts.APIURL, DefaultAPIURL), "/") + "/")
	if err != nil || base.Scheme == "" || base.Host == "" {
		return nil, fmt.Errorf("GITHUB_API_URL %q: not an absolute URL", opts.APIURL)
	}
	env := Env{HTTPClient: opts.HTTPClient, Sleep: opts.Sleep}.withDefaults()
	return &CommentClient{
		// Each attempt gets a fresh go-github client: go-github remembers a
		// rate limit and refuses requests until it expires, which would
		// defeat a retry that already waited (or, in tests, a fake sleeper).
		newAPI: func() commentsAPI {
			c := gh.NewClient(env.HTTPClient)
			if opts.Token != "" {
				c = c.WithAuthToken(opts.Token)
			}
			c.BaseURL = base
			return c.Issues
		},
		sleep: env.Sleep,
		retry: opts.Retry.withDefaults(),
	}, nil
}

// Upsert makes body the sticky comment of t identified by marker (see
// Marker): it looks through every page of the PR's comments for one that
// begins with marker and edits it, or creates a new comment when none does
// and create is true. With create false and no comment found, it returns a
// zero Comment and no error. body must begin with marker (see CommentBody).
//
// Server errors, rate limits and network errors are retried with exponential
// backoff as RetryPolicy says; each retry looks for the comment again, so a
// create whose answer was lost is not duplicated. A token that may not
// comment gives a *PermissionError. Other failures are returned wrapped
// after the last attempt.
func (c *CommentClient) Upsert(ctx context.Context, t Thread, marker, body string, create bool) (Comment, error) {
	if !strings.HasPrefix(body, marker) {
		return Comment{}, fmt.Errorf("comment on %s: body does not begin with the marker %q", t, marker)
	}
	for attempt := 0; ; attempt++ {
		api := c.newAPI()
		cm, op, err := upsertOnce(ctx, api, t, marker, body, create)
		if err == nil {
			return cm, nil
		}
		if perm, ok := asPermissionError(op, t, err); ok {
			return Comment{}, perm
		}
		wait, again := c.retry.retryWait(err, attempt)
		if ctx.Err() != nil || !again || attempt+1 >= c.retry.Attempts {
			return Comment{}, fmt.Errorf("%s on %s failed after %d attempt(s): %w", op, t, attempt+1, err)
		}
		if err := c.sleep(ctx, wait); err != nil {
			return Comment{}, fmt.Errorf("%s on %s: %w", op, t, errors.Join(err, ctx.Err()))
		}
	}
}

// upsertOnce is one try of Upsert; op names the call that failed.
func upsertOnce(ctx context.Context, api commentsAPI, t Thread, marker, body string, create bool) (Comment, string, error) {
	old, err := findComment(ctx, api, t, marker)
	if err != nil {
		return Comment{}, opList, err
	}
	if old != nil {
		got, _, err := api.EditComment(ctx, t.Owner, t.Repo, old.GetID(), &gh.IssueComment{Body: gh.String(body)})
		if err != nil {
			return Comment{}, opEdit, err
		}
		return Comment{ID: got.GetID(), URL: got.GetHTMLURL()}, "", nil
	}
	if !create {
		return Comment{}, "", nil
	}
	got, _, err := api.CreateComment(ctx, t.Owner, t.Repo, t.PR, &gh.IssueComment{Body: gh.String(body)})
	if err != nil {
		return Comment{}, opCreate, err
	}
	return Comment{ID: got.GetID(), URL: got.GetHTMLURL(), Created: true}, "", nil
}

// findComment returns the oldest comment of t that begins with marker, as
// every comment of ours does, or nil. A comment that merely quotes the
// marker (someone replying to ours) is not taken for ours.
func findComment(ctx context.Context, api commentsAPI, t Thread, marker string) (*gh.IssueComment, error) {
	opts := &gh.IssueListCommentsOptions{ListOptions: gh.ListOptions{PerPage: commentsPerPage}}
	for {
		page, resp, err := api.ListComments(ctx, t.Owner, t.Repo, t.PR, opts)
		if err != nil {
			return nil, err
		}
		for _, cm := range page {
			if strings.HasPrefix(cm.GetBody(), marker) {
				return cm, nil
			}
		}
		if resp == nil || resp.NextPage == 0 {
			return nil, nil
		}
		opts.Page = resp.NextPage
	}
}
