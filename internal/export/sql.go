package export

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgconn/ctxwatch"
	"github.com/jackc/pgx/v5/pgproto3"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/sluice-fhir/sluice/gen"
	"github.com/sluice-fhir/sluice/internal/status"
)

// $dump-sql runs a user's query. What keeps it from doing anything but reading resources, and
// from taking more than its share, outermost first (1 and the write deadline of 3 are the HTTP
// handler's, in proxy/dump.go; the rest is DumpSQL's):
//
//  1. Admission: at most SLUICE_DUMP_SQL_PER_CLIENT queries of one client and
//     SLUICE_DUMP_SQL_MAX_CONCURRENT of all clients run at once; one more is refused at once
//     (429 or 503, with Retry-After), never queued. The operator's queries do not count against
//     the overall limit (they have per-client slots of their own), so clients that filled it
//     never lock the operator out; $dump-sql holds at most MaxConcurrent+PerClient database
//     connections.
//  2. Each request logs in on a connection of its own as a database role made for it alone
//     (sluice.dump_sql_login, migrations/000006_export.up.sql) and dropped when it ends: a member of
//     DumpSQLRole, which may SELECT the resource and history tables except Client's, nothing
//     else of sluice's. A role per request because PostgreSQL shows a session's query text
//     (pg_stat_activity) and lets pg_cancel_backend and pg_terminate_backend signal it to every
//     role with the privileges of the session's role: with one shared role, each client would
//     read and cancel the others' queries. Logging in, not SET ROLE on the server's own
//     connection, which a query could undo (set_config('role', ...)) when the server connects
//     as a superuser. The role's password is random, made by the database and returned as a
//     result; CREATE ROLE gets only its SCRAM secret, so no statement text (which logs, audit
//     trails or pg_stat_statements may keep) holds it. Making a role first drops the expired
//     ones a crashed server left behind.
//     DumpSQLConfig.URL says where to log in; its user and password are not used. The role is
//     checked on every connection: no superuser, no bypassrls, no access to public.client, no
//     view of other sessions (pg_read_all_stats) and no signalling them (pg_signal_backend).
//  3. A deadline on the whole request, the query and the streaming of its result
//     (DumpSQLConfig.Timeout), cancels the query and closes the connection; the response's
//     write deadline makes it hold for a client that stops reading too, which the statement
//     timeout alone does not: it does not fire while the database waits to send. A client
//     that goes away cancels the query as well.
//  4. In a read-only transaction, with a statement timeout.
//  5. Exactly one statement that returns rows: the extended protocol's Parse refuses several
//     commands, and Describe gives the columns; this runs nothing. Only then is the query put
//     inside `copy (...) to stdout`: a single statement whose parentheses balance cannot
//     close ours, and the simple protocol parses the whole text before running any of it.
//  6. Bounded results: the server receives each row (one COPY message) whole, so a row larger
//     than DumpSQLConfig.MaxRowBytes is refused from its length, before it is read; a result
//     larger than DumpSQLConfig.MaxBytes is cut there.
//  7. The connection is closed afterwards, never reused: session state a query may leave
//     behind (advisory locks, set_config(..., false), prepared cursors) dies with it.

// DumpSQLRole is the database group whose members, one per request, run $dump-sql queries; the
// migrations make it.
const DumpSQLRole = "sluice_reader"

// DumpSQLConfig is what DumpSQL needs of the server's configuration (config.Server's DumpSQL*
// settings, defaults applied).
type DumpSQLConfig struct {
	// URL is where to log in (host, port, database, TLS); its user and password are not used.
	// Empty: where the pool's connections go.
	URL string
	// Timeout is the statement timeout, and the limit DumpSQL names when the run's deadline
	// (the caller's, on ctx) passes.
	Timeout time.Duration
	// MaxRowBytes bounds one row as the server receives it; MaxBytes the whole result, no
	// limit when negative.
	MaxRowBytes int
	MaxBytes    int64
}

// DumpSQLFormat is an output format of DumpSQL: the COPY around the query, and the media type
// of what it writes.
type DumpSQLFormat struct {
	MediaType    string
	before, with string
}

// DumpSQLFormatOf is the format of DumpSQL a _format name asks for, by Aidbox's rule: json
// and ndjson are one JSON object per row keyed by column name, csv is CSV with a header, and
// anything else (absent, tsv, yaml, ...) is TSV, PostgreSQL's text format (its escaping, no
// header).
func DumpSQLFormatOf(name string) DumpSQLFormat {
	switch name {
	case "json", "ndjson":
		return DumpSQLFormat{"application/ndjson", "copy (select row_to_json(q) from (\n", "\n) as q)" + CopyJSONLines}
	case "csv":
		return DumpSQLFormat{"text/csv", "copy (\n", "\n) to stdout with (format csv, header)"}
	default:
		return DumpSQLFormat{"text/tab-separated-values", "copy (\n", "\n) to stdout"}
	}
}

