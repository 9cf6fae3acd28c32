package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"

	"github.com/oauth2client/oauth2client"
	"github.com/oauth2client/oauth2client/internal/safefile"
	"github.com/oauth2client/oauth2client/internal/urlpolicy"
)

// maxRequestOutput bounds the response body request copies to stdout.
const maxRequestOutput = 1 << 30

// maxRequestData bounds a request body read from a file or stdin.
const maxRequestData = 64 << 20

func init() {
	register(&command{
		name:    "request",
		args:    "[flags] [METHOD] URL",
		summary: "make an authorized HTTP request and print the response body",
		help: `
Request sends an HTTP request with a valid access token (refreshed and
stored as needed) in its Authorization header and prints the response body
on stdout. METHOD defaults to GET, or POST when a body is given. The exit
code is 1 when the response status is 400 or above; -v prints the status
line and response headers on stderr.

The body is --data TEXT, or the contents of a file with --data-file FILE
or -d @FILE ("@-" reads stdin). When the request was refused with 401, the
token is refreshed once and the request retried (for bodies that can be
sent again).
` + sourceHelp,
		examples: `
oauth2client request --client-secrets cs.json --scope openid https://api.example.com/v1/me
oauth2client request POST https://api.example.com/v1/items -H 'Content-Type: application/json' -d '{"name":"x"}'
oauth2client request PUT URL --data-file item.json --store file:credentials.json -v`,
		run: runRequest,
	})
}

// runRequest is the request command.
func runRequest(ctx context.Context, e *env, c *command, args []string) int {
	fs := e.flagSet(c)
	var cf credFlags
	cf.register(fs)
	var headers multiFlag
	fs.Var(&headers, "H", "add the header `'NAME: VALUE'` to the request; repeatable")
	var data, dataFile string
	var dataSet bool
	setData := func(v string) error { data, dataSet = v, true; return nil }
	fs.Func("data", "send `TEXT` as the request body; @FILE sends a file's contents, @- stdin", setData)
	fs.Func("d", "the same as --data `TEXT`", setData)
	fs.StringVar(&dataFile, "data-file", "", "send the contents of `FILE` as the request body")
	verbose := fs.Bool("v", false, "print the response status and headers on stderr")
	insecureHTTP := fs.Bool("insecure-allow-http", false, "DANGEROUS: send the access token over plain http to a host that is not loopback, where anyone on the path can read and replay it; only for a test network")
	pos, code, ok := e.parseInterspersed(c, fs, args)
	if !ok {
		return code
	}
	var method, target string
	switch len(pos) {
	case 1:
		target = pos[0]
	case 2:
		method, target = strings.ToUpper(pos[0]), pos[1]
	case 0:
		return e.usageError(c, "missing URL")
	default:
		return e.usageError(c, "unexpected argument %q", pos[2])
	}
	u, err := url.Parse(target)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return e.usageError(c, "URL %q: want an absolute http or https URL", urlpolicy.Clip(target, 80))
	}
	if dataSet && dataFile != "" {
		return e.usageError(c, "--data and --data-file exclude each other")
	}
	hdr := http.Header{}
	for _, h := range headers {
		name, value, ok := strings.Cut(h, ":")
		if !ok || strings.TrimSpace(name) == "" {
			return e.usageError(c, "-H %q: want 'NAME: VALUE'", urlpolicy.Clip(h, 80))
		}
		hdr.Add(strings.TrimSpace(name), strings.TrimSpace(value))
	}
	if err := cf.check(); err != nil {
		return e.report(c, err)
	}

	var body []byte
	hasBody := dataSet || dataFile != ""
	switch {
	case dataFile != "":
		body, err = safefile.ReadFile(dataFile, maxRequestData)
	case strings.HasPrefix(data, "@-"):
		body, err = io.ReadAll(io.LimitReader(e.stdin, maxRequestData+1))
		if err == nil && len(body) > maxRequestData {
			err = fmt.Errorf("stdin exceeds %d bytes", maxRequestData)
		}
	case strings.HasPrefix(data, "@"):
		body, err = safefile.ReadFile(data[1:], maxRequestData)
	default:
		body = []byte(data)
	}
	if err != nil {
		return e.fail(c, fmt.Errorf("request body: %w", err))
	}
	if method == "" {
		method = http.MethodGet
		if hasBody {
			method = http.MethodPost
		}
	}

	l, err := cf.load(ctx)
	if err != nil {
		return e.report(c, err)
	}
	defer l.Close()
	req, err := http.NewRequestWithContext(ctx, method, u.String(), nil)
	if err != nil {
		return e.usageError(c, "%v", err)
	}
	req.Header = hdr
	if hasBody {
		req.Body = io.NopCloser(bytes.NewReader(body))
		req.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(body)), nil }
		req.ContentLength = int64(len(body))
		if hdr.Get("Content-Type") == "" {
			hdr.Set("Content-Type", "application/x-www-form-urlencoded")
		}
	}
	hc := cf.httpClient()
	log, _ := cf.logger() // checked by cf.check
	hc.Transport = &oauth2client.Transport{Source: l.tokens(), Base: hc.Transport, InsecureAllowHTTP: *insecureHTTP, Logger: log}
	resp, err := hc.Do(req)
	if errors.Is(err, oauth2client.ErrInsecureHTTP) {
		return e.fail(c, fmt.Errorf("%s %s: refusing to send the access token over plain http to a host that is not loopback (--insecure-allow-http sends it anyway)", method, urlpolicy.RedactQuery(u)))
	}
	if err != nil {
		// Client.Timeout is the only deadline here.
		timedOut := errors.Is(err, context.DeadlineExceeded) || isTimeout(err)
		err = urlpolicy.RedactURLError(err) // the query may hold secrets
		if timedOut {
			return e.fail(c, fmt.Errorf("%s %s: no response within --timeout %v (%s): %w", method, urlpolicy.RedactQuery(u), cf.d, hint, err))
		}
		return e.fail(c, fmt.Errorf("%s %s: %w", method, urlpolicy.RedactQuery(u), err))
	}
	defer resp.Body.Close()
	if *verbose {
		fmt.Fprintf(e.stderr, "%s %s\n", resp.Proto, resp.Status)
		resp.Header.Write(e.stderr)
		fmt.Fprintln(e.stderr)
	}
	n, err := io.Copy(e.stdout, io.LimitReader(resp.Body, maxRequestOutput))
	if err != nil {
		if errors.Is(err, context.DeadlineExceeded) || isTimeout(err) {
			return e.fail(c, fmt.Errorf("%s %s: reading the response: not done within --timeout %v (%s): %w", method, urlpolicy.RedactQuery(u), cf.d, hint, err))
		}
		return e.fail(c, fmt.Errorf("reading the response: %w", err))
	}
	if n == maxRequestOutput {
		fmt.Fprintf(e.stderr, "oauth2client request: response body cut at %d bytes\n", maxRequestOutput)
	}
	if resp.StatusCode >= 400 {
		return e.fail(c, fmt.Errorf("%s %s: HTTP %s", method, urlpolicy.RedactQuery(u), resp.Status))
	}
	return exitOK
}
