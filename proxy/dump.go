package proxy

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strconv"
	"time"

	"github.com/sluice-fhir/sluice/internal/export"
)

// The handlers of the bulk exports: they parse the request, run an engine of internal/export
// into a response stream (dumpstream.go) and end the response by what happened. $dump-sql's
// also admits the query and sets the deadline of the whole request (export.DumpSQL describes
// the sandbox the query runs in).

// dump serves GET /[fhir/]<type>/$dump: one resource per line, Aidbox format (FHIR format
// under /fhir or with fhir=true), _since (created after), gzip.
func (s *Server) dump(w http.ResponseWriter, r *http.Request, rt route) error {
	query := r.URL.Query()
	fhir := rt.fhir
	if v := query.Get("fhir"); v != "" && !rt.fhir {
		b, err := strconv.ParseBool(v)
		if err != nil {
			return errorf(http.StatusBadRequest, "fhir must be true or false, got %q", v)
		}
		fhir = b
	}
	since, err := export.ParseSince(query.Get("_since"))
	if err != nil {
		return err
	}
	compress, err := wantsGzip(r)
	if err != nil {
		return err
	}

	var stream *exportStream
	err = export.Dump(r.Context(), s.bulk, s.q, rt.resourceType, fhir, since, func() io.Writer {
		stream = s.newExportStream(w, "application/ndjson", compress)
		return stream
	})
	if stream == nil {
		return err
	}
	stream.finish(w, r, err)
	return nil
}

// dumpCSV serves GET /<type>/$dump-csv (export.CSV): RFC 4180 CSV, gzip.
func (s *Server) dumpCSV(w http.ResponseWriter, r *http.Request, rt route) error {
	compress, err := wantsGzip(r)
	if err != nil {
		return err
	}
	var stream *exportStream
	err = export.CSV(r.Context(), s.bulk, s.q, rt.resourceType, func() io.Writer {
		stream = s.newExportStream(w, "text/csv", compress)
		return stream
	})
	if stream == nil {
		return err
	}
	stream.finish(w, r, err)
	return nil
}

const (
	// dumpSQLWriteGrace is how long after the request's deadline the response may still be
	// written: long enough for an OperationOutcome about the deadline, short enough that a
	// client that stopped reading is cut off soon after it.
	dumpSQLWriteGrace = time.Second
)

// dumpSQL serves POST /$dump-sql with {query} in JSON or YAML.
func (s *Server) dumpSQL(w http.ResponseWriter, r *http.Request, rt route) error {
	format := export.DumpSQLFormatOf(r.URL.Query().Get("_format"))
	compress, err := wantsGzip(r)
	if err != nil {
		return err
	}
	body, err := readBody(r, w, s.cfg.MaxBodyBytes)
	if err != nil {
		return err
	}
	var req struct {
		Query *string `json:"query"`
	}
	if err := json.Unmarshal(body, &req); err != nil {
		return errorf(http.StatusBadRequest, "the body must be an object with a query string: %v", err)
	}
	if req.Query == nil {
		return errorf(http.StatusBadRequest, "the body needs a query: {query: \"select ...\"}")
	}
	query := export.TrimQuery(*req.Query)
	if query == "" {
		return errorf(http.StatusBadRequest, "the query is empty")
	}

	leave, err := s.dumpSQLRunning.enter(callerOf(r.Context()), admissionLimits{what: "$dump-sql queries",
		perClient: s.cfg.DumpSQLPerClient, overall: s.cfg.DumpSQLMaxConcurrent,
		perClientName: "SLUICE_DUMP_SQL_PER_CLIENT", overallName: "SLUICE_DUMP_SQL_MAX_CONCURRENT"})
	if err != nil {
		return err
	}
	defer leave()

	deadline := time.Now().Add(s.cfg.DumpSQLTimeout)
	ctx, cancel := context.WithDeadline(r.Context(), deadline)
	defer cancel()
	rc := http.NewResponseController(w)
	rc.SetWriteDeadline(deadline.Add(dumpSQLWriteGrace))
	defer rc.SetWriteDeadline(time.Time{}) // the connection may serve more requests

	var stream *exportStream
	err = export.DumpSQL(ctx, s.pool, s.q, s.dumpSQLConfig(), query, format, func() io.Writer {
		stream = s.newExportStream(w, format.MediaType, compress)
		stream.pace.until = deadline.Add(dumpSQLWriteGrace)
		return stream
	})
	if stream == nil {
		return err
	}
	stream.finish(w, r, err)
	return nil
}

// dumpSQLConfig is the part of the server's configuration export.DumpSQL takes.
func (s *Server) dumpSQLConfig() export.DumpSQLConfig {
	return export.DumpSQLConfig{URL: s.cfg.DumpSQLURL, Timeout: s.cfg.DumpSQLTimeout,
		MaxRowBytes: s.cfg.DumpSQLMaxRowBytes, MaxBytes: s.cfg.DumpSQLMaxBytes}
}
