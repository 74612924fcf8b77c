package proxy

import (
	"bufio"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"
)

// Timeouts of source fetches. A transfer as a whole has no limit (sources can be large), but
// one that stops sending fails after sourceIdleTimeout.
const (
	sourceDialTimeout   = 10 * time.Second
	sourceHeaderTimeout = 60 * time.Second
	sourceIdleTimeout   = 60 * time.Second
)

// sourceTransport is shared by every fetch, so connections to one host are reused.
var sourceTransport = &http.Transport{
	Proxy:                 http.ProxyFromEnvironment,
	DialContext:           (&net.Dialer{Timeout: sourceDialTimeout, KeepAlive: 30 * time.Second}).DialContext,
	TLSHandshakeTimeout:   sourceDialTimeout,
	ResponseHeaderTimeout: sourceHeaderTimeout,
	IdleConnTimeout:       90 * time.Second,
	MaxIdleConnsPerHost:   4,
}

// sourceError is a source that cannot be read; it fails the load with 422.
func sourceError(rawURL string, format string, args ...any) error {
	return errorf(http.StatusUnprocessableEntity, "source %s: %s", rawURL, fmt.Sprintf(format, args...))
}

// checkSource applies the source policy to a URL without fetching it: http and https URLs,
// restricted to the SLUICE_SOURCE_ALLOW prefixes when there are any; file URLs only when
// SLUICE_SOURCE_DIR is set, and then only inside it. It returns the file path of a file URL.
func (s *Server) checkSource(rawURL string) (path string, err error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		return "", sourceError(rawURL, "not a URL: %v", err)
	}
	switch u.Scheme {
	case "http", "https":
		if u.Host == "" {
			return "", sourceError(rawURL, "the URL has no host")
		}
		if len(s.cfg.SourceAllow) == 0 {
			return "", nil
		}
		for _, prefix := range s.cfg.SourceAllow {
			if strings.HasPrefix(rawURL, prefix) {
				return "", nil
			}
		}
		return "", sourceError(rawURL, "not an allowed source (SLUICE_SOURCE_ALLOW)")
	case "file":
		return s.checkFileSource(rawURL, u)
	default:
		return "", sourceError(rawURL, "unsupported scheme %q: use http://, https:// or file://", u.Scheme)
	}
}

// checkFileSource resolves a file URL inside SLUICE_SOURCE_DIR: no "..", and no symbolic link
// that leads out of the folder.
func (s *Server) checkFileSource(rawURL string, u *url.URL) (string, error) {
	if s.cfg.SourceDir == "" {
		return "", sourceError(rawURL, "file sources are disabled (set SLUICE_SOURCE_DIR to allow a folder)")
	}
	if u.Host != "" && u.Host != "localhost" {
		return "", sourceError(rawURL, "a file URL names no host: file:///path")
	}
	for _, segment := range strings.Split(u.Path, "/") {
		if segment == ".." {
			return "", sourceError(rawURL, `".." is not allowed in a file source`)
		}
	}
	if !filepath.IsAbs(u.Path) {
		return "", sourceError(rawURL, "a file source needs an absolute path")
	}
	dir, err := filepath.EvalSymlinks(s.cfg.SourceDir)
	if err != nil {
		return "", sourceError(rawURL, "SLUICE_SOURCE_DIR: %v", err)
	}
	if dir, err = filepath.Abs(dir); err != nil {
		return "", sourceError(rawURL, "SLUICE_SOURCE_DIR: %v", err)
	}
	path, err := filepath.EvalSymlinks(filepath.Clean(u.Path))
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return "", sourceError(rawURL, "no such file")
		}
		return "", sourceError(rawURL, "%v", err)
	}
	if !strings.HasPrefix(path, dir+string(filepath.Separator)) {
		return "", sourceError(rawURL, "outside SLUICE_SOURCE_DIR")
	}
	return path, nil
}

