package proxy

import (
	"context"
	"encoding/json"
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

	"github.com/sluice-fhir/sluice/internal/export"
)

// $dump-sql runs a user's query. What keeps it from doing anything but reading resources, and
// from taking more than its share, outermost first:
//
//  1. Admission: at most Config.DumpSQLPerClient queries of one client and
//     Config.DumpSQLMaxConcurrent of all clients run at once; one more is refused at once (429
//     or 503, with Retry-After), never queued. The operator's queries do not count against the
//     overall limit (they have DumpSQLPerClient slots of their own), so clients that filled it
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
//     trails or pg_stat_statements may keep) holds it.
//     Config.DumpSQLURL says where to log in; its user and password are not used. The role is
//     checked on every connection: no superuser, no bypassrls, no access to public.client, no
//     view of other sessions (pg_read_all_stats) and no signalling them (pg_signal_backend).
//  3. A deadline on the whole request, the query and the streaming of its result
//     (Config.DumpSQLTimeout), cancels the query and closes the connection; the response's
//     write deadline makes it hold for a client that stops reading too, which the statement
//     timeout alone does not: it does not fire while the database waits to send. A client
//     that goes away cancels the query as well.
//  4. In a read-only transaction, with a statement timeout.
//  5. Exactly one statement that returns rows: the extended protocol's Parse refuses several
//     commands, and Describe gives the columns; this runs nothing. Only then is the query put
//     inside `copy (...) to stdout`: a single statement whose parentheses balance cannot
//     close ours, and the simple protocol parses the whole text before running any of it.
//  6. Bounded results: the server receives each row (one COPY message) whole, so a row larger
//     than Config.DumpSQLMaxRowBytes is refused from its length, before it is read; a result
//     larger than Config.DumpSQLMaxBytes is cut there.
//  7. The connection is closed afterwards, never reused: session state a query may leave
//     behind (advisory locks, set_config(..., false), prepared cursors) dies with it.

// DumpSQLRole is the database group whose members, one per request, run $dump-sql queries; the
// migrations make it.
const DumpSQLRole = "sluice_reader"

const (
	// dumpSQLWriteGrace is how long after the request's deadline the response may still be
	// written: long enough for an OperationOutcome about the deadline, short enough that a
	// client that stopped reading is cut off soon after it.
	dumpSQLWriteGrace = time.Second
)

// dumpSQLFormats are the _format values of $dump-sql: the COPY around the query and the
// Content-Type. TSV is PostgreSQL's text format (its escaping, no header); JSON is one object
// per row keyed by column name.
var dumpSQLFormats = map[string]struct {
	contentType  string
	before, with string
}{
	"":       {"text/tab-separated-values", "copy (\n", "\n) to stdout"},
	"tsv":    {"text/tab-separated-values", "copy (\n", "\n) to stdout"},
	"csv":    {"text/csv", "copy (\n", "\n) to stdout with (format csv, header)"},
	"ndjson": {"application/ndjson", "copy (select row_to_json(q) from (\n", "\n) as q)" + export.CopyJSONLines},
	"json":   {"application/ndjson", "copy (select row_to_json(q) from (\n", "\n) as q)" + export.CopyJSONLines},
}

