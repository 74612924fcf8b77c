package export

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/sluice-fhir/sluice/gen"
	"github.com/sluice-fhir/sluice/internal/status"
)

// FHIR Bulk Data $export jobs (docs/export.md; the tables and the SQL of every file are in
// migrations/000009_bulk_export.up.sql). A worker claims a waiting job in a repeatable-read
// transaction that it keeps open until the job is written; that transaction's exported
// snapshot is imported by the transactions that write the job's parts, TypeWorkers at a time,
// each a `COPY (<sluice.export_query>) TO STDOUT` streamed into files of at most MaxLines lines.

// The channels the export tables notify on: a job was created; a job (the payload) was cancelled.
const (
	exportJobChannel    = "sluice_export_job"
	exportCancelChannel = "sluice_export_cancel"
)

// exportRecheck is how often an idle worker looks for jobs, and a busy one checks whether its job
// was cancelled, without a notification; expired jobs are removed as often.
const exportRecheck = 30 * time.Second

// errJobCancelled stops the parts of a job that was cancelled.
var errJobCancelled = errors.New("the export was cancelled")

// JobsConfig sizes the workers and says where the files go.
type JobsConfig struct {
	// Dir holds a folder per job (its id) with the job's files.
	Dir string
	// MaxLines is the most lines one file holds; a larger part is split.
	MaxLines int64
	// Keep is how long the files of a finished job are kept.
	Keep time.Duration
	// Workers is how many jobs this server writes at once; PartWorkers how many parts of one
	// job are written at once (each on a connection of its own, besides the job's).
	Workers     int
	PartWorkers int
	// MaxDuration bounds a whole job; it fails once it has run that long.
	MaxDuration time.Duration
}

// Jobs are a server's export workers.
type Jobs struct {
	pool *pgxpool.Pool // status, part results, the listener's settings
	bulk *pgxpool.Pool // the claims and the COPYs
	q    *gen.Queries
	cfg  JobsConfig

	wake chan struct{}
	mu   sync.Mutex
	// running are the cancel functions of the jobs this server writes, by id.
	running map[string]context.CancelCauseFunc
}

// NewJobs returns the workers of one server; Start starts them.
func NewJobs(pool, bulk *pgxpool.Pool, q *gen.Queries, cfg JobsConfig) *Jobs {
	return &Jobs{pool: pool, bulk: bulk, q: q, cfg: cfg, wake: make(chan struct{}, 1), running: map[string]context.CancelCauseFunc{}}
}

// Dir is the folder of job id's files.
func (j *Jobs) Dir(id string) string { return filepath.Join(j.cfg.Dir, id) }

// Wake tells an idle worker that a job may be waiting.
func (j *Jobs) Wake() {
	select {
	case j.wake <- struct{}{}:
	default:
	}
}

