// Package proxy is sluice's HTTP side, and only that: a thin pipe that authenticates a request,
// calls the SQL functions or the packages under internal/ that do the work (the bulk load and
// the import workers: internal/bulk), and streams between the HTTP connection and PostgreSQL.
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
	"github.com/sluice-fhir/sluice/internal/bulk"
	"github.com/sluice-fhir/sluice/internal/config"
	"github.com/sluice-fhir/sluice/internal/source"
)

// Config is what the server needs to know beyond its database; internal/config documents
// each field and holds its default (a zero field takes it).
type Config = config.Server

// Server answers sluice's HTTP API.
type Server struct {
	// pool serves authentication, REST, status and health; bulk serves the bulk operations
	// ($dump, $dump-csv, $load, $import inputs), so slow bulk work never holds up the rest.
	pool *pgxpool.Pool
	bulk *pgxpool.Pool
	q    *gen.Queries
	cfg  Config
	// loadLimits bound each $load (and each $import input: imports).
	loadLimits bulk.Limits
	// imports are this server's $import workers (internal/bulk).
	imports *bulk.Workers
	// bulkRunning and dumpSQLRunning count the bulk operations and the $dump-sql queries
	// running (admission.go; zero values ready).
	bulkRunning    admission
	dumpSQLRunning admission
	// sources fetches http(s) sources under the source policy.
	sources *source.Fetcher
	// auth caches verified credentials and slows down repeated failures (auth.go).
	auth *authGuard
}

// New returns a Server on a migrated database.
func New(pool *pgxpool.Pool, cfg Config) *Server {
	cfg = cfg.WithDefaults()
	s := &Server{pool: pool, bulk: newBulkPool(pool, cfg), q: gen.New(), cfg: cfg, sources: newSourceFetcher(cfg), auth: newAuthGuard(cfg),
		loadLimits: bulk.Limits{MaxBytes: cfg.LoadMaxBytes, MaxLines: cfg.LoadMaxLines, MaxDuration: cfg.BulkMaxDuration}}
	s.imports = bulk.NewWorkers(s.pool, s.bulk, s.q, s.sources,
		bulk.Config{ImportWorkers: cfg.ImportWorkers, ImportPerClient: cfg.ImportPerClient, Limits: s.loadLimits})
	return s
}

// newSourceFetcher is the fetcher of the $load and $import sources under cfg's policy.
func newSourceFetcher(cfg Config) *source.Fetcher {
	return source.NewFetcher(source.Config{Allow: cfg.SourceAllow, AllowPrivate: cfg.SourceAllowPrivate, Dir: cfg.SourceDir,
		MinTransferRate: cfg.MinTransferRate, TransferWindow: cfg.TransferWindow})
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

// route is what a request's path names: /[fhir/][<type>[/<id>|/$op]] or /[fhir/]$op.
type route struct {
	fhir         bool   // under /fhir: FHIR format in and out
	resourceType string // e.g. Patient
	id           string // e.g. pt-1
	operation    string // e.g. $dump, $load; to-format/fhir and to-format/aidbox for /to-format/<format>
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
	if !rt.fhir && len(segments) == 2 && segments[0] == "to-format" { // Aidbox's conversion endpoints
		if segments[1] != "fhir" && segments[1] != "aidbox" {
			return rt, false
		}
		rt.operation = "to-format/" + segments[1]
		return rt, true
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
	rec := &statusRecorder{ResponseWriter: w, yaml: wantsYAML(r)}
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
	case strings.HasPrefix(rt.operation, "to-format/") && method == http.MethodPost:
		return s.toFormat
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
// the client had gone away; it carries the answer format the request asked for (answer.go).
type statusRecorder struct {
	http.ResponseWriter
	status     int
	clientGone bool
	yaml       bool
}

func (s *statusRecorder) answersYAML() bool { return s.yaml }

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
