package source

import (
	"bufio"
	"compress/gzip"
	"context"
	"crypto/tls"
	"crypto/x509"
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
	"sync/atomic"
	"time"

	"github.com/sluice-fhir/sluice/internal/status"
	"github.com/sluice-fhir/sluice/internal/transfer"
)

// Bounds of a source fetch before its body flows; once it does, the minimum transfer rate
// (Config.MinTransferRate over Config.TransferWindow) cuts off a source that trickles.
const (
	sourceDialTimeout   = 10 * time.Second
	sourceHeaderTimeout = 60 * time.Second
	sourceMaxRedirects  = 10
)

// Config is the source policy and the transfer rate a fetch must keep up.
type Config struct {
	// Allow, when not empty, lists the URL prefixes that may be fetched (SLUICE_SOURCE_ALLOW).
	Allow []string
	// AllowPrivate lets fetches connect to non-public addresses (SLUICE_SOURCE_ALLOW_PRIVATE).
	AllowPrivate bool
	// Dir, when set, is the folder file:// sources may read (SLUICE_SOURCE_DIR).
	Dir string
	// MinTransferRate (bytes per second, <= 0: no check) and TransferWindow: a fetch whose
	// body moves slower over a window is cut off (internal/transfer).
	MinTransferRate int64
	TransferWindow  time.Duration
}

// Fetcher opens sources under the source policy: the SLUICE_SOURCE_ALLOW prefixes, parsed
// once, and (unless Config.AllowPrivate) no connection to an address that is not public,
// checked on every address actually dialled (policy.go).
type Fetcher struct {
	cfg   Config
	allow []sourceLocation
	// allowErr is an unparsable SLUICE_SOURCE_ALLOW entry; then every http(s) source is
	// refused rather than any allowed (the command refuses to start on it first).
	allowErr error
	client   *http.Client
}

// NewFetcher returns a Fetcher applying cfg.
func NewFetcher(cfg Config) *Fetcher {
	f := &Fetcher{cfg: cfg}
	f.allow, f.allowErr = parseSourceAllow(cfg.Allow)
	dialer := &net.Dialer{Timeout: sourceDialTimeout, KeepAlive: 30 * time.Second}
	if !cfg.AllowPrivate {
		dialer.ControlContext = refuseNonPublicAddress
	}
	f.client = &http.Client{
		Transport: &http.Transport{
			// No proxy from the environment: through a proxy the address dialled (and checked)
			// would be the proxy's, and the proxy would reach private addresses for us.
			Proxy:                 nil,
			DialContext:           dialer.DialContext,
			TLSHandshakeTimeout:   sourceDialTimeout,
			ResponseHeaderTimeout: sourceHeaderTimeout,
			IdleConnTimeout:       90 * time.Second,
			MaxIdleConnsPerHost:   4,
		},
		CheckRedirect: f.checkRedirect,
	}
	return f
}

// checkRedirect applies the source policy to every hop; the dial of each checks its address.
func (f *Fetcher) checkRedirect(next *http.Request, via []*http.Request) error {
	first := via[0].URL.String()
	if len(via) >= sourceMaxRedirects {
		return sourceError(first, "more than %d redirects", sourceMaxRedirects)
	}
	if next.URL.Scheme != "http" && next.URL.Scheme != "https" {
		return sourceError(first, "redirected to %s: only http:// and https:// redirects are followed", RedactURL(next.URL.String()))
	}
	if err := f.check(next.URL); err != nil {
		return sourceError(first, "redirected to %s: %v", RedactURL(next.URL.String()), err)
	}
	return nil
}

// check applies SLUICE_SOURCE_ALLOW to an http(s) URL. With an allow-list, a URL with
// user:password@ is refused: it is where a prefix check is most easily fooled, and
// allow-listed sources can carry their credentials in the query (pre-signed URLs).
func (f *Fetcher) check(u *url.URL) error {
	if u.Host == "" {
		return errors.New("the URL has no host")
	}
	if f.allowErr != nil {
		return fmt.Errorf("no http(s) source is allowed: %v", f.allowErr)
	}
	if len(f.allow) == 0 {
		return nil
	}
	if u.User != nil {
		return errors.New("user:password@ in a source URL is not allowed when SLUICE_SOURCE_ALLOW is set")
	}
	loc, err := locationOf(u)
	if err != nil {
		return fmt.Errorf("not an allowed source (SLUICE_SOURCE_ALLOW): %v", err)
	}
	for _, prefix := range f.allow {
		if prefix.contains(loc) {
			return nil
		}
	}
	return errors.New("not an allowed source (SLUICE_SOURCE_ALLOW)")
}

