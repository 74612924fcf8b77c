package proxy

import (
	"io"
	"net/http"
	"strconv"

	"github.com/sluice-fhir/sluice/internal/export"
)

// The handlers of the bulk exports: they parse the request, run an engine of internal/export
// into a response stream (dumpstream.go) and end the response by what happened.

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
