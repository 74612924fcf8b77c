package proxy

import (
	"context"
	"encoding/json"
	"errors"
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

// The channels the import tables notify on (migrations/000007_load.up.sql): an input may be
// waiting to be claimed; a job (the payload) was cancelled.
const (
	importInputChannel  = "sluice_import_input"
	importCancelChannel = "sluice_import_cancel"
)

// importRecheck is how often an idle worker looks for inputs, and a busy one checks whether its
// job was cancelled, without a notification: for one lost while the listener reconnects.
const importRecheck = 30 * time.Second

// errImportCancelled stops the load of an input whose job was cancelled.
var errImportCancelled = errors.New("the import was cancelled")

// importWake wakes this server's idle workers when an input may be waiting, and the watchers
// of a running input when its job may have been cancelled; its zero value is ready.
type importWake struct {
	once sync.Once
	ch   chan struct{}

	mu       sync.Mutex
	watchers map[string]map[chan struct{}]bool // job id: the pokes of its running inputs' watchers
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

// watch registers a watcher of job jobID; its channel is poked when the job may have been
// cancelled. unwatch removes it.
func (w *importWake) watch(jobID string) chan struct{} {
	poke := make(chan struct{}, 1)
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.watchers == nil {
		w.watchers = make(map[string]map[chan struct{}]bool)
	}
	if w.watchers[jobID] == nil {
		w.watchers[jobID] = make(map[chan struct{}]bool)
	}
	w.watchers[jobID][poke] = true
	return poke
}

func (w *importWake) unwatch(jobID string, poke chan struct{}) {
	w.mu.Lock()
	defer w.mu.Unlock()
	delete(w.watchers[jobID], poke)
	if len(w.watchers[jobID]) == 0 {
		delete(w.watchers, jobID)
	}
}

// cancelled pokes the watchers of job jobID, or of every job when jobID is "".
func (w *importWake) cancelled(jobID string) {
	w.mu.Lock()
	defer w.mu.Unlock()
	for job, pokes := range w.watchers {
		if jobID != "" && job != jobID {
			continue
		}
		for poke := range pokes {
			select {
			case poke <- struct{}{}:
			default:
			}
		}
	}
}

// listenImports turns the import tables' notifications into wake-ups, on a connection of its
// own (a pooled one would be held for good), until ctx ends; it reconnects after an error.
func (s *Server) listenImports(ctx context.Context) {
	for {
		err := s.listenImportsOnce(ctx)
		if ctx.Err() != nil {
			return
		}
		slog.Warn("import listener, reconnecting", "err", err)
		select {
		case <-ctx.Done():
			return
		case <-time.After(time.Second):
		}
	}
}

func (s *Server) listenImportsOnce(ctx context.Context) error {
	conn, err := pgx.ConnectConfig(ctx, s.pool.Config().ConnConfig.Copy())
	if err != nil {
		return err
	}
	defer conn.Close(context.WithoutCancel(ctx))
	if _, err := conn.Exec(ctx, "listen "+importInputChannel+"; listen "+importCancelChannel); err != nil {
		return err
	}
	// What was notified while no connection listened is looked at now.
	s.imports.signal()
	s.imports.cancelled("")
	for {
		n, err := conn.WaitForNotification(ctx)
		if err != nil {
			return err
		}
		switch n.Channel {
		case importInputChannel:
			s.imports.signal()
		case importCancelChannel:
			s.imports.cancelled(n.Payload)
		}
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

// StartImportWorkers starts the $import workers (Config.ImportWorkers, default 2). They stop
// when ctx ends: an input being loaded then is rolled back and stays waiting, for this server
// after a restart or for another one. The returned function waits until they have stopped.
func (s *Server) StartImportWorkers(ctx context.Context) (wait func()) {
	var wg sync.WaitGroup
	wg.Go(func() { s.listenImports(ctx) })
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
		timer := time.NewTimer(importRecheck)
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

	written, err := s.importInput(runCtx, tx, in)
	total := written.Total
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
// operator when the operator created the job; once the lines are staged it records their
// count for the status's running count (sluice.import_progress).
func (s *Server) importInput(ctx context.Context, tx pgx.Tx, in gen.ImportInputClaimRow) (gen.LoadMergeRow, error) {
	src, err := s.sources.Open(ctx, in.Url)
	if err != nil {
		return gen.LoadMergeRow{}, err
	}
	defer src.Close()
	spec := loadSpec{resourceType: in.ResourceType, fhir: in.Type == "fhir", update: in.Update, operator: !in.ClientID.Valid}
	return s.loadInto(ctx, tx, spec, src, func(lines int64) error {
		return s.q.ImportProgress(ctx, s.pool, gen.ImportProgressParams{Key: in.Key, Pid: int32(tx.Conn().PgConn().PID()), Lines: lines})
	})
}

// watchImportJob cancels a running input's context when its job is cancelled: it checks the
// job when it starts (a cancel may have come before it watched), when the listener pokes it,
// and every importRecheck.
func (s *Server) watchImportJob(ctx context.Context, cancel context.CancelCauseFunc, jobID string) {
	poke := s.imports.watch(jobID)
	defer s.imports.unwatch(jobID, poke)
	ticker := time.NewTicker(importRecheck)
	defer ticker.Stop()
	for {
		cancelled, err := s.q.ImportJobCancelled(ctx, s.pool, jobID)
		if err == nil && cancelled {
			cancel(errImportCancelled)
			return
		}
		select {
		case <-ctx.Done():
			return
		case <-ticker.C:
		case <-poke:
		}
	}
}
