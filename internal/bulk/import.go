package bulk

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/sluice-fhir/sluice/gen"
	"github.com/sluice-fhir/sluice/internal/source"
	"github.com/sluice-fhir/sluice/internal/status"
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

// Config sizes the workers and bounds each input's load.
type Config struct {
	// ImportWorkers is how many inputs this server loads at once (at least 1).
	ImportWorkers int
	// ImportPerClient is how many inputs of one Client run at once across the servers
	// sharing the database; zero or negative: no limit. The operator's inputs have none.
	ImportPerClient int
	Limits          Limits
	// Loaded, when set, is told the rows of each input committed (the server's metrics).
	Loaded func(rows int64)
}

// Workers load the waiting $import inputs (docs/import.md): the job and its inputs are rows,
// which the workers of every server sharing the database claim one at a time.
type Workers struct {
	// pool serves the status, the progress and the listener's settings; bulk the
	// transactions that hold a claim and load its input.
	pool    *pgxpool.Pool
	bulk    *pgxpool.Pool
	q       *gen.Queries
	sources *source.Fetcher
	cfg     Config
	// imports wakes the idle workers and the watchers of running inputs (zero value ready).
	imports importWake
}

// NewWorkers returns the workers of one server; Start starts them.
func NewWorkers(pool, bulk *pgxpool.Pool, q *gen.Queries, sources *source.Fetcher, cfg Config) *Workers {
	return &Workers{pool: pool, bulk: bulk, q: q, sources: sources, cfg: cfg}
}

// Wake tells an idle worker of this server that an input may be waiting (a job was just
// created here), without waiting for the table's notification.
func (w *Workers) Wake() { w.imports.signal() }

// Start starts the workers (Config.ImportWorkers) and their listener. They stop when ctx
// ends: an input being loaded then is rolled back and stays waiting, for this server after a
// restart or for another one. The returned function waits until they have stopped.
func (w *Workers) Start(ctx context.Context) (wait func()) {
	var wg sync.WaitGroup
	wg.Go(func() { w.listenImports(ctx) })
	for i := range max(w.cfg.ImportWorkers, 1) {
		wg.Go(func() { w.importWorker(ctx, i) })
	}
	return wg.Wait
}