// dumpSQL serves POST /$dump-sql with {query} in JSON or YAML.
func (s *Server) dumpSQL(w http.ResponseWriter, r *http.Request, rt route) error {
	format, ok := dumpSQLFormats[r.URL.Query().Get("_format")]
	if !ok {
		return errorf(http.StatusBadRequest, "_format must be tsv (the default), csv, ndjson or json, got %q", r.URL.Query().Get("_format"))
	}
	compress, err := wantsGzip(r)
	if err != nil {
		return err
	}
	body, err := readBody(r, w, s.cfg.MaxBodyBytes)
	if err != nil {
		return err
	}
	var req struct {
		Query *string `json:"query"`
	}
	if err := json.Unmarshal(body, &req); err != nil {
		return errorf(http.StatusBadRequest, "the body must be an object with a query string: %v", err)
	}
	if req.Query == nil {
		return errorf(http.StatusBadRequest, "the body needs a query: {query: \"select ...\"}")
	}
	query := trimQuery(*req.Query)
	if query == "" {
		return errorf(http.StatusBadRequest, "the query is empty")
	}

	leave, err := s.dumpSQLRunning.enter(callerOf(r.Context()), admissionLimits{what: "$dump-sql queries",
		perClient: s.cfg.DumpSQLPerClient, overall: s.cfg.DumpSQLMaxConcurrent,
		perClientName: "SLUICE_DUMP_SQL_PER_CLIENT", overallName: "SLUICE_DUMP_SQL_MAX_CONCURRENT"})
	if err != nil {
		return err
	}
	defer leave()

	deadline := time.Now().Add(s.cfg.DumpSQLTimeout)
	ctx, cancel := context.WithDeadline(r.Context(), deadline)
	defer cancel()
	rc := http.NewResponseController(w)
	rc.SetWriteDeadline(deadline.Add(dumpSQLWriteGrace))
	defer rc.SetWriteDeadline(time.Time{}) // the connection may serve more requests
	conn, logout, err := s.dumpSQLConnect(ctx)
	if err != nil {
		return s.dumpSQLFailed(ctx, err)
	}
	defer logout()
	pg := conn.PgConn()
	if err := pg.Exec(ctx, fmt.Sprintf("begin isolation level repeatable read read only; set local statement_timeout = %d; set local client_connection_check_interval = '1s'",
		s.cfg.DumpSQLTimeout.Milliseconds())).Close(); err != nil {
		return s.dumpSQLFailed(ctx, err)
	}
	desc, err := pg.Prepare(ctx, "", query, nil)
	if err != nil {
		return s.dumpSQLFailed(ctx, err)
	}
	if len(desc.Fields) == 0 {
		return errorf(http.StatusBadRequest, "the query must be one statement that returns rows (SELECT, VALUES, TABLE or WITH ... SELECT)")
	}

	stream := s.newExportStream(w, format.contentType, compress)
	stream.pace.until = deadline.Add(dumpSQLWriteGrace)
	_, err = pg.CopyTo(ctx, &resultLimit{w: stream, limit: s.cfg.DumpSQLMaxBytes}, format.before+query+format.with)
	if err != nil {
		err = s.dumpSQLFailed(ctx, err)
	}
	stream.finish(w, r, err)
	return nil
}

// trimQuery drops surrounding space and trailing semicolons, which Parse accepts but which
// cannot stand inside the COPY's parentheses.
func trimQuery(q string) string {
	for {
		t := strings.TrimRight(strings.TrimSpace(q), ";")
		if t == q {
			return q
		}
		q = t
	}
}

// dumpSQLConnect logs in as a database role made for this request alone, at
// Config.DumpSQLURL or else where the server's own connections go. logout closes the
// connection and drops the role; call it once when the request ends.
func (s *Server) dumpSQLConnect(ctx context.Context) (conn *pgx.Conn, logout func(), err error) {
	var config *pgx.ConnConfig
	if s.cfg.DumpSQLURL != "" {
		if config, err = pgx.ParseConfig(s.cfg.DumpSQLURL); err != nil {
			return nil, nil, fmt.Errorf("SLUICE_DUMP_SQL_URL: %w", err)
		}
	} else {
		config = s.pool.Config().ConnConfig.Copy() // Fallbacks (host, port, TLS) stay as they are
	}
	// The server's own pool: two short statements, like authentication, not bulk work.
	role, err := s.q.DumpSQLLogin(ctx, s.pool)
	if err != nil {
		if ctx.Err() != nil {
			return nil, nil, err
		}
		slog.Error("$dump-sql cannot make the database role of a request", "err", err)
		return nil, nil, errorf(http.StatusServiceUnavailable, "$dump-sql cannot make its database role: the role that runs the migrations needs CREATEROLE (see the server log)")
	}
	dropRole := func() {
		cctx, cancel := export.CleanupContext()
		defer cancel()
		if err := s.q.DumpSQLLogout(cctx, s.pool, role.RoleName); err != nil {
			slog.Error("$dump-sql cannot drop the database role of a request; a later request drops it once it has expired", "role", role.RoleName, "err", err)
		}
	}
	config.User, config.Password = role.RoleName, role.Password
	if config.RuntimeParams == nil {
		config.RuntimeParams = map[string]string{}
	}
	config.RuntimeParams["application_name"] = "sluice $dump-sql"
	config.RuntimeParams["default_transaction_read_only"] = "on"
	config.RuntimeParams["statement_timeout"] = fmt.Sprint(s.cfg.DumpSQLTimeout.Milliseconds())
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
		return nil, nil, errorf(http.StatusServiceUnavailable, "$dump-sql cannot log in as its database role, a member of %s: check SLUICE_DUMP_SQL_URL, and that the database lets members of %s log in with a password (see the server log)", DumpSQLRole, DumpSQLRole)
	}
	logout = func() {
		cctx, cancel := export.CleanupContext()
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
		return nil, nil, errorf(http.StatusServiceUnavailable, "$dump-sql is not safely configured: the database role %s must only read resource tables (see the server log)", DumpSQLRole)
	}
	conn.PgConn().Frontend().SetMaxBodyLen(s.cfg.DumpSQLMaxRowBytes)
	return conn, logout, nil
}

