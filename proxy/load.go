package proxy

import (
	"encoding/json"
	"fmt"
	"net/http"

	"github.com/jackc/pgx/v5"

	"github.com/sluice-fhir/sluice/gen"
	"github.com/sluice-fhir/sluice/internal/bulk"
)

// loadRequest is the body of POST /[fhir/][<type>/]$load.
type loadRequest struct {
	Source     string          `json:"source"`
	Update     bool            `json:"update"`
	StripNulls bool            `json:"strip-nulls"`
	Merge      json.RawMessage `json:"merge"`
}

// load serves POST /[fhir/][<type>/]$load (docs/api.md, "Bulk load"): the source streams through the
// stager into COPY, and sluice.load_merge writes the staged lines, all in one transaction
// (internal/bulk).
func (s *Server) load(w http.ResponseWriter, r *http.Request, rt route) error {
	body, err := readBody(r, w, s.cfg.MaxBodyBytes)
	if err != nil {
		return err
	}
	var req loadRequest
	if err := json.Unmarshal(body, &req); err != nil {
		return errorf(http.StatusUnprocessableEntity, "$load body: %v", err)
	}
	if req.Source == "" {
		return errorf(http.StatusUnprocessableEntity, "$load needs a source: the URL of an NDJSON file")
	}
	spec := bulk.Spec{ResourceType: rt.resourceType, FHIR: rt.fhir, Update: req.Update, StripNulls: req.StripNulls,
		Operator: callerOf(r.Context()).operator}
	if len(req.Merge) > 0 && string(req.Merge) != "null" {
		if req.Merge[0] != '{' {
			return errorf(http.StatusUnprocessableEntity, "merge must be an object")
		}
		spec.Merge = req.Merge
	}
	if err := bulk.Preflight(r.Context(), s.pool, s.q, spec); err != nil {
		return err
	}
	ctx, cancel := bulk.WithDeadline(r.Context(), s.loadLimits)
	defer cancel()
	src, err := s.sources.Open(ctx, req.Source)
	if err != nil {
		return bulk.Failure(ctx, err)
	}
	defer src.Close()

	var written gen.LoadMergeRow
	err = pgx.BeginFunc(ctx, s.bulk, func(tx pgx.Tx) error {
		written, err = bulk.Load(ctx, tx, s.q, spec, src, s.loadLimits)
		return err
	})
	if err != nil {
		return bulk.Failure(ctx, err)
	}
	s.metrics.streamed("$load", 0, written.Total)
	if spec.ResourceType == "" {
		writeJSON(w, http.StatusOK, written.Counts)
		return nil
	}
	writeJSON(w, http.StatusOK, fmt.Appendf(nil, `{"total":%d}`, written.Total))
	return nil
}
