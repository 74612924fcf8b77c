// Package proxy is sluice's HTTP side: a thin pipe that authenticates a request, calls the SQL
// functions that do the work (sql/), and streams between the HTTP connection and PostgreSQL.
package proxy

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/sluice-fhir/sluice/gen"
	"github.com/sluice-fhir/sluice/internal/transfer"
)

// Config is what the server needs to know beyond its database.
type Config struct {
	// AdminID and AdminSecret are the operator credential, which bypasses access policies.
	AdminID     string
	AdminSecret string
	// MaxBodyBytes bounds REST request bodies; larger ones get 413.
	MaxBodyBytes int64
	// DumpSQLURL is where $dump-sql logs in (host, port, database, TLS); its user and
	// password are never used: each request logs in as a role of its own, made for it, a
	// member of DumpSQLRole (dumpsql.go). Empty: the server's own connection settings.
	DumpSQLURL string
	// DumpSQLTimeout bounds a $dump-sql request from start to end, the query and the
	// streaming of its result (DefaultDumpSQLTimeout when zero).
	DumpSQLTimeout time.Duration
	// DumpSQLMaxConcurrent bounds the $dump-sql queries of all clients that run at once,
	// DumpSQLPerClient those of one client (the operator's do not count against the first:
	// it has DumpSQLPerClient of its own). Defaults DefaultDumpSQLMaxConcurrent and
	// DefaultDumpSQLPerClient when zero.
	DumpSQLMaxConcurrent int
	DumpSQLPerClient     int
	// DumpSQLMaxRowBytes bounds one row of a $dump-sql result as the server receives it
	// (DefaultDumpSQLMaxRowBytes when zero), DumpSQLMaxBytes the whole result before
	// compression (DefaultDumpSQLMaxBytes when zero, no limit when negative).
	DumpSQLMaxRowBytes int
	DumpSQLMaxBytes    int64
	// SourceAllow, when not empty, lists the URL prefixes $load and $import may fetch,
	// compared parsed (scheme, host, port, whole path segments; source_policy.go).
	SourceAllow []string
	// SourceAllowPrivate lets sources connect to loopback, private, link-local and other
	// non-public addresses, which are refused by default (false): local use and tests only.
	SourceAllowPrivate bool
	// SourceDir, when set, lets file:// sources read files inside it (and nowhere else).
	SourceDir string
	// ImportWorkers is how many $import inputs this server loads at once (0: 2).
	ImportWorkers int
	// ImportPerClient is how many $import inputs of one Client run at once across the servers
	// sharing the database (0: DefaultImportPerClient; negative: no limit), so that one
	// client's slow inputs never hold every worker; the operator's inputs have no limit.
	ImportPerClient int
	// LoadMaxBytes and LoadMaxLines bound one load ($load, or one $import input): the
	// decompressed bytes of its source (larger: 413) and its non-blank lines (more: 422).
	// Defaults DefaultLoadMaxBytes and DefaultLoadMaxLines when zero or negative.
	LoadMaxBytes int64
	LoadMaxLines int64

	// MinTransferRate (bytes per second) and TransferWindow: a bulk transfer in either
	// direction (a client reading an export, a source feeding a load) that moves fewer than
	// MinTransferRate*TransferWindow bytes in a window is cut off (rate.go). Defaults
	// DefaultMinTransferRate and DefaultTransferWindow; a negative rate disables the check.
	MinTransferRate int64
	TransferWindow  time.Duration
	// BulkMaxDuration bounds every bulk operation ($dump, $dump-csv, $load, one $import input)
	// from start to end (DefaultBulkMaxDuration when zero), so no transaction stays open and
	// holds back vacuum indefinitely.
	BulkMaxDuration time.Duration
	// BulkConnections is how many $dump, $dump-csv and $load of all clients may run at once
	// (the operator's not counted), BulkPerClient how many one caller may run, the operator
	// too (admission.go). The bulk pool has room for both and the import workers.
	BulkConnections int
	BulkPerClient   int

	// AuthCacheTTL is how long a client's verified credential spares it bcrypt
	// (DefaultAuthCacheTTL when zero, negative: no cache). A changed secret or a deleted
	// Client is refused at once whatever the TTL: the cache holds the fingerprint of the
	// stored hash it matched, and the database compares it (policy.verified_secret).
	AuthCacheTTL time.Duration
	// AuthMaxFailures is how many failed authentications in a row a client id may have from
	// one remote address before each further failure makes it wait, with 429 and Retry-After
	// and no database work: 1s, doubling up to AuthBackoffMax; a success resets it.
	// DefaultAuthMaxFailures when zero; negative: no backoff.
	AuthMaxFailures int
	// AuthBackoffMax is the longest such wait (DefaultAuthBackoffMax when zero).
	AuthBackoffMax time.Duration
}

