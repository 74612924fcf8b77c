package proxy

import (
	"bufio"
	"compress/gzip"
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/sluice-fhir/sluice/internal/transfer"
)

// Streaming export responses ($dump, $dump-csv, $dump-sql).
//
// Bytes go producer -> a fixed-size buffer -> [gzip ->] the ResponseWriter, so memory stays
// flat whatever the size of the export. The status and headers are sent with the first byte
// that leaves the buffer (or when an export ends empty): until then an error can still become
// an ordinary OperationOutcome answer. After that, an error aborts the response without the
// terminating chunk (abortStream), so clients see a truncated body, never a short "complete" one.

const (
	// streamBufferSize is the buffer in front of the response: chunks of about this size.
	streamBufferSize = 64 << 10
	// streamFlushInterval bounds how long bytes wait in the buffer when rows trickle in.
	streamFlushInterval = 200 * time.Millisecond
)

var (
	streamBuffers = sync.Pool{New: func() any { return bufio.NewWriterSize(nil, streamBufferSize) }}
	gzipWriters   = sync.Pool{New: func() any {
		// BestSpeed: exports are large and the client's time matters more than a few percent.
		w, _ := gzip.NewWriterLevel(nil, gzip.BestSpeed)
		return w
	}}
)

// exportStream is the body of a streaming export response.
type exportStream struct {
	w           http.ResponseWriter
	rc          *http.ResponseController
	contentType string
	buf         *bufio.Writer
	gz          *gzip.Writer // nil when the response is not compressed
	committed   bool         // status and headers are sent: errors can only abort now
	lastFlush   time.Time
	pace        clientPace
	// sent is the bytes sent to the client so far, counted per buffer (the metrics).
	sent int64
}

// clientPace holds a client to the minimum transfer rate (Config.MinTransferRate) while the
// server waits on it, and only then: time the database takes between rows does not count.
// It is a token bucket of time: every byte sent earns 1/minRate seconds, the credit is capped
// at one window (Config.TransferWindow), and each write to the client must finish before the
// credit runs out, enforced by the connection's write deadline (which a write blocked on a
// full socket buffer obeys). minRate <= 0 turns it off.
type clientPace struct {
	minRate int64
	window  time.Duration
	credit  time.Duration
	// until, when set, is a write deadline of the whole response that no write may pass
	// ($dump-sql's): the pace's deadlines never extend it, and it is put back after each write.
	until time.Time
}

// wait runs fn, a write of n bytes to the client, under the pace's deadline.
func (p *clientPace) wait(rc *http.ResponseController, n int, fn func() error) error {
	if p.minRate <= 0 {
		return fn()
	}
	earned := time.Duration(float64(n) / float64(p.minRate) * float64(time.Second))
	start := time.Now()
	deadline := start.Add(p.credit + earned)
	if !p.until.IsZero() && p.until.Before(deadline) {
		deadline = p.until
	}
	if err := rc.SetWriteDeadline(deadline); err != nil && !errors.Is(err, http.ErrNotSupported) {
		return err
	}
	err := fn()
	elapsed := time.Since(start)
	rc.SetWriteDeadline(p.until) // net/http's own last writes come after ours
	if p.credit = min(p.window, p.credit+earned-elapsed); err != nil && errors.Is(err, os.ErrDeadlineExceeded) {
		return &transfer.SlowError{Moved: -1, Window: p.window, MinRate: p.minRate}
	}
	return err
}

// newExportStream prepares a 200 response of contentType, gzip-compressed when compress.
// Nothing is sent until the first bytes leave the buffer. Call close (success) or release
// (failure) exactly once.
func (srv *Server) newExportStream(w http.ResponseWriter, contentType string, compress bool) *exportStream {
	s := &exportStream{w: w, rc: http.NewResponseController(w), contentType: contentType, lastFlush: time.Now(),
		pace: clientPace{minRate: srv.cfg.MinTransferRate, window: srv.cfg.TransferWindow, credit: srv.cfg.TransferWindow}}
	var sink io.Writer = (*responseSink)(s)
	if compress {
		s.gz = gzipWriters.Get().(*gzip.Writer)
		s.gz.Reset(sink)
		sink = s.gz
	}
	s.buf = streamBuffers.Get().(*bufio.Writer)
	s.buf.Reset(sink)
	return s
}

// Write buffers p; the buffer is passed on when full, and at least every streamFlushInterval
// while rows keep coming, so a slow export still reaches the client as it goes.
func (s *exportStream) Write(p []byte) (int, error) {
	n, err := s.buf.Write(p)
	if err == nil && time.Since(s.lastFlush) >= streamFlushInterval {
		err = s.flush()
	}
	return n, err
}

// WriteString is Write for strings (bufio and csv use it).
func (s *exportStream) WriteString(str string) (int, error) {
	n, err := s.buf.WriteString(str)
	if err == nil && time.Since(s.lastFlush) >= streamFlushInterval {
		err = s.flush()
	}
	return n, err
}