// openSource opens a source for reading, gunzipped when its first bytes are gzip's magic
// (whatever its name or headers say). Errors, then and while reading, name the URL.
func (s *Server) openSource(ctx context.Context, rawURL string) (io.ReadCloser, error) {
	path, err := s.checkSource(rawURL)
	if err != nil {
		return nil, err
	}
	var body io.ReadCloser
	cancel := func() {}
	if path != "" {
		f, err := os.Open(path)
		if err != nil {
			return nil, sourceError(rawURL, "%v", err)
		}
		body = f
	} else {
		ctx, cancelCause := context.WithCancelCause(ctx)
		cancel = func() { cancelCause(nil) }
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, rawURL, nil)
		if err != nil {
			cancel()
			return nil, sourceError(rawURL, "%v", err)
		}
		client := &http.Client{
			Transport: sourceTransport,
			CheckRedirect: func(next *http.Request, via []*http.Request) error {
				if len(via) >= 10 {
					return errors.New("too many redirects")
				}
				if next.URL.Scheme != "http" && next.URL.Scheme != "https" {
					return fmt.Errorf("redirected to %s", next.URL.Redacted())
				}
				_, err := s.checkSource(next.URL.String())
				return err
			},
		}
		resp, err := client.Do(req)
		if err != nil {
			cancel()
			var he *httpError
			if errors.As(err, &he) {
				return nil, he
			}
			return nil, sourceError(rawURL, "unreachable: %v", unwrapURLError(err))
		}
		if resp.StatusCode != http.StatusOK {
			resp.Body.Close()
			cancel()
			return nil, sourceError(rawURL, "answered %s", resp.Status)
		}
		body = newIdleReader(resp.Body, cancelCause)
	}
	r := &sourceReader{url: rawURL, body: body, cancel: cancel}
	buffered := bufio.NewReaderSize(body, 64<<10)
	magic, err := buffered.Peek(2)
	if err != nil && err != io.EOF {
		r.Close()
		return nil, sourceError(rawURL, "reading: %v", err)
	}
	r.r = buffered
	if len(magic) == 2 && magic[0] == 0x1f && magic[1] == 0x8b {
		gz, err := gzip.NewReader(buffered)
		if err != nil {
			r.Close()
			return nil, sourceError(rawURL, "gzip: %v", err)
		}
		r.r = gz
	}
	return r, nil
}

// unwrapURLError drops the "Get <url>:" that *url.Error adds (the message names the URL).
func unwrapURLError(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}

// sourceReader reads a source; its read errors name the URL.
type sourceReader struct {
	url    string
	r      io.Reader
	body   io.Closer
	cancel func()
}

func (r *sourceReader) Read(p []byte) (int, error) {
	n, err := r.r.Read(p)
	if err != nil && err != io.EOF {
		err = sourceError(r.url, "reading: %v", unwrapURLError(err))
	}
	return n, err
}

func (r *sourceReader) Close() error {
	err := r.body.Close()
	r.cancel()
	return err
}

// idleReader cancels a fetch that sends nothing for sourceIdleTimeout.
type idleReader struct {
	body  io.ReadCloser
	timer *time.Timer
	once  sync.Once
}

var errSourceIdle = fmt.Errorf("no data for %v", sourceIdleTimeout)

func newIdleReader(body io.ReadCloser, cancel context.CancelCauseFunc) *idleReader {
	return &idleReader{body: body, timer: time.AfterFunc(sourceIdleTimeout, func() { cancel(errSourceIdle) })}
}

func (r *idleReader) Read(p []byte) (int, error) {
	n, err := r.body.Read(p)
	if n > 0 {
		r.timer.Reset(sourceIdleTimeout)
	}
	if err != nil && err != io.EOF && !r.timer.Stop() {
		err = errSourceIdle
	}
	return n, err
}

func (r *idleReader) Close() error {
	r.once.Do(func() { r.timer.Stop() })
	return r.body.Close()
}
