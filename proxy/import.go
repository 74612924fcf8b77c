package proxy

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"

	"github.com/sluice-fhir/sluice/gen"
	"github.com/sluice-fhir/sluice/internal/source"
)

// How often an idle worker looks for inputs other servers queued, and how often a busy one
// checks whether its job was cancelled.
const (
	importPollInterval   = time.Second
	importCancelInterval = 500 * time.Millisecond
)

// errImportCancelled stops the load of an input whose job was cancelled.
var errImportCancelled = errors.New("the import was cancelled")

// importWake lets $import wake this server's idle workers at once; its zero value is ready.
type importWake struct {
	once sync.Once
	ch   chan struct{}
}

func (w *importWake) channel() chan struct{} {
	w.once.Do(func() { w.ch = make(chan struct{}, 1) })
	return w.ch
}

// signal wakes one idle worker, if any.
func (w *importWake) signal() {
	select {
	case w.channel() <- struct{}{}:
	default:
	}
}

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
// workers of any server sharing the database load (docs/import.md).
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
		if err := s.loadPreflight(r.Context(), loadSpec{fhir: true}); err != nil {
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
	s.imports.signal()
	w.Header().Set("Content-Location", "/BulkImportStatus/"+job.ID)
	writeJSON(w, http.StatusAccepted, status)
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
// running one is rolled back by its worker, which checks its job every importCancelInterval.
// Like the status, it is 404 to a client whose job it is not.
func (s *Server) importCancel(w http.ResponseWriter, r *http.Request, rt route) error {
	status, err := s.q.ImportCancel(r.Context(), s.pool, gen.ImportCancelParams{ID: rt.id, Client: clientArg(r.Context())})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, status)
	return nil
}

// StartImportWorkers starts the $import workers (Config.ImportWorkers, default 2). They stop
// when ctx ends: an input being loaded then is rolled back and stays waiting, for this server
// after a restart or for another one. The returned function waits until they have stopped.
func (s *Server) StartImportWorkers(ctx context.Context) (wait func()) {
	var wg sync.WaitGroup
	for i := range s.cfg.ImportWorkers { // New made it at least 1
		wg.Go(func() { s.importWorker(ctx, i) })
	}
	return wg.Wait
}

// importWorker loads waiting inputs one at a time until ctx ends.
func (s *Server) importWorker(ctx context.Context, worker int) {
	for ctx.Err() == nil {
		claimed, err := s.importOne(ctx)
		if ctx.Err() != nil {
			return
		}
		if err != nil {
			slog.Error("import worker", "worker", worker, "err", err)
		}
		if claimed {
			s.imports.signal() // there may be more: let an idle worker look too
			continue
		}
		timer := time.NewTimer(importPollInterval)
		select {
		case <-ctx.Done():
		case <-s.imports.channel():
		case <-timer.C:
		}
		timer.Stop()
	}
}

// importOne claims one waiting input and loads it in the transaction that holds its claim,
// marking it finished in that same transaction. It reports whether there was one to claim.
// The input fails, and the worker is free again, once it has run for Config.BulkMaxDuration.
func (s *Server) importOne(ctx context.Context) (bool, error) {
	tx, err := s.bulk.Begin(ctx)
	if err != nil {
		return false, err
	}
	defer tx.Rollback(context.WithoutCancel(ctx))
	perClient := pgtype.Int4{Int32: int32(s.cfg.ImportPerClient), Valid: s.cfg.ImportPerClient > 0}
	in, err := s.q.ImportInputClaim(ctx, tx, perClient)
	if errors.Is(err, pgx.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	started := time.Now()
	shownURL := source.RedactURL(in.Url)
	slog.Info("import input started", "job", in.JobID, "type", in.ResourceType, "url", shownURL)

	cancelCtx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	go s.watchImportJob(cancelCtx, cancel, in.JobID)
	runCtx, stop := s.withLoadDeadline(cancelCtx)
	defer stop()

	counts, err := s.importInput(runCtx, tx, in)
	var total int64
	if err == nil {
		var byType map[string]int64
		if err = json.Unmarshal(counts, &byType); err == nil {
			total = byType[in.ResourceType]
		}
	}
	if err == nil {
		var active bool
		if active, err = s.q.ImportJobActive(runCtx, tx, in.JobID); err == nil && !active {
			err = errImportCancelled
		}
	}
	duration := time.Since(started).Milliseconds()
	if err == nil {
		err = s.q.ImportInputFinish(runCtx, tx, gen.ImportInputFinishParams{Key: in.Key, Total: total, Duration: duration})
	}
	if err == nil {
		err = tx.Commit(runCtx)
	}
	if err == nil {
		slog.Info("import input finished", "job", in.JobID, "type", in.ResourceType, "total", total, "ms", duration)
		return true, nil
	}
	tx.Rollback(context.WithoutCancel(ctx))
	if ctx.Err() != nil {
		return true, nil // shutting down: the input stays waiting
	}
	err = loadFailure(runCtx, err)
	end := gen.ImportInputEndParams{Key: in.Key, Status: "failed", Duration: duration}
	if errors.Is(err, errImportCancelled) {
		end.Status = "cancelled"
	} else {
		status, message := statusOf(err)
		if status == http.StatusInternalServerError {
			slog.Error("import input failed", "job", in.JobID, "url", shownURL, "err", strings.ReplaceAll(err.Error(), in.Url, shownURL))
		}
		// The status shows the error to the job's client, and the log to the operator: neither
		// is the place for the credentials a source URL may carry.
		end.Error.String, end.Error.Valid = strings.ReplaceAll(message, in.Url, shownURL), true
	}
	slog.Info("import input ended", "job", in.JobID, "type", in.ResourceType, "status", end.Status, "error", end.Error.String)
	return true, s.q.ImportInputEnd(ctx, s.pool, end)
}

// importInput fetches an input and loads it in tx (whose backend the claim named), as the
// operator when the operator created the job; once the lines are staged it adds their count
// to the backend's name for the status's running count (sluice.import_backends).
func (s *Server) importInput(ctx context.Context, tx pgx.Tx, in gen.ImportInputClaimRow) ([]byte, error) {
	src, err := s.sources.Open(ctx, in.Url)
	if err != nil {
		return nil, err
	}
	defer src.Close()
	spec := loadSpec{resourceType: in.ResourceType, fhir: in.Type == "fhir", update: in.Update, operator: !in.ClientID.Valid}
	return s.loadInto(ctx, tx, spec, src, func(lines int64) error {
		return s.q.LoadProgressSet(ctx, tx, fmt.Sprintf("sluice-import:%d:%d", in.Key, lines))
	})
}

// watchImportJob cancels a running input's context when its job is cancelled.
func (s *Server) watchImportJob(ctx context.Context, cancel context.CancelCauseFunc, jobID string) {
	ticker := time.NewTicker(importCancelInterval)
	defer ticker.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-ticker.C:
		}
		cancelled, err := s.q.ImportJobCancelled(ctx, s.pool, jobID)
		if err == nil && cancelled {
			cancel(errImportCancelled)
			return
		}
	}
}