// flush pushes everything buffered (and compressed so far) to the client.
func (s *exportStream) flush() error {
	s.lastFlush = time.Now()
	if err := s.buf.Flush(); err != nil {
		return err
	}
	if s.gz != nil {
		if err := s.gz.Flush(); err != nil {
			return err
		}
	}
	if !s.committed {
		return nil
	}
	return s.pace.wait(s.rc, 0, func() error {
		if err := s.rc.Flush(); err != nil && !errors.Is(err, http.ErrNotSupported) {
			return err
		}
		return nil
	})
}

// close ends a successful export: the rest of the buffer, the gzip trailer, and the headers
// if nothing was sent yet (an empty export is a 200 with an empty body).
func (s *exportStream) close() error {
	err := s.buf.Flush()
	if err == nil && s.gz != nil {
		err = s.gz.Close()
	}
	if err == nil {
		s.commit()
	}
	s.release()
	return err
}

// release returns the buffers to their pools; the stream is unusable after it.
func (s *exportStream) release() {
	if s.buf != nil {
		s.buf.Reset(nil)
		streamBuffers.Put(s.buf)
		s.buf = nil
	}
	if s.gz != nil {
		s.gz.Reset(io.Discard)
		gzipWriters.Put(s.gz)
		s.gz = nil
	}
}

// commit sends the status and headers once.
func (s *exportStream) commit() {
	if s.committed {
		return
	}
	s.committed = true
	h := s.w.Header()
	h.Set("Content-Type", s.contentType)
	h.Set("X-Content-Type-Options", "nosniff")
	if s.gz != nil {
		h.Set("Content-Encoding", "gzip")
	}
	h.Add("Vary", "Accept-Encoding")
	s.w.WriteHeader(http.StatusOK)
	// Send the headers now: the response is chunked however small it turns out (net/http
	// would give a short body that ends with the handler a Content-Length instead).
	s.rc.Flush()
}

// responseSink is the last writer before the client: it commits the headers on first use.
type responseSink exportStream

func (r *responseSink) Write(p []byte) (int, error) {
	s := (*exportStream)(r)
	s.commit()
	var n int
	err := s.pace.wait(s.rc, len(p), func() (err error) {
		n, err = s.w.Write(p)
		return err
	})
	s.sent += int64(n)
	return n, err
}

// finish ends an export whose producer returned err: a clean end, an OperationOutcome when
// nothing was sent yet, or an aborted response once bytes are out. A client that went away
// gets nothing more either way.
func (s *exportStream) finish(w http.ResponseWriter, r *http.Request, err error) {
	if err == nil {
		if err = s.close(); err == nil {
			return
		}
	} else {
		s.release()
	}
	var limit *httpError
	if errors.As(context.Cause(r.Context()), &limit) {
		err = limit // a limit of the operation (boundedExport) stopped it
	}
	var slow *transfer.SlowError
	switch {
	case errors.As(err, &slow):
		// Not the server's fault: the client reads too slowly and was cut off.
		slog.Info("export cut off: the client reads too slowly", "method", r.Method, "path", r.URL.Path, "err", err)
		panic(http.ErrAbortHandler)
	case limit != nil && s.committed:
		slog.Warn("export stopped at its limit", "method", r.Method, "path", r.URL.Path, "err", err)
		panic(http.ErrAbortHandler)
	case limit == nil && r.Context().Err() != nil:
		// The client disconnected (or the server is shutting down): the query was cancelled
		// through the request's context and nobody is listening.
		slog.Info("export stopped: the client went away", "method", r.Method, "path", r.URL.Path)
		panic(http.ErrAbortHandler)
	case s.committed:
		abortStream(r, err)
	}
	writeError(w, r, err)
}

// abortStream cuts a response whose status is already sent: net/http closes the connection
// without the terminating chunk, so the client sees an incomplete body (an unexpected EOF),
// never a short one that looks whole.
func abortStream(r *http.Request, err error) {
	slog.Error("export aborted after streaming began", "method", r.Method, "path", r.URL.Path, "err", err)
	panic(http.ErrAbortHandler)
}

// wantsGzip is gzip=true, or an Accept-Encoding that accepts gzip when gzip is not given.
// gzip=false turns compression off whatever the client accepts.
func wantsGzip(r *http.Request) (bool, error) {
	if v := r.URL.Query().Get("gzip"); v != "" {
		b, err := strconv.ParseBool(v)
		if err != nil {
			return false, errorf(http.StatusBadRequest, "gzip must be true or false, got %q", v)
		}
		return b, nil
	}
	for _, part := range strings.Split(r.Header.Get("Accept-Encoding"), ",") {
		coding, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		if !strings.EqualFold(strings.TrimSpace(coding), "gzip") {
			continue
		}
		if q, ok := strings.CutPrefix(strings.ReplaceAll(params, " ", ""), "q="); ok {
			if f, err := strconv.ParseFloat(q, 64); err == nil && f == 0 {
				return false, nil
			}
		}
		return true, nil
	}
	return false, nil
}