// listenImports turns the import tables' notifications into wake-ups, on a connection of its
// own (a pooled one would be held for good), until ctx ends; it reconnects after an error.
func (w *Workers) listenImports(ctx context.Context) {
	for {
		err := w.listenImportsOnce(ctx)
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

func (w *Workers) listenImportsOnce(ctx context.Context) error {
	conn, err := pgx.ConnectConfig(ctx, w.pool.Config().ConnConfig.Copy())
	if err != nil {
		return err
	}
	defer conn.Close(context.WithoutCancel(ctx))
	if _, err := conn.Exec(ctx, "listen "+importInputChannel+"; listen "+importCancelChannel); err != nil {
		return err
	}
	// What was notified while no connection listened is looked at now.
	w.imports.signal()
	w.imports.cancelled("")
	for {
		n, err := conn.WaitForNotification(ctx)
		if err != nil {
			return err
		}
		switch n.Channel {
		case importInputChannel:
			w.imports.signal()
		case importCancelChannel:
			w.imports.cancelled(n.Payload)
		}
	}
}

// importWorker loads waiting inputs one at a time until ctx ends.
func (w *Workers) importWorker(ctx context.Context, worker int) {
	for ctx.Err() == nil {
		claimed, err := w.importOne(ctx)
		if ctx.Err() != nil {
			return
		}
		if err != nil {
			slog.Error("import worker", "worker", worker, "err", err)
		}
		if claimed {
			w.imports.signal() // there may be more: let an idle worker look too
			continue
		}
		timer := time.NewTimer(importRecheck)
		select {
		case <-ctx.Done():
		case <-w.imports.channel():
		case <-timer.C:
		}
		timer.Stop()
	}
}

// importOne claims one waiting input and loads it in the transaction that holds its claim,
// marking it finished in that same transaction. It reports whether there was one to claim.
// The input fails, and the worker is free again, once it has run for Limits.MaxDuration.
func (w *Workers) importOne(ctx context.Context) (bool, error) {
	tx, err := w.bulk.Begin(ctx)
	if err != nil {
		return false, err
	}
	defer tx.Rollback(context.WithoutCancel(ctx))
	perClient := pgtype.Int4{Int32: int32(w.cfg.ImportPerClient), Valid: w.cfg.ImportPerClient > 0}
	in, err := w.q.ImportInputClaim(ctx, tx, perClient)
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
	go w.watchImportJob(cancelCtx, cancel, in.JobID)
	runCtx, stop := WithDeadline(cancelCtx, w.cfg.Limits)
	defer stop()

	written, err := w.importInput(runCtx, tx, in)
	total := written.Total
	if err == nil {
		var active bool
		if active, err = w.q.ImportJobActive(runCtx, tx, in.JobID); err == nil && !active {
			err = errImportCancelled
		}
	}
	duration := time.Since(started).Milliseconds()
	if err == nil {
		err = w.q.ImportInputFinish(runCtx, tx, gen.ImportInputFinishParams{Key: in.Key, Total: total, Duration: duration})
	}
	if err == nil {
		err = tx.Commit(runCtx)
	}
	if err == nil {
		if w.cfg.Loaded != nil {
			w.cfg.Loaded(total)
		}
		slog.Info("import input finished", "job", in.JobID, "type", in.ResourceType, "total", total, "ms", duration)
		return true, nil
	}
	tx.Rollback(context.WithoutCancel(ctx))
	if ctx.Err() != nil {
		return true, nil // shutting down: the input stays waiting
	}
	err = Failure(runCtx, err)
	end := gen.ImportInputEndParams{Key: in.Key, Status: "failed", Duration: duration}
	if errors.Is(err, errImportCancelled) {
		end.Status = "cancelled"
	} else {
		code, message := status.Of(err)
		if code == http.StatusInternalServerError {
			slog.Error("import input failed", "job", in.JobID, "url", shownURL, "err", strings.ReplaceAll(err.Error(), in.Url, shownURL))
		}
		// The status shows the error to the job's client, and the log to the operator: neither
		// is the place for the credentials a source URL may carry.
		end.Error.String, end.Error.Valid = strings.ReplaceAll(message, in.Url, shownURL), true
	}
	slog.Info("import input ended", "job", in.JobID, "type", in.ResourceType, "status", end.Status, "error", end.Error.String)
	return true, w.q.ImportInputEnd(ctx, w.pool, end)
}

// importInput fetches an input and loads it in tx (whose backend the claim named), as the
// operator when the operator created the job; once the lines are staged it records their
// count for the status's running count (sluice.import_progress).
// With "on-error": "skip" its bad lines are kept in sluice.import_error, with the data.
func (w *Workers) importInput(ctx context.Context, tx pgx.Tx, in gen.ImportInputClaimRow) (Result, error) {
	src, err := w.sources.Open(ctx, in.Url)
	if err != nil {
		return Result{}, err
	}
	defer src.Close()
	spec := Spec{ResourceType: in.ResourceType, FHIR: in.Type == "fhir", Update: in.Update, Operator: !in.ClientID.Valid,
		Skip: in.Skip}
	return loadInto(ctx, tx, w.q, spec, src, w.cfg.Limits, pgtype.Int8{Int64: in.Key, Valid: true}, func(lines int64) error {
		return w.q.ImportProgress(ctx, w.pool, gen.ImportProgressParams{Key: in.Key, Pid: int32(tx.Conn().PgConn().PID()), Lines: lines})
	})
}

// watchImportJob cancels a running input's context when its job is cancelled: it checks the
// job when it starts (a cancel may have come before it watched), when the listener pokes it,
// and every importRecheck.
func (w *Workers) watchImportJob(ctx context.Context, cancel context.CancelCauseFunc, jobID string) {
	poke := w.imports.watch(jobID)
	defer w.imports.unwatch(jobID, poke)
	ticker := time.NewTicker(importRecheck)
	defer ticker.Stop()
	for {
		cancelled, err := w.q.ImportJobCancelled(ctx, w.pool, jobID)
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