// Remove removes the files of job id (cancelled or expired).
func (j *Jobs) Remove(id string) {
	if id == "" || strings.ContainsAny(id, `/\`) || id == "." || id == ".." {
		return
	}
	if err := os.RemoveAll(j.Dir(id)); err != nil {
		slog.Error("export: removing files", "job", id, "err", err)
	}
}

// Start starts the workers, their listener and the removal of expired jobs; they stop when
// ctx ends (a job being written then is rolled back and written again later). The returned
// function waits until they have stopped.
func (j *Jobs) Start(ctx context.Context) (wait func()) {
	var wg sync.WaitGroup
	wg.Go(func() { j.listen(ctx) })
	wg.Go(func() { j.expire(ctx) })
	for i := range max(j.cfg.Workers, 1) {
		wg.Go(func() { j.worker(ctx, i) })
	}
	return wg.Wait
}

func (j *Jobs) listen(ctx context.Context) {
	for {
		err := j.listenOnce(ctx)
		if ctx.Err() != nil {
			return
		}
		slog.Warn("export listener, reconnecting", "err", err)
		select {
		case <-ctx.Done():
			return
		case <-time.After(time.Second):
		}
	}
}

func (j *Jobs) listenOnce(ctx context.Context) error {
	conn, err := pgx.ConnectConfig(ctx, j.pool.Config().ConnConfig.Copy())
	if err != nil {
		return err
	}
	defer conn.Close(context.WithoutCancel(ctx))
	if _, err := conn.Exec(ctx, "listen "+exportJobChannel+"; listen "+exportCancelChannel); err != nil {
		return err
	}
	j.Wake()
	j.checkCancels(ctx)
	for {
		n, err := conn.WaitForNotification(ctx)
		if err != nil {
			return err
		}
		switch n.Channel {
		case exportJobChannel:
			j.Wake()
		case exportCancelChannel:
			j.cancel(n.Payload)
		}
	}
}

// cancel stops job id if this server writes it.
func (j *Jobs) cancel(id string) {
	j.mu.Lock()
	defer j.mu.Unlock()
	if c := j.running[id]; c != nil {
		c(errJobCancelled)
	}
}

// checkCancels looks up whether any running job was cancelled (a notification may have been lost).
func (j *Jobs) checkCancels(ctx context.Context) {
	j.mu.Lock()
	ids := make([]string, 0, len(j.running))
	for id := range j.running {
		ids = append(ids, id)
	}
	j.mu.Unlock()
	for _, id := range ids {
		if cancelled, err := j.q.ExportCancelled(ctx, j.pool, id); err == nil && cancelled {
			j.cancel(id)
		}
	}
}

// expire removes expired jobs and their files, now and every exportRecheck.
func (j *Jobs) expire(ctx context.Context) {
	ticker := time.NewTicker(exportRecheck)
	defer ticker.Stop()
	for {
		ids, err := j.q.ExportExpire(ctx, j.pool)
		if err != nil && ctx.Err() == nil {
			slog.Error("export: removing expired jobs", "err", err)
		}
		for _, id := range ids {
			j.Remove(id)
		}
		j.checkCancels(ctx)
		select {
		case <-ctx.Done():
			return
		case <-ticker.C:
		}
	}
}

func (j *Jobs) worker(ctx context.Context, worker int) {
	for ctx.Err() == nil {
		claimed, err := j.runOne(ctx)
		if ctx.Err() != nil {
			return
		}
		if err != nil {
			slog.Error("export worker", "worker", worker, "err", err)
		}
		if claimed {
			j.Wake()
			continue
		}
		timer := time.NewTimer(exportRecheck)
		select {
		case <-ctx.Done():
		case <-j.wake:
		case <-timer.C:
		}
		timer.Stop()
	}
}

// runOne claims a waiting job and writes it; it reports whether there was one.
func (j *Jobs) runOne(ctx context.Context) (bool, error) {
	conn, err := j.bulk.Acquire(ctx)
	if err != nil {
		return false, err
	}
	defer conn.Release()
	// Read before the transaction, whose snapshot is taken by its first statement.
	horizon, err := j.q.ExportHorizon(ctx, conn)
	if err != nil {
		return false, err
	}
	tx, err := conn.BeginTx(ctx, pgx.TxOptions{IsoLevel: pgx.RepeatableRead})
	if err != nil {
		return false, err
	}
	defer func() {
		cctx, cancel := CleanupContext()
		defer cancel()
		tx.Rollback(cctx)
	}()
	claim, err := j.q.ExportClaim(ctx, tx, gen.ExportClaimParams{Horizon: horizon.Horizon, ReadAt: horizon.ReadAt})
	if errors.Is(err, pgx.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	snapshot, err := j.q.ExportSnapshot(ctx, tx)
	if err != nil {
		return true, err
	}
	id := claim.JobID
	started := time.Now()
	slog.Info("export started", "job", id)

	jobCtx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	jobCtx, stop := context.WithTimeoutCause(jobCtx, j.cfg.MaxDuration, status.Errorf(http.StatusRequestEntityTooLarge,
		"the export did not finish within the limit of %v (SLUICE_BULK_MAX_DURATION)", j.cfg.MaxDuration))
	defer stop()
	j.mu.Lock()
	j.running[id] = cancel
	j.mu.Unlock()
	defer func() {
		j.mu.Lock()
		delete(j.running, id)
		j.mu.Unlock()
	}()
	if cancelled, err := j.q.ExportCancelled(ctx, j.pool, id); err == nil && cancelled {
		cancel(errJobCancelled)
	}

	err = j.write(jobCtx, tx, id, snapshot, claim.TransactionTime)
	if err == nil {
		err = j.q.ExportFinish(jobCtx, tx, gen.ExportFinishParams{ID: id, TransactionTime: claim.TransactionTime,
			Keep: pgtype.Interval{Microseconds: j.cfg.Keep.Microseconds(), Valid: true}})
	}
	if err == nil {
		err = tx.Commit(jobCtx)
	}
	if err == nil {
		slog.Info("export finished", "job", id, "ms", time.Since(started).Milliseconds())
		return true, nil
	}
	cctx, ccancel := CleanupContext()
	defer ccancel()
	tx.Rollback(cctx)
	if ctx.Err() != nil {
		return true, nil // shutting down: the job is written again after a restart
	}
	j.Remove(id)
	if errors.Is(context.Cause(jobCtx), errJobCancelled) {
		slog.Info("export cancelled", "job", id)
		return true, j.q.ExportForget(cctx, j.pool, id)
	}
	if cause := context.Cause(jobCtx); cause != nil {
		err = cause
	}
	code, message := status.Of(err)
	if code == http.StatusInternalServerError {
		slog.Error("export failed", "job", id, "err", err)
	}
	transient := code == http.StatusInternalServerError || code == http.StatusServiceUnavailable
	return true, j.q.ExportFail(cctx, j.pool, gen.ExportFailParams{ID: id, Error: message, Transient: transient})
}

// write writes every part of job id still to be written, PartWorkers at a time, each in a
// transaction that imports snapshot.
func (j *Jobs) write(ctx context.Context, claim pgx.Tx, id, snapshot string, transactionTime pgtype.Timestamptz) error {
	if err := j.q.ExportRestart(ctx, j.pool, id); err != nil {
		return err
	}
	j.Remove(id) // what an earlier attempt left
	if err := os.MkdirAll(j.Dir(id), 0o750); err != nil {
		return err
	}
	all, err := j.q.ExportParts(ctx, claim, id)
	if err != nil {
		return err
	}
	// Most of the ~150 types are usually empty: those are recorded at once.
	var parts []gen.ExportPartsRow
	var emptyKinds, emptyTypes []string
	for _, p := range all {
		if p.Empty {
			emptyKinds, emptyTypes = append(emptyKinds, p.Kind), append(emptyTypes, p.ResourceType)
		} else {
			parts = append(parts, p)
		}
	}
	if err := j.q.ExportPartsEmpty(ctx, j.pool, gen.ExportPartsEmptyParams{ID: id, Kinds: emptyKinds, ResourceTypes: emptyTypes}); err != nil {
		return err
	}
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	next := make(chan gen.ExportPartsRow)
	var wg sync.WaitGroup
	for range max(j.cfg.PartWorkers, 1) {
		wg.Go(func() {
			conn, err := j.bulk.Acquire(ctx)
			if err != nil {
				cancel(err)
				return
			}
			defer conn.Release()
			for part := range next {
				if err := j.writePart(ctx, conn.Conn(), id, snapshot, transactionTime, part); err != nil {
					cancel(err)
					return
				}
			}
		})
	}
feed:
	for _, p := range parts {
		select {
		case next <- p:
		case <-ctx.Done():
			break feed
		}
	}
	close(next)
	wg.Wait()
	return context.Cause(ctx)
}

// writePart copies one part into its files and records them.
func (j *Jobs) writePart(ctx context.Context, conn *pgx.Conn, id, snapshot string, transactionTime pgtype.Timestamptz, part gen.ExportPartsRow) error {
	query, err := j.q.ExportQuery(ctx, j.pool, gen.ExportQueryParams{ID: id, Kind: part.Kind, ResourceType: part.ResourceType, TransactionTime: transactionTime})
	if err != nil {
		return err
	}
	files := &fileSplitter{dir: j.Dir(id), prefix: filePrefix(part), maxLines: max(j.cfg.MaxLines, 1), written: []writtenFile{}}
	defer files.close()
	tx, err := conn.BeginTx(ctx, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly})
	if err != nil {
		return err
	}
	defer func() {
		cctx, cancel := CleanupContext()
		defer cancel()
		tx.Rollback(cctx)
	}()
	// SET TRANSACTION SNAPSHOT takes no parameters; the id is PostgreSQL's own text.
	if _, err := tx.Exec(ctx, "set transaction snapshot '"+strings.ReplaceAll(snapshot, "'", "")+"'"); err != nil {
		return err
	}
	if _, err := tx.Exec(ctx, "set local client_connection_check_interval = '1s'; select sluice.bulk_parallel()"); err != nil {
		return err
	}
	if _, err := tx.Conn().PgConn().CopyTo(ctx, files, "copy ("+query+")"+CopyJSONLines); err != nil {
		return err
	}
	if err := tx.Commit(ctx); err != nil {
		return err
	}
	if err := files.close(); err != nil {
		return err
	}
	written, err := json.Marshal(files.written)
	if err != nil {
		return err
	}
	return j.q.ExportPartDone(ctx, j.pool, gen.ExportPartDoneParams{ID: id, Kind: part.Kind, ResourceType: part.ResourceType, Files: written})
}

// filePrefix names a part's files: Patient-1.ndjson, Patient-2.ndjson, ...; deleted-Patient-1.ndjson.
func filePrefix(part gen.ExportPartsRow) string {
	if part.Kind == "deleted" {
		return "deleted-" + part.ResourceType
	}
	return part.ResourceType
}

// writtenFile is a file of a part as the manifest lists it.
type writtenFile struct {
	Name  string `json:"name"`
	Count int64  `json:"count"`
}

// fileSplitter writes the lines COPY sends into files of at most maxLines lines, opened only
// when a line comes (a part without lines has no file). Memory: a write buffer.
type fileSplitter struct {
	dir, prefix string
	maxLines    int64
	written     []writtenFile

	file  *os.File
	buf   *bufio.Writer
	lines int64
}

func (f *fileSplitter) Write(p []byte) (int, error) {
	n := len(p)
	for len(p) > 0 {
		if f.file == nil || f.lines >= f.maxLines {
			if err := f.next(); err != nil {
				return 0, err
			}
		}
		// Up to the end of as many lines as this file still takes.
		end, lines := 0, int64(0)
		for end < len(p) && f.lines+lines < f.maxLines {
			i := bytes.IndexByte(p[end:], '\n')
			if i < 0 {
				end = len(p)
				break
			}
			end += i + 1
			lines++
		}
		if _, err := f.buf.Write(p[:end]); err != nil {
			return 0, err
		}
		f.lines += lines
		f.written[len(f.written)-1].Count = f.lines
		p = p[end:]
	}
	return n, nil
}

// next closes the current file and opens the next one.
func (f *fileSplitter) next() error {
	if err := f.close(); err != nil {
		return err
	}
	name := fmt.Sprintf("%s-%d.ndjson", f.prefix, len(f.written)+1)
	file, err := os.OpenFile(filepath.Join(f.dir, name), os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o640)
	if err != nil {
		return err
	}
	f.file, f.buf, f.lines = file, bufio.NewWriterSize(file, 256<<10), 0
	f.written = append(f.written, writtenFile{Name: name})
	return nil
}

// close flushes and closes the current file, if any; the files are on disk when it returns.
func (f *fileSplitter) close() error {
	if f.file == nil {
		return nil
	}
	file := f.file
	f.file = nil
	err := f.buf.Flush()
	if err == nil {
		err = file.Sync()
	}
	if cerr := file.Close(); err == nil {
		err = cerr
	}
	return err
}

var _ io.Writer = (*fileSplitter)(nil)

// StatusBody is what sluice.export_status returns.
type StatusBody struct {
	State     string          `json:"state"`
	Progress  string          `json:"progress"`
	Error     string          `json:"error"`
	Transient bool            `json:"transient"`
	Expires   string          `json:"expires"`
	Manifest  json.RawMessage `json:"manifest"`
}
