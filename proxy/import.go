package proxy

import (
	"context"
	"encoding/json"
	"net/http"

	"github.com/jackc/pgx/v5/pgtype"

	"github.com/sluice-fhir/sluice/gen"
	"github.com/sluice-fhir/sluice/internal/bulk"
)

// clientArg is the caller of ctx as the import functions take it (p_client): its Client id, or
// null for the operator. A context without a caller is a Client with no id, never the operator.
func clientArg(ctx context.Context) pgtype.Text {
	c := callerOf(ctx)
	return pgtype.Text{String: c.id, Valid: !c.operator}
}

// importRequest is the part of a $import body the proxy checks before the database does.
type importRequest struct {
	Inputs []struct {
		URL string `json:"url"`
	} `json:"inputs"`
}

// importStart serves POST /[fhir/]$import: the job and its inputs become rows, which the
// workers of any server sharing the database load (docs/import.md). As in Aidbox the answer is
// 200 at once with the status URL in Content-Location; the body is the job's status as created
// (Aidbox sends none; a client that ignores bodies is unaffected, and one that did not choose
// an id reads it there).
func (s *Server) importStart(w http.ResponseWriter, r *http.Request, rt route) error {
	body, err := readBody(r, w, s.cfg.MaxBodyBytes)
	if err != nil {
		return err
	}
	var req importRequest
	if err := json.Unmarshal(body, &req); err != nil {
		return errorf(http.StatusUnprocessableEntity, "$import body: %v", err)
	}
	for _, in := range req.Inputs {
		if in.URL == "" {
			continue // sluice.import_create names the input
		}
		if _, err := s.sources.Check(in.URL); err != nil {
			return err
		}
	}
	kind := "aidbox"
	if rt.fhir {
		kind = "fhir"
		if err := bulk.Preflight(r.Context(), s.pool, s.q, bulk.Spec{FHIR: true}); err != nil {
			return err
		}
	}
	status, err := s.q.ImportCreate(r.Context(), s.pool, gen.ImportCreateParams{Type: kind, Request: body, Client: clientArg(r.Context())})
	if err != nil {
		return err
	}
	var job struct {
		ID string `json:"id"`
	}
	if err := json.Unmarshal(status, &job); err != nil {
		return err
	}
	s.imports.Wake()
	w.Header().Set("Content-Location", "/BulkImportStatus/"+job.ID)
	writeJSON(w, http.StatusOK, status)
	return nil
}

// importStatus serves GET /BulkImportStatus/<id>: 404 to a client whose job it is not.
func (s *Server) importStatus(w http.ResponseWriter, r *http.Request, rt route) error {
	status, err := s.q.ImportStatus(r.Context(), s.pool, gen.ImportStatusParams{ID: rt.id, Client: clientArg(r.Context())})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, status)
	return nil
}

// importCancel serves DELETE /BulkImportStatus/<id>: waiting inputs are cancelled now; a
// running one is rolled back by its worker, which the cancel's notification wakes.
// Like the status, it is 404 to a client whose job it is not.
func (s *Server) importCancel(w http.ResponseWriter, r *http.Request, rt route) error {
	status, err := s.q.ImportCancel(r.Context(), s.pool, gen.ImportCancelParams{ID: rt.id, Client: clientArg(r.Context())})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, status)
	return nil
}

// StartImportWorkers starts the $import workers (Config.ImportWorkers, default 2; internal/bulk).
// They stop when ctx ends: an input being loaded then is rolled back and stays waiting, for
// this server after a restart or for another one. The returned function waits until they have
// stopped.
func (s *Server) StartImportWorkers(ctx context.Context) (wait func()) {
	return s.imports.Start(ctx)
}