// sourceError is a source that cannot be read; it fails the load with 422. The URL shows
// redacted: no password, no query values (pre-signed URLs carry their signature there).
func sourceError(rawURL string, format string, args ...any) error {
	return status.Errorf(http.StatusUnprocessableEntity, "source %s: %s", RedactURL(rawURL), fmt.Sprintf(format, args...))
}

// Check applies the source policy to a URL without fetching it: http and https URLs,
// restricted to the SLUICE_SOURCE_ALLOW prefixes when there are any; file URLs only when
// SLUICE_SOURCE_DIR is set, and then only inside it. It returns the file path of a file URL.
func (f *Fetcher) Check(rawURL string) (path string, err error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		return "", sourceError(rawURL, "not a URL")
	}
	switch u.Scheme {
	case "http", "https":
		if err := f.check(u); err != nil {
			return "", sourceError(rawURL, "%v", err)
		}
		return "", nil
	case "file":
		return f.checkFileSource(rawURL, u)
	default:
		return "", sourceError(rawURL, "unsupported scheme %q: use http://, https:// or file://", u.Scheme)
	}
}

// checkFileSource resolves a file URL inside SLUICE_SOURCE_DIR: no "..", and no symbolic link
// that leads out of the folder.
func (f *Fetcher) checkFileSource(rawURL string, u *url.URL) (string, error) {
	if f.cfg.Dir == "" {
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
	dir, err := filepath.EvalSymlinks(f.cfg.Dir)
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

// Open opens a source for reading, gunzipped when its first bytes are gzip's magic
// (whatever its name or headers say). Errors, then and while reading, name the URL.
func (f *Fetcher) Open(ctx context.Context, rawURL string) (io.ReadCloser, error) {
	path, err := f.Check(rawURL)
	if err != nil {
		return nil, err
	}
	r := &sourceReader{url: rawURL, cancel: func() {}}
	if path != "" {
		file, err := os.Open(path)
		if err != nil {
			return nil, sourceError(rawURL, "%v", err)
		}
		r.body = file
	} else {
		body, fetchCtx, cancel, err := f.fetch(ctx, rawURL)
		if err != nil {
			return nil, err
		}
		r.body, r.ctx, r.cancel = body, fetchCtx, cancel
	}
	buffered := bufio.NewReaderSize(r.body, 64<<10)
	magic, err := buffered.Peek(2)
	if err != nil && err != io.EOF {
		r.Close()
		return nil, r.readError(err)
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

// fetch GETs an http(s) source and returns its body, metered against the minimum transfer
// rate; cancel ends the fetch (and is the way the meter cuts it off, with its reason as the
// context's cause).
func (f *Fetcher) fetch(ctx context.Context, rawURL string) (io.ReadCloser, context.Context, func(), error) {
	ctx, cancelCause := context.WithCancelCause(ctx)
	cancel := func() { cancelCause(nil) }
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, rawURL, nil)
	if err != nil {
		cancel()
		return nil, nil, nil, sourceError(rawURL, "not a URL")
	}
	resp, err := f.client.Do(req)
	if err != nil {
		cancel()
		var he *status.Error
		var refused *refusedAddressError
		switch {
		case errors.As(err, &he):
			return nil, nil, nil, he
		case errors.As(err, &refused):
			return nil, nil, nil, sourceError(rawURL, "%v", refused)
		}
		return nil, nil, nil, sourceError(rawURL, "unreachable: %s", fetchFailure(err))
	}
	if resp.StatusCode != http.StatusOK {
		resp.Body.Close()
		cancel()
		// The code and its standard text only: the reason phrase and the body are the
		// source's words, and a refused or failing source must not speak through sluice.
		return nil, nil, nil, sourceError(rawURL, "answered %d %s", resp.StatusCode, http.StatusText(resp.StatusCode))
	}
	meter := &meteredBody{body: resp.Body, minRate: f.cfg.MinTransferRate, window: f.cfg.TransferWindow, onSlow: cancelCause}
	return meter, ctx, cancel, nil
}

// fetchFailure says why a fetch got no answer, in words of sluice's own: the errors of a
// failed exchange may quote what the other side sent (a malformed answer, for instance),
// which is how a fetch would read services it was never meant to reach.
func fetchFailure(err error) string {
	var dns *net.DNSError
	var op *net.OpError
	var netErr net.Error
	var unknownAuthority x509.UnknownAuthorityError
	var wrongHost x509.HostnameError
	var invalidCert x509.CertificateInvalidError
	var notTLS tls.RecordHeaderError
	switch {
	case errors.Is(err, context.Canceled):
		return "cancelled"
	case errors.As(err, &dns):
		if dns.IsNotFound {
			return fmt.Sprintf("no such host %s", dns.Name)
		}
		return fmt.Sprintf("cannot resolve %s", dns.Name)
	case errors.As(err, &op) && op.Op == "dial":
		if op.Timeout() {
			return fmt.Sprintf("no connection within %v", sourceDialTimeout)
		}
		return fmt.Sprintf("cannot connect: %v", op.Err)
	case errors.As(err, &netErr) && netErr.Timeout():
		return fmt.Sprintf("no answer within %v", sourceHeaderTimeout)
	case errors.As(err, &unknownAuthority):
		return "its TLS certificate is signed by an unknown authority"
	case errors.As(err, &wrongHost):
		return "its TLS certificate is for another host"
	case errors.As(err, &invalidCert):
		return "its TLS certificate is not valid (expired, or not for a server)"
	case errors.As(err, &notTLS):
		return "not a TLS server"
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return "the connection closed before an answer"
	default:
		return "no valid HTTP answer"
	}
}

// meteredBody counts what a source sends, for a rateGuard that cuts off the fetch (onSlow)
// when too little arrives per window. The guard starts at the first read of the consumer
// (start), not when the answer arrives: a load may wait for its database connection after
// opening its source, and that wait is not the source's slowness. It stops at the end of the
// body, so the merge that follows the last byte is not measured either.
type meteredBody struct {
	body    io.ReadCloser
	minRate int64
	window  time.Duration
	onSlow  context.CancelCauseFunc
	guard   atomic.Pointer[transfer.Guard]
	start   sync.Once
	end     sync.Once
}

func (b *meteredBody) Read(p []byte) (int, error) {
	n, err := b.body.Read(p)
	if g := b.guard.Load(); g != nil {
		g.Add(n)
	}
	if err != nil {
		b.stop()
	}
	return n, err
}

// begin starts measuring the rate.
func (b *meteredBody) begin() {
	b.start.Do(func() { b.guard.Store(transfer.NewGuard(b.minRate, b.window, b.onSlow)) })
}

func (b *meteredBody) stop() {
	b.end.Do(func() {
		b.start.Do(func() {}) // a body that ends before it was measured never is
		if g := b.guard.Load(); g != nil {
			g.Stop()
		}
	})
}

func (b *meteredBody) Close() error {
	b.stop()
	return b.body.Close()
}

// sourceReader reads a source; its read errors name the URL and, for a fetch cut off, why.
type sourceReader struct {
	url    string
	r      io.Reader
	body   io.ReadCloser
	ctx    context.Context // the fetch's, nil for a file
	cancel func()
}

func (r *sourceReader) Read(p []byte) (int, error) {
	if meter, ok := r.body.(*meteredBody); ok {
		meter.begin()
	}
	n, err := r.r.Read(p)
	if err != nil && err != io.EOF {
		err = r.readError(err)
	}
	return n, err
}

// readError names the URL and the reason a read failed: the fetch's cause when it was cut
// off (too slow), else the error itself without the URL that *url.Error repeats (unredacted).
func (r *sourceReader) readError(err error) error {
	if r.ctx != nil && r.ctx.Err() != nil {
		if cause := context.Cause(r.ctx); cause != nil && !errors.Is(cause, context.Canceled) {
			err = cause
		}
	}
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	return sourceError(r.url, "reading: %v", err)
}

func (r *sourceReader) Close() error {
	err := r.body.Close()
	r.cancel()
	return err
}
