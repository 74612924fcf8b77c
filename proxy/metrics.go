package proxy

import (
	"context"
	"log/slog"
	"net/http"
	"runtime"
	"runtime/debug"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/sluice-fhir/sluice/gen"
)

// metricsScrapeTimeout bounds the database work of one scrape (the job gauges): a scrape
// must never hang on a busy database.
const metricsScrapeTimeout = 2 * time.Second

// metrics are the server's Prometheus metrics (docs/metrics.md), in a registry of its own:
// tests run many servers in one process, and none shares the global default registry.
// Labels name route patterns and operations only, never a path, an id or resource data.
type metrics struct {
	registry *prometheus.Registry
	// exposition serves the registry in the Prometheus text format.
	exposition http.Handler
	requests   *prometheus.CounterVec
	latency    *prometheus.HistogramVec
	// streamedBytes and streamedResources are added once per request or $import input: the
	// streams count into plain fields per buffer, never a metric per row.
	streamedBytes     *prometheus.CounterVec
	streamedResources *prometheus.CounterVec
}

func newMetrics(s *Server) *metrics {
	m := &metrics{
		registry: prometheus.NewRegistry(),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "sluice_http_requests_total",
			Help: "HTTP requests answered, by route pattern, method and status."}, []string{"route", "method", "status"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "sluice_http_request_duration_seconds",
			Help:    "Time from a request's arrival to the end of its response, by route pattern and method.",
			Buckets: []float64{.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30, 60, 300, 1800}}, []string{"route", "method"}),
		streamedBytes: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "sluice_bulk_bytes_total",
			Help: "Bytes sent to clients by $dump and $dump-csv, as sent (compressed when gzip)."},
			[]string{"operation"}),
		streamedResources: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "sluice_bulk_resources_total",
			Help: "Resources streamed by bulk operations: lines sent by $dump, resources written by $load and by $import inputs (committed)."},
			[]string{"operation"}),
	}
	m.registry.MustRegister(m.requests, m.latency, m.streamedBytes, m.streamedResources,
		&jobsCollector{s: s}, &poolCollector{pools: map[string]*pgxpool.Pool{"main": s.pool, "bulk": s.bulk}}, buildInfo())
	m.exposition = promhttp.HandlerFor(m.registry, promhttp.HandlerOpts{ErrorHandling: promhttp.ContinueOnError, ErrorLog: slogPrinter{}})
	return m
}

// metricsPath is GET /metrics as parseRoute reads it: a one-segment path, like a type's.
const metricsPath = "metrics"

// serveMetrics serves GET /metrics to a caller the API authorized (the operator, or a policy
// allowing GET /metrics).
func (s *Server) serveMetrics(w http.ResponseWriter, r *http.Request, _ route) error {
	s.metrics.exposition.ServeHTTP(w, r)
	return nil
}

// MetricsHandler is GET /metrics without credentials, for SLUICE_METRICS_ADDR: a listener of
// its own, for a scraper, apart from the API.
func (s *Server) MetricsHandler() http.Handler {
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", s.metrics.exposition)
	return mux
}

// observe counts one answered request.
func (m *metrics) observe(pattern, method string, status int, elapsed time.Duration) {
	if status == 0 {
		status = http.StatusOK
	}
	method = knownMethod(method)
	m.requests.WithLabelValues(pattern, method, strconv.Itoa(status)).Inc()
	m.latency.WithLabelValues(pattern, method).Observe(elapsed.Seconds())
}

// streamed adds what one bulk operation moved.
func (m *metrics) streamed(operation string, bytes, resources int64) {
	if bytes > 0 {
		m.streamedBytes.WithLabelValues(operation).Add(float64(bytes))
	}
	if resources > 0 {
		m.streamedResources.WithLabelValues(operation).Add(float64(resources))
	}
}

// knownMethod is method when it is one of HTTP's, else "other": the method is the client's
// text and must not make new label values without bound.
func knownMethod(method string) string {
	switch method {
	case http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch,
		http.MethodDelete, http.MethodOptions:
		return method
	}
	return "other"
}

// pattern is the route's shape for the metrics' labels: the operation's name and which
// segments are there, never the type, id, version or file the client wrote (only the
// operation, and only when a handler serves it, so that a client cannot make new labels).
func (rt route) pattern() string {
	p := ""
	if rt.fhir {
		p = "/fhir"
	}
	switch {
	case rt.metadata:
		return p + "/metadata"
	case rt.resourceType == metricsPath && !rt.fhir:
		return "/metrics"
	case rt.resourceType == "" && rt.operation != "": // /$op, /$op/<job>[/<file>]
		p += "/" + rt.operation
		if rt.id != "" {
			p += "/{id}"
		}
		if rt.file != "" {
			p += "/{file}"
		}
		return p
	case rt.resourceType == "BulkImportStatus" && !rt.fhir:
		p += "/BulkImportStatus"
	case rt.resourceType != "":
		p += "/{type}"
	}
	if rt.id != "" {
		p += "/{id}"
	}
	if rt.history {
		p += "/_history"
	}
	if rt.version != "" {
		p += "/{vid}"
	}
	if rt.operation != "" {
		p += "/" + rt.operation
	}
	if p == "" {
		return "/"
	}
	return p
}