// DumpSQL runs a user's query (a single statement that returns rows) in the sandbox described
// above and streams its result, in format, into the writer open returns. open is called once,
// when the query is known to be such a statement and before the first byte; a failure before
// that opens nothing. ctx's deadline, which the caller sets Timeout after the request began,
// bounds the whole run, streaming included. Errors carry the HTTP status they deserve
// (internal/status): the user's query is at fault for most of them.
func DumpSQL(ctx context.Context, pool *pgxpool.Pool, q *gen.Queries, cfg DumpSQLConfig, query string, format DumpSQLFormat, open func() io.Writer) error {
	query = TrimQuery(query)
	conn, logout, err := dumpSQLConnect(ctx, pool, q, cfg)
	if err != nil {
		return dumpSQLFailed(ctx, cfg, err)
	}
	defer logout()
	pg := conn.PgConn()
	if err := pg.Exec(ctx, fmt.Sprintf("begin isolation level repeatable read read only; set local statement_timeout = %d; set local client_connection_check_interval = '1s'",
		cfg.Timeout.Milliseconds())).Close(); err != nil {
		return dumpSQLFailed(ctx, cfg, err)
	}
	desc, err := pg.Prepare(ctx, "", query, nil)
	if err != nil {
		return dumpSQLFailed(ctx, cfg, err)
	}
	if len(desc.Fields) == 0 {
		return status.Errorf(http.StatusBadRequest, "the query must be one statement that returns rows (SELECT, VALUES, TABLE or WITH ... SELECT)")
	}

	_, err = pg.CopyTo(ctx, &resultLimit{w: open(), limit: cfg.MaxBytes}, format.before+query+format.with)
	if err != nil {
		err = dumpSQLFailed(ctx, cfg, err)
	}
	return err
}

// TrimQuery drops surrounding space and trailing semicolons, which Parse accepts but which
// cannot stand inside the COPY's parentheses: the query as DumpSQL runs it.
func TrimQuery(q string) string {
	for {
		t := strings.TrimRight(strings.TrimSpace(q), ";")
		if t == q {
			return q
		}
		q = t
	}
}

// dumpSQLConnect logs in as a database role made for this request alone, at cfg.URL or else
// where pool's connections go. logout closes the connection and drops the role; call it once
// when the request ends.
func dumpSQLConnect(ctx context.Context, pool *pgxpool.Pool, q *gen.Queries, cfg DumpSQLConfig) (conn *pgx.Conn, logout func(), err error) {
	var config *pgx.ConnConfig
	if cfg.URL != "" {
		if config, err = pgx.ParseConfig(cfg.URL); err != nil {
			return nil, nil, fmt.Errorf("SLUICE_DUMP_SQL_URL: %w", err)
		}
	} else {
		config = pool.Config().ConnConfig.Copy() // Fallbacks (host, port, TLS) stay as they are
	}
	// The server's own pool: two short statements, like authentication, not bulk work.
	role, err := q.DumpSQLLogin(ctx, pool)
	if err != nil {
		if ctx.Err() != nil {
			return nil, nil, err
		}
		slog.Error("$dump-sql cannot make the database role of a request", "err", err)
		return nil, nil, status.Errorf(http.StatusServiceUnavailable, "$dump-sql cannot make its database role: the role that runs the migrations needs CREATEROLE (see the server log)")
	}
	dropRole := func() {
		cctx, cancel := CleanupContext()
		defer cancel()
		if err := q.DumpSQLLogout(cctx, pool, role.RoleName); err != nil {
			slog.Error("$dump-sql cannot drop the database role of a request; a later request drops it once it has expired", "role", role.RoleName, "err", err)
		}
	}
	config.User, config.Password = role.RoleName, role.Password
	if config.RuntimeParams == nil {
		config.RuntimeParams = map[string]string{}
	}
	config.RuntimeParams["application_name"] = "sluice $dump-sql"
	config.RuntimeParams["default_transaction_read_only"] = "on"
	config.RuntimeParams["statement_timeout"] = fmt.Sprint(cfg.Timeout.Milliseconds())
	// A cancelled request cancels the query on the server at once, then drops the connection.
	config.BuildContextWatcherHandler = func(pg *pgconn.PgConn) ctxwatch.Handler {
		return &pgconn.CancelRequestContextWatcherHandler{Conn: pg, DeadlineDelay: 2 * time.Second}
	}
	conn, err = pgx.ConnectConfig(ctx, config)
	if err != nil {
		dropRole()
		if ctx.Err() != nil {
			return nil, nil, err
		}
		slog.Error("$dump-sql cannot log in as the database role of a request", "role", config.User, "err", err)
		return nil, nil, status.Errorf(http.StatusServiceUnavailable, "$dump-sql cannot log in as its database role, a member of %s: check SLUICE_DUMP_SQL_URL, and that the database lets members of %s log in with a password (see the server log)", DumpSQLRole, DumpSQLRole)
	}
	logout = func() {
		cctx, cancel := CleanupContext()
		defer cancel()
		conn.Close(cctx)
		dropRole()
	}
	var unsafe bool
	err = conn.QueryRow(ctx, `select r.rolsuper or r.rolbypassrls
	     or has_any_column_privilege('public.client', 'select') or has_any_column_privilege('public.client_history', 'select')
	     or pg_has_role('pg_read_all_stats', 'usage') or pg_has_role('pg_signal_backend', 'usage')
	     or session_user <> current_user
	   from pg_catalog.pg_roles as r where r.rolname = current_user`).Scan(&unsafe)
	if err == nil && unsafe {
		err = errors.New("the role may read Client secrets (superuser, bypassrls or a grant on public.client), or see or signal other sessions (pg_read_all_stats, pg_signal_backend)")
	}
	if err != nil {
		logout()
		if ctx.Err() != nil {
			return nil, nil, err
		}
		slog.Error("$dump-sql refuses its connection's role", "role", config.User, "err", err)
		return nil, nil, status.Errorf(http.StatusServiceUnavailable, "$dump-sql is not safely configured: the database role %s must only read resource tables (see the server log)", DumpSQLRole)
	}
	conn.PgConn().Frontend().SetMaxBodyLen(cfg.MaxRowBytes)
	return conn, logout, nil
}

