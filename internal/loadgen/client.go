package loadgen

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync/atomic"
	"time"
)

// DefaultRequestTimeout bounds one request, its whole stream included, when
// ClientOptions.RequestTimeout is zero.
const DefaultRequestTimeout = 10 * time.Minute

// maxErrorBody is how much of a failed response's body is read for its
// error message.
const maxErrorBody = 64 << 10

// ClientOptions configure a Client. The zero value of every field but
// BaseURL means the default.
type ClientOptions struct {
	// BaseURL is the server's root, e.g. http://localhost:8000 (a trailing
	// slash or /v1 is accepted).
	BaseURL string
	// APIKey, when set, is sent as "Authorization: Bearer <key>".
	APIKey string
	// MaxConns sizes the connection pool; set it to the concurrency.
	MaxConns int
	// RequestTimeout bounds one request, stream included.
	RequestTimeout time.Duration
	// StallTimeout ends a round when requests are in flight and none has
	// received anything for this long (DefaultStallTimeout when zero; a
	// negative value turns the watchdog off).
	StallTimeout time.Duration
	// Transport replaces the HTTP transport (tests).
	Transport http.RoundTripper
}

// Client talks to one OpenAI-compatible server over one shared, keep-alive
// transport. It is safe for concurrent use.
type Client struct {
	baseURL string
	apiKey  string
	timeout time.Duration
	stall   time.Duration
	http    *http.Client
	own     *http.Transport
	// fresh sends the one retry of a request whose kept-alive connection
	// the server closed: on a new connection, never reused.
	fresh    *http.Client
	ownFresh *http.Transport
	// tok is the tokenizer API shape the server answered to.
	tok tokenizerShape
	// streams counts the requests in flight, across rounds.
	streams atomic.Int64
}

// Streams returns the number of requests in flight now (a client probe
// paces its wake-ups by it).
func (c *Client) Streams() int { return int(c.streams.Load()) }

// NewClient returns a client for opts.BaseURL.
func NewClient(opts ClientOptions) *Client {
	c := &Client{
		baseURL: strings.TrimSuffix(strings.TrimSuffix(opts.BaseURL, "/"), "/v1"),
		apiKey:  opts.APIKey,
		timeout: opts.RequestTimeout,
		stall:   opts.StallTimeout,
	}
	if c.timeout <= 0 {
		c.timeout = DefaultRequestTimeout
	}
	if c.stall == 0 {
		c.stall = DefaultStallTimeout
	}
	rt := opts.Transport
	if rt == nil {
		conns := max(opts.MaxConns, 1)
		c.own = &http.Transport{
			Proxy:               http.ProxyFromEnvironment,
			DialContext:         (&net.Dialer{Timeout: 30 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
			MaxIdleConns:        conns + 16,
			MaxIdleConnsPerHost: conns + 16,
			IdleConnTimeout:     90 * time.Second,
			// A gzip layer would hold back chunks and skew every timestamp.
			DisableCompression: true,
		}
		rt = c.own
	}
	c.http = &http.Client{Transport: rt}
	c.fresh = c.http
	if t, ok := rt.(*http.Transport); ok {
		c.ownFresh = t.Clone()
		c.ownFresh.DisableKeepAlives = true
		c.fresh = &http.Client{Transport: c.ownFresh}
	}
	return c
}

// Close releases the idle connections of the client's own transport.
func (c *Client) Close() {
	if c.own != nil {
		c.own.CloseIdleConnections()
	}
	if c.ownFresh != nil {
		c.ownFresh.CloseIdleConnections()
	}
}

// BaseURL returns the server root the client talks to.
func (c *Client) BaseURL() string { return c.baseURL }

// ErrNotFound is wrapped by errors for endpoints the server does not have
// (HTTP 404), such as /tokenize on servers other than vLLM.
var ErrNotFound = errors.New("endpoint not found")

// ModelID returns the id of the first model that GET /v1/models lists.
func (c *Client) ModelID(ctx context.Context) (string, error) {
	var resp struct {
		Data []struct {
			ID string `json:"id"`
		} `json:"data"`
	}
	if err := c.call(ctx, http.MethodGet, "/v1/models", nil, &resp); err != nil {
		return "", err
	}
	if len(resp.Data) == 0 || resp.Data[0].ID == "" {
		return "", fmt.Errorf("GET %s/v1/models: the server lists no model", c.baseURL)
	}
	return resp.Data[0].ID, nil
}

// call sends one small JSON request and decodes the JSON answer into out.
func (c *Client) call(ctx context.Context, method, path string, in, out any) error {
	ctx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	var body []byte
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			return fmt.Errorf("%s %s: encoding the request: %w", method, path, err)
		}
		body = b
	}
	resp, _, err := c.send(ctx, method, path, body, nil, nil)
	if err != nil {
		return fmt.Errorf("%s %s%s: %w", method, c.baseURL, path, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		err := statusError(resp)
		if resp.StatusCode == http.StatusNotFound {
			err = fmt.Errorf("%w: %v", ErrNotFound, err)
		}
		return fmt.Errorf("%s %s%s: %w", method, c.baseURL, path, err)
	}
	if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
		return fmt.Errorf("%s %s%s: decoding the answer: %w", method, c.baseURL, path, err)
	}
	return nil
}

// header sets the headers every request carries.
func (c *Client) header(req *http.Request) {
	req.Header.Set("Content-Type", "application/json")
	if c.apiKey != "" {
		req.Header.Set("Authorization", "Bearer "+c.apiKey)
	}
}

// statusError describes a non-200 response, keeping the message of its body.
func statusError(resp *http.Response) error {
	b, _ := io.ReadAll(io.LimitReader(resp.Body, maxErrorBody))
	b = bytes.TrimSpace(b)
	msg := ""
	if len(b) > 0 {
		if json.Valid(b) {
			msg = errorText(b)
		} else {
			msg = string(clip(b, 200))
		}
	}
	if msg == "" {
		return fmt.Errorf("HTTP %d %s", resp.StatusCode, http.StatusText(resp.StatusCode))
	}
	return fmt.Errorf("HTTP %d: %s", resp.StatusCode, msg)
}