// jobsCollector reads the running and queued $import inputs and $export jobs at scrape time,
// under a short statement timeout; a scrape that cannot read them reports the error (the
// other metrics are still served).
type jobsCollector struct{ s *Server }

var jobsDesc = prometheus.NewDesc("sluice_jobs", "Bulk jobs by kind (import: $import inputs, export: $export jobs) and state (running, queued), all servers of the database together.",
	[]string{"kind", "state"}, nil)

func (c *jobsCollector) Describe(ch chan<- *prometheus.Desc) { ch <- jobsDesc }

func (c *jobsCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), metricsScrapeTimeout)
	defer cancel()
	var jobs gen.MetricsJobsRow
	err := pgx.BeginFunc(ctx, c.s.pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, "set local statement_timeout = "+strconv.FormatInt(metricsScrapeTimeout.Milliseconds(), 10)); err != nil {
			return err
		}
		var err error
		jobs, err = c.s.q.MetricsJobs(ctx, tx)
		return err
	})
	if err != nil {
		ch <- prometheus.NewInvalidMetric(jobsDesc, err)
		return
	}
	for _, v := range []struct {
		kind, state string
		n           int64
	}{{"import", "running", jobs.ImportsRunning}, {"import", "queued", jobs.ImportsQueued},
		{"export", "running", jobs.ExportsRunning}, {"export", "queued", jobs.ExportsQueued}} {
		ch <- prometheus.MustNewConstMetric(jobsDesc, prometheus.GaugeValue, float64(v.n), v.kind, v.state)
	}
}

// poolCollector reports the pgx pools' statistics at scrape time.
type poolCollector struct{ pools map[string]*pgxpool.Pool }

var (
	poolAcquired = prometheus.NewDesc("sluice_db_pool_acquired_connections", "Connections of the pool in use.", []string{"pool"}, nil)
	poolIdle     = prometheus.NewDesc("sluice_db_pool_idle_connections", "Idle connections of the pool.", []string{"pool"}, nil)
	poolTotal    = prometheus.NewDesc("sluice_db_pool_total_connections", "Connections of the pool, in use, idle and being made.", []string{"pool"}, nil)
	poolMax      = prometheus.NewDesc("sluice_db_pool_max_connections", "Most connections the pool may hold.", []string{"pool"}, nil)
	poolWaits    = prometheus.NewDesc("sluice_db_pool_acquire_waits_total", "Acquires that had to wait for a connection.", []string{"pool"}, nil)
	poolWaitTime = prometheus.NewDesc("sluice_db_pool_acquire_wait_seconds_total", "Time acquires spent waiting for a connection.", []string{"pool"}, nil)
)

func (c *poolCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{poolAcquired, poolIdle, poolTotal, poolMax, poolWaits, poolWaitTime} {
		ch <- d
	}
}

func (c *poolCollector) Collect(ch chan<- prometheus.Metric) {
	for name, pool := range c.pools {
		st := pool.Stat()
		gauge := func(d *prometheus.Desc, v float64) {
			ch <- prometheus.MustNewConstMetric(d, prometheus.GaugeValue, v, name)
		}
		gauge(poolAcquired, float64(st.AcquiredConns()))
		gauge(poolIdle, float64(st.IdleConns()))
		gauge(poolTotal, float64(st.TotalConns()))
		gauge(poolMax, float64(st.MaxConns()))
		// pgxpool counts the acquires that waited and their time, not those waiting now: the
		// counters' rates are the pool's saturation.
		ch <- prometheus.MustNewConstMetric(poolWaits, prometheus.CounterValue, float64(st.EmptyAcquireCount()), name)
		ch <- prometheus.MustNewConstMetric(poolWaitTime, prometheus.CounterValue, st.EmptyAcquireWaitTime().Seconds(), name)
	}
}

// buildInfo is sluice_build_info: 1, labelled with the Go version and the module's version and
// VCS revision as the binary records them (runtime/debug.ReadBuildInfo).
func buildInfo() prometheus.Collector {
	version, revision := "unknown", "unknown"
	if info, ok := debug.ReadBuildInfo(); ok {
		version = info.Main.Version
		for _, s := range info.Settings {
			if s.Key == "vcs.revision" {
				revision = s.Value
			}
		}
	}
	return prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "sluice_build_info", Help: "1, labelled with the build: Go version, module version, VCS revision.",
		ConstLabels: prometheus.Labels{"goversion": runtime.Version(), "version": version, "revision": revision}},
		func() float64 { return 1 })
}

// slogPrinter logs the exposition's errors (a failed job query) as warnings.
type slogPrinter struct{}

func (slogPrinter) Println(v ...any) { slog.Warn("metrics", "err", v) }