// Server answers sluice's HTTP API.
type Server struct {
	// pool serves authentication, REST, status and health; bulk serves the bulk operations
	// ($dump, $dump-csv, $load, $import inputs), so slow bulk work never holds up the rest.
	pool *pgxpool.Pool
	bulk *pgxpool.Pool
	q    *gen.Queries
	cfg  Config
	// imports wakes this server's $import workers (zero value ready).
	imports importWake
	// bulkRunning and dumpSQLRunning count the bulk operations and the $dump-sql queries
	// running (admission.go; zero values ready).
	bulkRunning    admission
	dumpSQLRunning admission
	// sources fetches http(s) sources under the source policy.
	sources *sourceFetcher
	// auth caches verified credentials and slows down repeated failures (auth.go).
	auth *authGuard
}

// New returns a Server on a migrated database.
func New(pool *pgxpool.Pool, cfg Config) *Server {
	if cfg.MaxBodyBytes <= 0 {
		cfg.MaxBodyBytes = DefaultMaxBodyBytes
	}
	if cfg.MinTransferRate == 0 {
		cfg.MinTransferRate = transfer.DefaultMinTransferRate
	}
	if cfg.TransferWindow <= 0 {
		cfg.TransferWindow = transfer.DefaultTransferWindow
	}
	if cfg.BulkMaxDuration <= 0 {
		cfg.BulkMaxDuration = transfer.DefaultBulkMaxDuration
	}
	if cfg.AuthCacheTTL == 0 {
		cfg.AuthCacheTTL = DefaultAuthCacheTTL
	}
	if cfg.AuthMaxFailures == 0 {
		cfg.AuthMaxFailures = DefaultAuthMaxFailures
	}
	if cfg.AuthBackoffMax <= 0 {
		cfg.AuthBackoffMax = DefaultAuthBackoffMax
	}
	if cfg.BulkConnections <= 0 {
		cfg.BulkConnections = DefaultBulkConnections
	}
	if cfg.BulkPerClient <= 0 {
		cfg.BulkPerClient = DefaultBulkPerClient
	}
	if cfg.ImportWorkers <= 0 {
		cfg.ImportWorkers = DefaultImportWorkers
	}
	cfg.applyDumpSQLDefaults()
	loadDefaults(&cfg)
	return &Server{pool: pool, bulk: newBulkPool(pool, cfg), q: gen.New(), cfg: cfg, sources: newSourceFetcher(cfg), auth: newAuthGuard(cfg)}
}

// newBulkPool is the pool of the bulk operations: the same database as pool, sized for
// the clients' bulk operations, the operator's and the import workers. Its connections are made on demand.
func newBulkPool(pool *pgxpool.Pool, cfg Config) *pgxpool.Pool {
	config := pool.Config()
	config.MaxConns = int32(cfg.BulkConnections + cfg.BulkPerClient + cfg.ImportWorkers)
	config.MinConns = 0
	if config.ConnConfig.RuntimeParams == nil {
		config.ConnConfig.RuntimeParams = map[string]string{}
	}
	config.ConnConfig.RuntimeParams["application_name"] = "sluice bulk"
	bulk, err := pgxpool.NewWithConfig(context.Background(), config)
	if err != nil {
		panic(fmt.Sprintf("the bulk pool from a working pool's config: %v", err)) // cannot happen: the config parsed once already
	}
	return bulk
}

// Close releases the bulk pool (the caller's pool is the caller's to close).
func (s *Server) Close() { s.bulk.Close() }

// DefaultMaxBodyBytes is the REST body limit when none is configured (bulk data comes by URL).
const DefaultMaxBodyBytes = 32 << 20

// route is what a request's path names: /[fhir/][<type>[/<id>|/$op]] or /[fhir/]$op.
type route struct {
	fhir         bool   // under /fhir: FHIR format in and out
	resourceType string // e.g. Patient
	id           string // e.g. pt-1
	operation    string // e.g. $dump, $load
}

// parseRoute splits a path into its route; ok is false for shapes sluice does not serve.
func parseRoute(path string) (rt route, ok bool) {
	segments := strings.Split(strings.Trim(path, "/"), "/")
	if segments[0] == "fhir" {
		rt.fhir = true
		segments = segments[1:]
	}
	if len(segments) == 1 && segments[0] == "" {
		segments = nil
	}
	for _, s := range segments {
		if s == "" {
			return rt, false
		}
	}
	switch len(segments) {
	case 0:
	case 1:
		if strings.HasPrefix(segments[0], "$") {
			rt.operation = segments[0]
		} else {
			rt.resourceType = segments[0]
		}
	case 2:
		if strings.HasPrefix(segments[0], "$") {
			return rt, false
		}
		rt.resourceType = segments[0]
		if strings.HasPrefix(segments[1], "$") {
			rt.operation = segments[1]
		} else {
			rt.id = segments[1]
		}
	default:
		return rt, false
	}
	return rt, true
}

