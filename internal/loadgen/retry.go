package loadgen

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptrace"
	"strings"
	"sync/atomic"
	"syscall"
)

// attempt is one try at a request: whether it went out on a kept-alive
// connection, and whether any byte of the answer came back.
type attempt struct {
	reused   atomic.Bool
	answered atomic.Bool
}

// trace returns ctx with hooks that fill a.
func (a *attempt) trace(ctx context.Context) context.Context {
	return httptrace.WithClientTrace(ctx, &httptrace.ClientTrace{
		GotConn:              func(info httptrace.GotConnInfo) { a.reused.Store(info.Reused) },
		GotFirstResponseByte: func() { a.answered.Store(true) },
	})
}

// closedBeforeAnswer reports whether err is the server closing a kept-alive
// connection before it sent any byte of the answer: the request never
// reached the server's handler, or never got an answer, so sending it again
// on a fresh connection is safe and changes nothing the server measured.
// uvicorn (vLLM) closes connections idle for its keep-alive timeout (5 s by
// default) and llama.cpp's server closes them between requests; a request
// that picks such a connection as it closes sees EOF, a reset, or Go's
// "server closed idle connection".
func (a *attempt) closedBeforeAnswer(err error) bool {
	if err == nil || !a.reused.Load() || a.answered.Load() {
		return false
	}
	return errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) ||
		errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.EPIPE) ||
		strings.Contains(err.Error(), "server closed idle connection")
}

// send posts body (or GETs when body is nil) to path, and sends it once
// more, on a fresh connection, when the server closed the kept-alive
// connection of the first try before any byte of the answer. before is
// called just before each try, so that the caller's clock starts with the
// try that counts; retried says whether there was a second try.
func (c *Client) send(ctx context.Context, method, path string, body []byte, header func(*http.Request), before func()) (resp *http.Response, retried bool, err error) {
	try := func(hc *http.Client) (*http.Response, *attempt, error) {
		var a attempt
		var rd io.Reader
		if body != nil {
			rd = bytes.NewReader(body)
		}
		req, err := http.NewRequestWithContext(a.trace(ctx), method, c.baseURL+path, rd)
		if err != nil {
			return nil, &a, err
		}
		c.header(req)
		if header != nil {
			header(req)
		}
		if before != nil {
			before()
		}
		resp, err := hc.Do(req)
		return resp, &a, err
	}
	resp, a, err := try(c.http)
	if !a.closedBeforeAnswer(err) || ctx.Err() != nil {
		return resp, false, err
	}
	resp, _, err = try(c.fresh)
	return resp, true, err
}