// dumpSQLFailed is the answer to a $dump-sql that failed with err: the request's deadline,
// a row over the limit, or else the query's own error (dumpSQLError).
func (s *Server) dumpSQLFailed(ctx context.Context, err error) error {
	var tooLarge *pgproto3.ExceededMaxBodyLenErr
	switch {
	case errors.Is(ctx.Err(), context.DeadlineExceeded):
		return errorf(http.StatusUnprocessableEntity, "the $dump-sql request took longer than the limit of %s (SLUICE_DUMP_SQL_TIMEOUT)", s.cfg.DumpSQLTimeout)
	case errors.As(err, &tooLarge):
		return errorf(http.StatusUnprocessableEntity, "a row of the result has %d bytes, more than the limit of %d bytes per row (SLUICE_DUMP_SQL_MAX_ROW_BYTES)",
			tooLarge.ActualBodyLen, tooLarge.MaxExpectedBodyLen)
	}
	return s.dumpSQLError(err)
}

// dumpSQLError gives an error of the user's query a 4xx status: the query is at fault, and
// its message is about the user's own SQL.
func (s *Server) dumpSQLError(err error) error {
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
		return errorf(http.StatusForbidden, "%s: $dump-sql reads resource tables only", message)
	case strings.HasPrefix(pg.Code, "25"): // read_only_sql_transaction and other attempts on the transaction
		return errorf(http.StatusForbidden, "%s: $dump-sql only reads", message)
	case pg.Code == "57014" && strings.Contains(pg.Message, "statement timeout"):
		return errorf(http.StatusUnprocessableEntity, "the query took longer than the $dump-sql statement timeout of %s (SLUICE_DUMP_SQL_TIMEOUT): %s", s.cfg.DumpSQLTimeout, message)
	case pg.Code == "57014": // query_canceled otherwise: by an operator, or pg_cancel_backend
		return errorf(http.StatusUnprocessableEntity, "the query was cancelled: %s", message)
	case strings.HasPrefix(pg.Code, "42"), strings.HasPrefix(pg.Code, "0A"), strings.HasPrefix(pg.Code, "26"):
		// syntax errors, undefined objects, "not supported", and the like
		return errorf(http.StatusBadRequest, "the query is not valid: %s", message)
	case strings.HasPrefix(pg.Code, "08"), strings.HasPrefix(pg.Code, "57P"), strings.HasPrefix(pg.Code, "XX"):
		return err // the server's problem, not the query's
	}
	return errorf(http.StatusUnprocessableEntity, "the query failed: %s (SQLSTATE %s)", message, pg.Code)
}

// resultLimit passes what the COPY writes on to w, and fails the write that would take the
// result beyond limit bytes (no limit when negative).
type resultLimit struct {
	w              io.Writer
	limit, written int64
}

func (l *resultLimit) Write(p []byte) (int, error) {
	if l.limit >= 0 && l.written+int64(len(p)) > l.limit {
		return 0, errorf(http.StatusUnprocessableEntity, "the result is larger than the limit of %d bytes (SLUICE_DUMP_SQL_MAX_BYTES)", l.limit)
	}
	n, err := l.w.Write(p)
	l.written += int64(n)
	return n, err
}
