package proxy

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"

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
	OnError string `json:"on-error"`
	DryRun  bool   `json:"dry-run"`
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
	if _, err := skipOf(req.OnError); err != nil {
		return err // the workers read "on-error" from the stored request
	}
	if req.DryRun {
		return errorf(http.StatusUnprocessableEntity, `$import has no "dry-run": check a file with $load and "dry-run": true`)
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

// importErrorsPage is how many bad lines importErrors reads at a time.
const importErrorsPage = 1000

// importErrors serves GET /$import-errors/<id>/<position>: every bad line of that input of a
// job with "on-error": "skip" as NDJSON, an OperationOutcome a line ("line 3: no id" in its
// diagnostics), in line order; 404 as for its status. Read a page at a time, so memory stays
// flat however many there are.
func (s *Server) importErrors(w http.ResponseWriter, r *http.Request, rt route) error {
	position, err := strconv.ParseInt(rt.file, 10, 32)
	if err != nil || position < 0 {
		return errorf(http.StatusNotFound, "BulkImportStatus/%s has no input %s", rt.id, rt.file)
	}
	params := gen.ImportErrorsParams{ID: rt.id, Client: clientArg(r.Context()), Position: int32(position), After: 0, MaxRows: importErrorsPage}
	rows, err := s.q.ImportErrors(r.Context(), s.pool, params)
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/fhir+ndjson")
	w.WriteHeader(http.StatusOK)
	for len(rows) > 0 {
		for _, row := range rows {
			w.Write(append(outcome(http.StatusUnprocessableEntity, fmt.Sprintf("line %d: %s", row.LineNo, row.Problem)), '\n'))
		}
		if len(rows) < importErrorsPage {
			return nil
		}
		params.After = rows[len(rows)-1].LineNo
		if rows, err = s.q.ImportErrors(r.Context(), s.pool, params); err != nil {
			panic(http.ErrAbortHandler) // the status is sent: cut the stream short
		}
	}
	return nil
}
