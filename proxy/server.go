// Package proxy is sluice's HTTP side, and only that: a thin pipe that authenticates a request,
// calls the SQL functions or the packages under internal/ that do the work (the bulk load and
// the import workers: internal/bulk), and streams between the HTTP connection and PostgreSQL.
package proxy

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/sluice-fhir/sluice/gen"
	"github.com/sluice-fhir/sluice/internal/bulk"
	"github.com/sluice-fhir/sluice/internal/config"
	"github.com/sluice-fhir/sluice/internal/export"
	"github.com/sluice-fhir/sluice/internal/oauth"
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
	// imports are this server's $import workers (internal/bulk), exports its $export workers
	// (internal/export).
	imports *bulk.Workers
	exports *export.Jobs
	// bulkRunning and dumpSQLRunning count the bulk operations and the $dump-sql queries
	// running (admission.go; zero values ready).
	bulkRunning    admission
	dumpSQLRunning admission
	// sources fetches http(s) sources under the source policy.
	sources *source.Fetcher
	// auth caches verified credentials and slows down repeated failures (auth.go).
	auth *authGuard
	// tokens issues the access tokens of POST /auth/token (token.go, internal/oauth).
	tokens *oauth.Issuer
	// metrics are GET /metrics (metrics.go).
	metrics *metrics
}

// New returns a Server on a migrated database.
func New(pool *pgxpool.Pool, cfg Config) *Server {
	cfg = cfg.WithDefaults()
	s := &Server{pool: pool, bulk: newBulkPool(pool, cfg), q: gen.New(), cfg: cfg, sources: newSourceFetcher(cfg), auth: newAuthGuard(cfg),
		loadLimits: bulk.Limits{MaxBytes: cfg.LoadMaxBytes, MaxLines: cfg.LoadMaxLines, MaxDuration: cfg.BulkMaxDuration}}
	s.metrics = newMetrics(s)
	s.tokens = oauth.NewIssuer(s.pool, s.q, s.sources, cfg.TokenLifetime)
	s.imports = bulk.NewWorkers(s.pool, s.bulk, s.q, s.sources,
		bulk.Config{ImportWorkers: cfg.ImportWorkers, ImportPerClient: cfg.ImportPerClient, Limits: s.loadLimits,
			Loaded: func(rows int64) { s.metrics.streamed("$import", 0, rows) }})
	if cfg.ExportDir == "" {
		cfg.ExportDir = filepath.Join(os.TempDir(), "sluice-export")
	}
	s.exports = export.NewJobs(s.pool, s.bulk, s.q, export.JobsConfig{Dir: cfg.ExportDir, MaxLines: cfg.ExportMaxLines,
		Keep: cfg.ExportExpires, Workers: cfg.ExportJobs, PartWorkers: cfg.ExportParallel, MaxDuration: cfg.BulkMaxDuration})
	return s
}

// newSourceFetcher is the fetcher of the $load and $import sources under cfg's policy.
func newSourceFetcher(cfg Config) *source.Fetcher {
	return source.NewFetcher(source.Config{Allow: cfg.SourceAllow, AllowPrivate: cfg.SourceAllowPrivate, Dir: cfg.SourceDir,
		MinTransferRate: cfg.MinTransferRate, TransferWindow: cfg.TransferWindow})
}

