// Package export holds the engines of the bulk exports: given a pool and the typed queries,
// $dump and $dump-csv stream one snapshot of a type into an io.Writer, and $dump-sql a user's
// query run as a role of its own, read-only and bounded (sql.go). The HTTP side (proxy) parses
// the request, admits it and owns the response the writer feeds.
package export

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/sluice-fhir/sluice/gen"
	"github.com/sluice-fhir/sluice/internal/copyformat"
	"github.com/sluice-fhir/sluice/internal/rules"
	"github.com/sluice-fhir/sluice/internal/status"
)

// Bulk export (docs/api.md, "Bulk export"). The rows come from `COPY (...) TO STDOUT` on a pool
// connection, streamed as they arrive into the writer the caller opens (proxy: the chunked
// response). The only statements built by hand are these COPYs: sqlc cannot express COPY or a table name, so they
// are made of fixed text, pgx.Identifier{...}.Sanitize() of a table name that sluice.table_of
// has just validated, a _since time parsed here, and (fhir=true) that same type's name, which
// must also pass rules.IsTypeName.

// CopyJSONLines ends a COPY ... TO STDOUT of one JSON text column in copyformat's format, which
// lets the text through byte for byte.
const CopyJSONLines = " to stdout with (" + copyformat.Options + ")"

// Dump streams the resources of resourceType, one per line: Aidbox format, or FHIR format
// when fhir; only those created after since when it is not zero. open is called once the type
// is known to exist, before the first byte, and returns where the lines go: an unknown type
// fails (404) with nothing opened. rows is how many lines COPY sent.
func Dump(ctx context.Context, pool *pgxpool.Pool, q *gen.Queries, resourceType string, fhir bool, since time.Time, open func() io.Writer) (rows int64, err error) {
	err = Tx(ctx, pool, func(tx pgx.Tx) error {
		table, err := q.DumpTable(ctx, tx, resourceType)
		if err != nil {
			return err // 404 for an unknown type: nothing is sent yet
		}
		from := pgx.Identifier{"public", table}.Sanitize() + " as t"
		line := "sluice.dump_line(t.resource_type, t.id, t.txid, t.cts, t.ts, t.resource)"
		if fhir {
			// The type's first-class extensions (Attribute rows) read once, not per row.
			if !rules.IsTypeName(resourceType) {
				return fmt.Errorf("resource type %q cannot be written as an SQL literal", resourceType)
			}
			// A scalar subquery is an InitPlan: evaluated once, before the rows, and handed to
			// parallel workers (in FROM it would be pulled up and called per row).
			line = "fhir.row_to_fhir(t.resource_type, t.id, t.txid, t.cts, t.ts, t.resource, (select fhir.attributes('" +
				resourceType + "')))"
		}
		sql := "copy (select " + line + " from " + from + " where t.status <> 'deleted'" + sinceCondition(since) + ")" + CopyJSONLines
		tag, err := tx.Conn().PgConn().CopyTo(ctx, open(), sql)
		rows = tag.RowsAffected()
		return err
	})
	return rows, err
}

// Tx runs an export in a read-only repeatable-read transaction (one snapshot for all its
// statements) on a connection of its own, committed when fn succeeds, with parallel workers
// encouraged. The backend checks every
// second that its client is still there, so a disconnect also stops a query that is busy
// without writing; pgx closes a connection whose COPY is cancelled mid-way, and the pool
// destroys a closed connection (or one left inside a transaction) on release.
func Tx(ctx context.Context, pool *pgxpool.Pool, fn func(tx pgx.Tx) error) error {
	conn, err := pool.Acquire(ctx)
	if err != nil {
		return err
	}
	defer conn.Release()
	tx, err := conn.BeginTx(ctx, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly})
	if err != nil {
		return err
	}
	defer func() {
		cctx, cancel := CleanupContext()
		defer cancel()
		tx.Rollback(cctx) // a no-op after Commit
	}()
	// Parallel workers share the per-row work of the COPY (sluice.bulk_parallel).
	if _, err := tx.Exec(ctx, `set local client_connection_check_interval = '1s'; select sluice.bulk_parallel()`); err != nil {
		return err
	}
	if err := fn(tx); err != nil {
		return err
	}
	return tx.Commit(ctx)
}

// sinceCondition is the SQL condition of _since: created after it. The time was parsed by
// ParseSince and is written as a fixed-format literal (COPY takes no parameters).
func sinceCondition(since time.Time) string {
	if since.IsZero() {
		return ""
	}
	return " and t.cts > '" + since.UTC().Format("2006-01-02T15:04:05.999999999Z") + "'::timestamptz"
}

// sinceLayouts are the ISO 8601 forms _since accepts: a date-time with or without a zone
// (UTC when none), with or without seconds and fractions, or a date (its start, UTC).
var sinceLayouts = []string{
	time.RFC3339Nano,
	"2006-01-02T15:04:05.999999999",
	"2006-01-02T15:04Z07:00",
	"2006-01-02T15:04",
	"2006-01-02",
	"2006-01",
	"2006",
}

// ParseSince reads _since; the zero time when it is absent.
func ParseSince(v string) (time.Time, error) {
	if v == "" {
		return time.Time{}, nil
	}
	candidates := []string{strings.TrimSpace(v)}
	// An unencoded '+' in a query string arrives as a space: 2021-06-09T11:07:23+03:00.
	if strings.Contains(candidates[0], " ") {
		candidates = append(candidates, strings.ReplaceAll(candidates[0], " ", "+"))
	}
	for _, c := range candidates {
		for _, layout := range sinceLayouts {
			if t, err := time.Parse(layout, c); err == nil {
				return t, nil
			}
		}
	}
	return time.Time{}, status.Errorf(http.StatusBadRequest, "_since must be an ISO 8601 date or date-time (2021-06-09 or 2021-06-09T11:07:23Z), got %q", v)
}

// lineWriter splits what COPY sends into lines (PostgreSQL sends one row per message; this
// does not rely on it) and hands each, without its newline, to fn. Memory: one row.
type lineWriter struct {
	fn      func(line []byte) error
	pending []byte
}

func (l *lineWriter) Write(p []byte) (int, error) {
	n := len(p)
	for len(p) > 0 {
		i := bytes.IndexByte(p, '\n')
		if i < 0 {
			l.pending = append(l.pending, p...)
			break
		}
		line := p[:i]
		if len(l.pending) > 0 {
			l.pending = append(l.pending, line...)
			line = l.pending
		}
		if err := l.fn(line); err != nil {
			return 0, err
		}
		l.pending = l.pending[:0]
		p = p[i+1:]
	}
	return n, nil
}

var _ io.Writer = (*lineWriter)(nil)

// CleanupContext is for statements that must run after the request's context is done
// (rolling back, closing a connection).
func CleanupContext() (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.Background(), 5*time.Second)
}