// ServeHTTP authenticates, then dispatches on the route and method, and logs the request:
// also one that a handler aborted (http.ErrAbortHandler), and one whose client went away,
// which is no server error.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	rec := &statusRecorder{ResponseWriter: w}
	completed := false
	defer func() {
		attrs := []any{"method", r.Method, "path", r.URL.Path, "status", rec.status, "ms", time.Since(start).Milliseconds()}
		switch {
		case rec.clientGone || (!completed && r.Context().Err() != nil):
			attrs = append(attrs, "end", "the client went away")
		case !completed:
			attrs = append(attrs, "end", "aborted")
		}
		slog.Info("request", attrs...)
	}()
	s.serve(rec, r)
	completed = true
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path == "/health" && r.Method == http.MethodGet {
		s.health(w, r)
		return
	}
	rt, ok := parseRoute(r.URL.Path)
	if !ok {
		writeError(w, r, errorf(http.StatusNotFound, "no such endpoint: %s", r.URL.Path))
		return
	}
	authorized, err := s.authorize(r, rt)
	if err != nil {
		writeError(w, r, err)
		return
	}
	r = authorized
	if err := checkRequestText(r); err != nil {
		writeError(w, r, err) // the operator's requests too: such text cannot reach the database
		return
	}
	handler := s.handler(r.Method, rt)
	if handler == nil {
		writeError(w, r, errorf(http.StatusMethodNotAllowed, "%s is not supported on %s", r.Method, r.URL.Path))
		return
	}
	if err := handler(w, r, rt); err != nil {
		writeError(w, r, err)
	}
}

// handlerFunc serves one kind of request; an error it returns becomes an OperationOutcome
// (a handler that has begun streaming handles its own errors).
type handlerFunc func(w http.ResponseWriter, r *http.Request, rt route) error

// handler picks the handler for a method and route, or nil.
func (s *Server) handler(method string, rt route) handlerFunc {
	switch {
	case rt.operation != "":
		return s.operationHandler(method, rt)
	case rt.resourceType == "BulkImportStatus" && rt.id != "" && !rt.fhir:
		switch method {
		case http.MethodGet:
			return s.importStatus
		case http.MethodDelete:
			return s.importCancel
		}
		return nil
	case rt.resourceType == "":
		switch {
		case method == http.MethodPut && !rt.fhir: // an Aidbox-format operation only
			return s.putResources
		case method == http.MethodPost:
			return s.postBundle
		}
	case rt.id == "":
		if method == http.MethodPost {
			return s.resourceRequest
		}
	default:
		switch method {
		case http.MethodGet, http.MethodPut, http.MethodDelete:
			return s.resourceRequest
		}
	}
	return nil
}

// operationHandler picks the handler of a $-operation of the bulk API, or nil.
func (s *Server) operationHandler(method string, rt route) handlerFunc {
	typed := rt.resourceType != ""
	switch {
	case rt.operation == "$dump" && typed && method == http.MethodGet:
		return s.admitBulk(s.boundedExport(s.dump))
	case rt.operation == "$dump-csv" && typed && !rt.fhir && method == http.MethodGet:
		return s.admitBulk(s.boundedExport(s.dumpCSV))
	case rt.operation == "$dump-sql" && !typed && !rt.fhir && method == http.MethodPost:
		return s.dumpSQL
	case rt.operation == "$load" && method == http.MethodPost:
		return s.admitBulk(s.load)
	case rt.operation == "$import" && !typed && method == http.MethodPost:
		return s.importStart
	}
	return nil
}

// health answers 200 when the database answers (the server listens only once migrated).
func (s *Server) health(w http.ResponseWriter, r *http.Request) {
	if err := s.pool.Ping(r.Context()); err != nil {
		writeError(w, r, errorf(http.StatusServiceUnavailable, "database unreachable: %v", err))
		return
	}
	writeJSON(w, http.StatusOK, []byte(`{"status":"ok"}`))
}

// statusRecorder remembers the status for the request log, and whether writeError found that
// the client had gone away.
type statusRecorder struct {
	http.ResponseWriter
	status     int
	clientGone bool
}

func (s *statusRecorder) markClientGone() { s.clientGone = true }

func (s *statusRecorder) WriteHeader(status int) {
	if s.status == 0 {
		s.status = status
	}
	s.ResponseWriter.WriteHeader(status)
}

func (s *statusRecorder) Write(b []byte) (int, error) {
	if s.status == 0 {
		s.status = http.StatusOK
	}
	return s.ResponseWriter.Write(b)
}

// Flush lets streaming handlers flush through the recorder.
func (s *statusRecorder) Flush() {
	if f, ok := s.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

// Unwrap gives http.ResponseController the underlying writer.
func (s *statusRecorder) Unwrap() http.ResponseWriter { return s.ResponseWriter }