// newBulkPool is the pool of the bulk operations: the same database as pool, sized for
// the clients' bulk operations, the operator's, the import workers and the export workers (a
// connection per job and one per type written at once). Its connections are made on demand.
func newBulkPool(pool *pgxpool.Pool, cfg Config) *pgxpool.Pool {
	config := pool.Config()
	config.MaxConns = int32(cfg.BulkConnections + cfg.BulkPerClient + cfg.ImportWorkers + cfg.ExportJobs*(1+cfg.ExportParallel))
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

// route is what a request's path names: /[fhir/][<type>[/<id>[/_history[/<vid>]]][/$op]],
// /[fhir/]$op, /[fhir/]$op/<id>[/<file>] (the $export status and files), or /fhir/metadata.
type route struct {
	fhir         bool   // under /fhir: FHIR format in and out
	metadata     bool   // /fhir/metadata: the CapabilityStatement
	resourceType string // e.g. Patient
	id           string // e.g. pt-1; of $export-status and $export-file: the job
	history      bool   // <type>/<id>/_history: the versions of a resource
	version      string // <type>/<id>/_history/<vid>: one version (vread)
	operation    string // e.g. $dump, $load; to-format/fhir and to-format/aidbox for /to-format/<format>
	file         string // of $export-file: the file's name
}

// jobOperations are the operations whose path goes on with a job id (and a file name).
var jobOperations = map[string]bool{"$export-status": true, "$export-file": true, "$import-errors": true}

// parseRoute splits a path into its route; ok is false for shapes sluice does not serve:
// a path that does not start with one slash, empty segments (one trailing slash is fine), an
// operation anywhere but last (but the job operations' id and file), more than four segments,
// and /metadata without /fhir (Aidbox answers it in a format of its own).
func parseRoute(path string) (rt route, ok bool) {
	rest, rooted := strings.CutPrefix(path, "/")
	if !rooted && path != "" {
		return rt, false
	}
	var segments []string
	if rest = strings.TrimSuffix(rest, "/"); rest != "" {
		segments = strings.Split(rest, "/")
	}
	if len(segments) > 0 && segments[0] == "fhir" {
		rt.fhir = true
		segments = segments[1:]
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
	isOperation := func(s string) bool { return strings.HasPrefix(s, "$") }
	switch len(segments) {
	case 0:
	case 1:
		switch {
		case isOperation(segments[0]):
			rt.operation = segments[0]
		case segments[0] == "metadata":
			if !rt.fhir {
				return rt, false
			}
			rt.metadata = true
		default:
			rt.resourceType = segments[0]
		}
	case 2:
		if isOperation(segments[0]) {
			if !jobOperations[segments[0]] || isOperation(segments[1]) {
				return rt, false
			}
			rt.operation, rt.id = segments[0], segments[1]
			break
		}
		rt.resourceType = segments[0]
		if isOperation(segments[1]) {
			rt.operation = segments[1]
		} else {
			rt.id = segments[1]
		}
	case 3, 4:
		switch {
		case len(segments) == 3 && jobOperations[segments[0]] && !isOperation(segments[1]) && !isOperation(segments[2]):
			rt.operation, rt.id, rt.file = segments[0], segments[1], segments[2]
		case len(segments) == 3 && !isOperation(segments[0]) && !isOperation(segments[1]) && isOperation(segments[2]):
			rt.resourceType, rt.id, rt.operation = segments[0], segments[1], segments[2]
		case isOperation(segments[0]) || isOperation(segments[1]) || segments[2] != "_history":
			return rt, false
		default:
			rt.resourceType, rt.id, rt.history = segments[0], segments[1], true
			if len(segments) == 4 {
				if isOperation(segments[3]) {
					return rt, false
				}
				rt.version = segments[3]
			}
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
	pattern := "unknown"
	defer func() {
		s.metrics.observe(pattern, r.Method, rec.status, time.Since(start))
		attrs := []any{"method", r.Method, "path", r.URL.Path, "status", rec.status, "ms", time.Since(start).Milliseconds()}
		switch {
		case rec.clientGone || (!completed && r.Context().Err() != nil):
			attrs = append(attrs, "end", "the client went away")
		case !completed:
			attrs = append(attrs, "end", "aborted")
		}
		slog.Info("request", attrs...)
	}()
	s.serve(rec, r, &pattern)
	completed = true
}

// serve answers r and sets *pattern to its route pattern for the metrics once it is known
// to be one sluice serves (else it stays "unknown").
func (s *Server) serve(w http.ResponseWriter, r *http.Request, pattern *string) {
	switch {
	case r.URL.Path == "/health" && r.Method == http.MethodGet:
		*pattern = "/health"
		s.health(w, r)
		return
	case r.URL.Path == oauth.TokenPath: // authenticates its clients itself
		*pattern = oauth.TokenPath
		s.token(w, r)
		return
	case smartConfigurationPaths[r.URL.Path]: // discovery needs no credentials
		*pattern = r.URL.Path
		s.smartConfiguration(w, r)
		return
	}
	rt, ok := parseRoute(r.URL.Path)
	if !ok {
		writeError(w, r, errorf(http.StatusNotFound, "no such endpoint: %s", r.URL.Path))
		return
	}
	handler := s.handler(r.Method, rt)
	if handler != nil {
		*pattern = rt.pattern()
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
	case rt.metadata:
		if method == http.MethodGet {
			return s.capabilities
		}
	case rt.history:
		switch {
		case method != http.MethodGet:
		case rt.version != "":
			return s.vread
		default:
			return s.history
		}
	case rt.resourceType == metricsPath && rt.id == "" && !rt.fhir:
		// GET /metrics; no resource type is lower-case.
		if method == http.MethodGet {
			return s.serveMetrics
		}
		return nil
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
	if rt.operation == "$export" && rt.fhir && (method == http.MethodGet || method == http.MethodPost) &&
		(rt.resourceType == "" && rt.id == "" || rt.resourceType == "Patient" && rt.id == "" || rt.resourceType == "Group" && rt.id != "") {
		return s.exportStart
	}
	if rt.id != "" || rt.file != "" {
		switch {
		case rt.operation == "$export-status" && !typed && rt.fhir && rt.file == "" && method == http.MethodGet:
			return s.exportStatus
		case rt.operation == "$export-status" && !typed && rt.fhir && rt.file == "" && method == http.MethodDelete:
			return s.exportCancel
		case rt.operation == "$export-file" && !typed && rt.fhir && rt.file != "" && method == http.MethodGet:
			return s.exportFile
		case rt.operation == "$import-errors" && !typed && !rt.fhir && rt.file != "" && method == http.MethodGet:
			return s.importErrors
		case rt.operation == "$purge" && rt.resourceType == "Patient" && rt.file == "" && method == http.MethodPost:
			return s.patientPurge
		}
		return nil
	}
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
