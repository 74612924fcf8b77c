package proxy

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgconn/ctxwatch"
)

// $dump-sql runs a user's query. What keeps it from doing anything but reading resources,
// outermost first:
//
//  1. It runs on a connection of its own that logs in as DumpSQLRole (sql/006_export.sql):
//     SELECT on the resource and history tables except Client's, nothing else of sluice's. It
//     is not SET ROLE on the server's own connection, which a query could undo
//     (set_config('role', ...)) when the server connects as a superuser. The role is checked
//     on every connection: no superuser, no bypassrls, no access to public.client.
//  2. In a read-only transaction, with a statement timeout (Config.DumpSQLTimeout), and the
//     request's context (a client that goes away cancels it).
//  3. Exactly one statement that returns rows: the extended protocol's Parse refuses several
//     commands, and Describe gives the columns; this runs nothing. Only then is the query put
//     inside `copy (...) to stdout`: a single statement whose parentheses balance cannot
//     close ours, and the simple protocol parses the whole text before running any of it.
//  4. The connection is closed afterwards, never reused: session state a query may leave
//     behind (advisory locks, set_config(..., false), prepared cursors) dies with it.

// DumpSQLRole is the database role $dump-sql queries run as, made by the migrations.
const DumpSQLRole = "sluice_reader"

// DefaultDumpSQLTimeout is the statement timeout of $dump-sql when none is configured.
const DefaultDumpSQLTimeout = 5 * time.Minute

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
	"ndjson": {"application/ndjson", "copy (select row_to_json(q) from (\n", "\n) as q)" + copyJSONLines},
	"json":   {"application/ndjson", "copy (select row_to_json(q) from (\n", "\n) as q)" + copyJSONLines},
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

	ctx := r.Context()
	conn, err := s.dumpSQLConnect(ctx)
	if err != nil {
		return err
	}
	defer func() {
		cctx, cancel := cleanupContext()
		defer cancel()
		conn.Close(cctx)
	}()
	pg := conn.PgConn()
	if err := pg.Exec(ctx, fmt.Sprintf("begin isolation level repeatable read read only; set local statement_timeout = %d; set local client_connection_check_interval = '1s'",
		s.dumpSQLTimeout().Milliseconds())).Close(); err != nil {
		return err
	}
	desc, err := pg.Prepare(ctx, "", query, nil)
	if err != nil {
		return s.dumpSQLError(err)
	}
	if len(desc.Fields) == 0 {
		return errorf(http.StatusBadRequest, "the query must be one statement that returns rows (SELECT, VALUES, TABLE or WITH ... SELECT)")
	}

	stream := s.newExportStream(w, format.contentType, compress)
	_, err = pg.CopyTo(ctx, stream, format.before+query+format.with)
	if err != nil {
		err = s.dumpSQLError(err)
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

// dumpSQLTimeout is the configured statement timeout or the default.
func (s *Server) dumpSQLTimeout() time.Duration {
	if s.cfg.DumpSQLTimeout > 0 {
		return s.cfg.DumpSQLTimeout
	}
	return DefaultDumpSQLTimeout
}

// dumpSQLConnect opens a connection as the $dump-sql role: Config.DumpSQLURL, or else the
// server's own connection settings with that role as the user and no password (the embedded
// cluster trusts local logins; elsewhere a DBA must allow that login, or set DumpSQLURL).
func (s *Server) dumpSQLConnect(ctx context.Context) (*pgx.Conn, error) {
	var config *pgx.ConnConfig
	if s.cfg.DumpSQLURL != "" {
		var err error
		if config, err = pgx.ParseConfig(s.cfg.DumpSQLURL); err != nil {
			return nil, fmt.Errorf("SLUICE_DUMP_SQL_URL: %w", err)
		}
	} else {
		config = s.pool.Config().ConnConfig.Copy()
		config.User = DumpSQLRole
		config.Password = "" // never the server's own; Fallbacks (host, port, TLS) stay as they are
	}
	if config.RuntimeParams == nil {
		config.RuntimeParams = map[string]string{}
	}
	config.RuntimeParams["application_name"] = "sluice $dump-sql"
	config.RuntimeParams["default_transaction_read_only"] = "on"
	config.RuntimeParams["statement_timeout"] = fmt.Sprint(s.dumpSQLTimeout().Milliseconds())
	// A cancelled request cancels the query on the server at once, then drops the connection.
	config.BuildContextWatcherHandler = func(pg *pgconn.PgConn) ctxwatch.Handler {
		return &pgconn.CancelRequestContextWatcherHandler{Conn: pg, DeadlineDelay: 2 * time.Second}
	}
	conn, err := pgx.ConnectConfig(ctx, config)
	if err != nil {
		slog.Error("$dump-sql cannot log in as its role", "user", config.User, "err", err)
		return nil, errorf(http.StatusServiceUnavailable, "$dump-sql cannot connect as the database role %s: set SLUICE_DUMP_SQL_URL, or let that role log in (see the server log)", config.User)
	}
	var unsafe bool
	err = conn.QueryRow(ctx, `select r.rolsuper or r.rolbypassrls
	     or has_any_column_privilege('public.client', 'select') or has_any_column_privilege('public.client_history', 'select')
	     or session_user <> current_user
	   from pg_catalog.pg_roles as r where r.rolname = current_user`).Scan(&unsafe)
	if err == nil && unsafe {
		err = errors.New("the role may read Client secrets (superuser, bypassrls or a grant on public.client)")
	}
	if err != nil {
		conn.Close(ctx)
		slog.Error("$dump-sql refuses its connection's role", "user", config.User, "err", err)
		return nil, errorf(http.StatusServiceUnavailable, "$dump-sql is not safely configured: its database role %s must only read resource tables (see the server log)", config.User)
	}
	return conn, nil
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
		return errorf(http.StatusUnprocessableEntity, "the query took longer than the $dump-sql statement timeout of %s (SLUICE_DUMP_SQL_TIMEOUT): %s", s.dumpSQLTimeout(), message)
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