// dumpSQLFailed is the answer to a $dump-sql that failed with err: the request's deadline,
// a row over the limit, or else the query's own error (dumpSQLError).
func dumpSQLFailed(ctx context.Context, cfg DumpSQLConfig, err error) error {
	var tooLarge *pgproto3.ExceededMaxBodyLenErr
	switch {
	case errors.Is(ctx.Err(), context.DeadlineExceeded):
		return status.Errorf(http.StatusUnprocessableEntity, "the $dump-sql request took longer than the limit of %s (SLUICE_DUMP_SQL_TIMEOUT)", cfg.Timeout)
	case errors.As(err, &tooLarge):
		return status.Errorf(http.StatusUnprocessableEntity, "a row of the result has %d bytes, more than the limit of %d bytes per row (SLUICE_DUMP_SQL_MAX_ROW_BYTES)",
			tooLarge.ActualBodyLen, tooLarge.MaxExpectedBodyLen)
	}
	return dumpSQLError(cfg, err)
}

// dumpSQLError gives an error of the user's query a 4xx status: the query is at fault, and
// its message is about the user's own SQL.
func dumpSQLError(cfg DumpSQLConfig, err error) error {
	var pg *pgconn.PgError
	if !errors.As(err, &pg) {
		return err
	}
	message := pg.Message
	if pg.Detail != "" {
		message += ": " + pg.Detail
	}
	if pg.Hint != "" {
		message += " (" + pg.Hint + ")"
	}
	switch {
	case pg.Code == "42501": // insufficient_privilege
		return status.Errorf(http.StatusForbidden, "%s: $dump-sql reads resource tables only", message)
	case strings.HasPrefix(pg.Code, "25"): // read_only_sql_transaction and other attempts on the transaction
		return status.Errorf(http.StatusForbidden, "%s: $dump-sql only reads", message)
	case pg.Code == "57014" && strings.Contains(pg.Message, "statement timeout"):
		return status.Errorf(http.StatusUnprocessableEntity, "the query took longer than the $dump-sql statement timeout of %s (SLUICE_DUMP_SQL_TIMEOUT): %s", cfg.Timeout, message)
	case pg.Code == "57014": // query_canceled otherwise: by an operator, or pg_cancel_backend
		return status.Errorf(http.StatusUnprocessableEntity, "the query was cancelled: %s", message)
	case strings.HasPrefix(pg.Code, "42"), strings.HasPrefix(pg.Code, "0A"), strings.HasPrefix(pg.Code, "26"):
		// syntax errors, undefined objects, "not supported", and the like
		return status.Errorf(http.StatusBadRequest, "the query is not valid: %s", message)
	case strings.HasPrefix(pg.Code, "08"), strings.HasPrefix(pg.Code, "57P"), strings.HasPrefix(pg.Code, "XX"):
		return err // the server's problem, not the query's
	}
	return status.Errorf(http.StatusUnprocessableEntity, "the query failed: %s (SQLSTATE %s)", message, pg.Code)
}

// resultLimit passes what the COPY writes on to w, and fails the write that would take the
// result beyond limit bytes (no limit when negative).
type resultLimit struct {
	w              io.Writer
	limit, written int64
}

func (l *resultLimit) Write(p []byte) (int, error) {
	if l.limit >= 0 && l.written+int64(len(p)) > l.limit {
		return 0, status.Errorf(http.StatusUnprocessableEntity, "the result is larger than the limit of %d bytes (SLUICE_DUMP_SQL_MAX_BYTES)", l.limit)
	}
	n, err := l.w.Write(p)
	l.written += int64(n)
	return n, err
}
