package proxy

import (
	"net/http"
	"strconv"

	"github.com/jackc/pgx/v5/pgtype"

	"github.com/sluice-fhir/sluice/gen"
)

// historyPageMaxBytes bounds the entries of one history page (sluice.history_page stops
// before the version that would pass it; the first always fits): with _count alone, a page
// of the largest resources could take gigabytes.
const historyPageMaxBytes = 16 << 20

// historyUnsupported are FHIR's history parameters that sluice does not serve: ignoring one
// would answer versions the client did not ask for.
var historyUnsupported = []string{"_since", "_at", "_list", "_sort"}

// vread serves GET /[fhir/]<type>/<id>/_history/<vid>: that version, with its ETag and
// Last-Modified (sluice.resource_vread; 410 for a version that is a deletion).
func (s *Server) vread(w http.ResponseWriter, r *http.Request, rt route) error {
	row, err := s.q.ResourceVread(r.Context(), s.pool, gen.ResourceVreadParams{
		Fhir: rt.fhir, ResourceType: rt.resourceType, ID: rt.id, Version: rt.version})
	if err != nil {
		return err
	}
	w.Header().Set("ETag", `W/"`+row.VersionID+`"`)
	w.Header().Set("Last-Modified", row.LastModified.Time.UTC().Format(http.TimeFormat))
	writeResource(w, rt, http.StatusOK, row.Resource)
	return nil
}

// history serves GET /[fhir/]<type>/<id>/_history: a page of the resource's versions, newest
// first, as a Bundle of type history that sluice.history_page builds. _count (default
// SLUICE_HISTORY_COUNT, lowered to SLUICE_HISTORY_MAX_COUNT) and _versionBefore (where the
// page starts: what the previous page's next link says).
func (s *Server) history(w http.ResponseWriter, r *http.Request, rt route) error {
	query := r.URL.Query()
	for _, name := range historyUnsupported {
		if query.Has(name) {
			return errorf(http.StatusBadRequest, "%s is not supported on _history (supported: _count, _versionBefore)", name)
		}
	}
	count := s.cfg.HistoryCount
	if v := query.Get("_count"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			return errorf(http.StatusBadRequest, "_count must be a positive integer, got %q", v)
		}
		count = n
	}
	count = min(count, s.cfg.HistoryMaxCount)
	var before pgtype.Int8
	if v := query.Get("_versionBefore"); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n < 1 {
			return errorf(http.StatusBadRequest, "_versionBefore must be a version id (a positive integer), got %q", v)
		}
		before = pgtype.Int8{Int64: n, Valid: true}
	}
	bundle, err := s.q.HistoryPage(r.Context(), s.pool, gen.HistoryPageParams{
		Fhir: rt.fhir, ResourceType: rt.resourceType, ID: rt.id, Base: s.requestBase(r, rt),
		Count: int32(count), Before: before, MaxBytes: historyPageMaxBytes})
	if err != nil {
		return err
	}
	writeResource(w, rt, http.StatusOK, []byte(bundle))
	return nil
}

// requestBase is the absolute URL the route's resources live under, as the client reached
// the server: http(s)://<Host>, then /fhir for a FHIR route. It makes the absolute URLs FHIR
// wants in Bundles (fullUrl, links) and the CapabilityStatement.
func (s *Server) requestBase(r *http.Request, rt route) string {
	if rt.fhir {
		return s.baseURL(r) + "/fhir"
	}
	return s.baseURL(r)
}
