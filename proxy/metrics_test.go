package proxy_test

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/sluice-fhir/sluice/internal/pgtest"
	"github.com/sluice-fhir/sluice/proxy"
)

// scrape reads GET /metrics as the operator and parses it with Prometheus' own text parser.
func scrape(t *testing.T, ts *testServer) map[string]*dto.MetricFamily {
	t.Helper()
	return parseMetrics(t, ts.expect(http.StatusOK, request{method: "GET", path: "/metrics"}))
}

func parseMetrics(t *testing.T, body []byte) map[string]*dto.MetricFamily {
	t.Helper()
	parser := expfmt.NewTextParser(model.UTF8Validation)
	families, err := parser.TextToMetricFamilies(bytes.NewReader(body))
	if err != nil {
		t.Fatalf("the exposition does not parse: %v\n%s", err, body)
	}
	return families
}

// metricValue is the value of the sample of family name whose labels include want (0 when
// there is none: a counter not yet moved).
func metricValue(families map[string]*dto.MetricFamily, name string, want map[string]string) float64 {
	f := families[name]
	if f == nil {
		return 0
	}
next:
	for _, m := range f.Metric {
		labels := map[string]string{}
		for _, l := range m.Label {
			labels[l.GetName()] = l.GetValue()
		}
		for k, v := range want {
			if labels[k] != v {
				continue next
			}
		}
		switch {
		case m.Counter != nil:
			return m.Counter.GetValue()
		case m.Gauge != nil:
			return m.Gauge.GetValue()
		case m.Histogram != nil:
			return float64(m.Histogram.GetSampleCount())
		}
	}
	return 0
}

// A $load and a $dump move the bulk counters by exactly their rows and bytes, and the request
// counter and histogram of their route patterns by one, with no type or id in any label.
func TestMetricsCountDumpAndLoad(t *testing.T) {
	t.Parallel()
	set := loadSet(t)
	src := newSources(t)
	ts := newLoadServer(t, proxy.Config{})
	data := lines(set["Patient"]...)
	url := src.add("/Patient.ndjson", data)

	before := scrape(t, ts)
	ts.expect(http.StatusOK, request{method: "POST", path: "/Patient/$load", body: loadBody(url, "")})
	// Asked for gzip by hand, so that the client keeps the body as sent (compressed).
	req, err := http.NewRequest("GET", ts.URL+"/Patient/$dump", nil)
	if err != nil {
		t.Fatal(err)
	}
	req.SetBasicAuth(adminID, adminSecret)
	req.Header.Set("Accept-Encoding", "gzip")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	sent, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil || resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Encoding") != "gzip" {
		t.Fatalf("$dump: %d %q %v", resp.StatusCode, resp.Header.Get("Content-Encoding"), err)
	}
	zr, err := gzip.NewReader(bytes.NewReader(sent))
	if err != nil {
		t.Fatal(err)
	}
	dumped, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	after := scrape(t, ts)

	moved := func(name string, labels map[string]string) float64 {
		return metricValue(after, name, labels) - metricValue(before, name, labels)
	}
	if got, want := moved("sluice_bulk_resources_total", map[string]string{"operation": "$load"}), float64(len(set["Patient"])); got != want {
		t.Errorf("$load resources moved by %v, want %v", got, want)
	}
	if got, want := moved("sluice_bulk_resources_total", map[string]string{"operation": "$dump"}), float64(bytes.Count(dumped, []byte("\n"))); got != want || want != float64(len(set["Patient"])) {
		t.Errorf("$dump resources moved by %v, want %v (%d patients)", got, want, len(set["Patient"]))
	}
	if got, want := moved("sluice_bulk_bytes_total", map[string]string{"operation": "$dump"}), float64(len(sent)); got != want {
		t.Errorf("$dump bytes moved by %v, want %v", got, want)
	}
	for _, c := range []struct{ route, method string }{{"/{type}/$load", "POST"}, {"/{type}/$dump", "GET"}} {
		if got := moved("sluice_http_requests_total", map[string]string{"route": c.route, "method": c.method, "status": "200"}); got != 1 {
			t.Errorf("%s %s requests moved by %v, want 1", c.method, c.route, got)
		}
		if got := moved("sluice_http_request_duration_seconds", map[string]string{"route": c.route, "method": c.method}); got != 1 {
			t.Errorf("%s %s latency observations moved by %v, want 1", c.method, c.route, got)
		}
	}
	// No label anywhere carries the type, an id or a raw path.
	for name, f := range after {
		for _, m := range f.Metric {
			for _, l := range m.Label {
				if v := l.GetValue(); bytes.Contains([]byte(v), []byte("Patient")) || bytes.Contains([]byte(v), []byte("127.0.0.1")) {
					t.Errorf("%s has label %s=%q", name, l.GetName(), v)
				}
			}
		}
	}
	for _, pool := range []string{"main", "bulk"} {
		if metricValue(after, "sluice_db_pool_max_connections", map[string]string{"pool": pool}) < 1 {
			t.Errorf("no max connections for pool %s", pool)
		}
	}
	if metricValue(after, "sluice_build_info", nil) != 1 {
		t.Errorf("sluice_build_info missing: %v", after["sluice_build_info"])
	}
}

// The job gauges while an $import waits (no workers run on this server): its inputs are queued.
func TestMetricsJobsQueued(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t, proxy.Config{SourceAllowPrivate: true})
	jobs := func() (queued, running float64) {
		m := scrape(t, ts)
		return metricValue(m, "sluice_jobs", map[string]string{"kind": "import", "state": "queued"}),
			metricValue(m, "sluice_jobs", map[string]string{"kind": "import", "state": "running"})
	}
	if q, r := jobs(); q != 0 || r != 0 {
		t.Fatalf("before any $import: %v queued, %v running", q, r)
	}
	ts.expect(http.StatusOK, request{method: "POST", path: "/$import", body: fmt.Sprintf(
		`{"id":"queued","inputs":[{"resourceType":"Patient","url":%q},{"resourceType":"Patient","url":%q}]}`,
		"http://127.0.0.1:1/a.ndjson", "http://127.0.0.1:1/b.ndjson")})
	if q, r := jobs(); q != 2 || r != 0 {
		t.Errorf("an $import of 2 inputs and no workers: %v queued, %v running, want 2 and 0", q, r)
	}
	m := scrape(t, ts)
	if got := metricValue(m, "sluice_jobs", map[string]string{"kind": "export", "state": "queued"}); got != 0 {
		t.Errorf("export queued %v, want 0", got)
	}
}

// GET /metrics without credentials is refused like the rest of the API; the scraper's handler
// (SLUICE_METRICS_ADDR) serves it without them, and only it.
func TestMetricsProtection(t *testing.T) {
	t.Parallel()
	pool := pgtest.NewPool(t)
	api := proxy.New(pool, proxy.Config{AdminID: adminID, AdminSecret: adminSecret})
	server := httptest.NewServer(api)
	scraper := httptest.NewServer(api.MetricsHandler())
	t.Cleanup(func() {
		server.Close()
		scraper.Close()
		api.Close()
	})
	ts := &testServer{URL: server.URL, Pool: pool, t: t}
	ts.expect(http.StatusUnauthorized, request{method: "GET", path: "/metrics", auth: []string{}})
	ts.expect(http.StatusUnauthorized, request{method: "GET", path: "/metrics", auth: []string{adminID, "wrong"}})
	ts.expect(http.StatusMethodNotAllowed, request{method: "POST", path: "/metrics"})
	// A Client whose policy allows GET /metrics scrapes; one whose policy allows something else
	// is forbidden.
	addClient(ts, "scraper", "s1", `"engine":"matcho","matcho":{"uri":"/metrics","request-method":"get"}`)
	addClient(ts, "reader", "s2", `"engine":"matcho","matcho":{"uri":"/Patient","request-method":"get"}`)
	parseMetrics(t, ts.expect(http.StatusOK, request{method: "GET", path: "/metrics", auth: []string{"scraper", "s1"}}))
	ts.expect(http.StatusForbidden, request{method: "GET", path: "/metrics", auth: []string{"reader", "s2"}})
	scrape(t, ts)

	open := &testServer{URL: scraper.URL, Pool: pool, t: t}
	families := parseMetrics(t, open.expect(http.StatusOK, request{method: "GET", path: "/metrics", auth: []string{}}))
	// The scrapes above (the scraper Client's and the operator's) are counted, in the same
	// registry, and the refused ones by their status; the POST, which nothing serves, under
	// route "unknown".
	for status, want := range map[string]float64{"200": 2, "401": 2, "403": 1, "405": 0} {
		if got := metricValue(families, "sluice_http_requests_total", map[string]string{"route": "/metrics", "status": status}); got != want {
			t.Errorf("/metrics %s counted %v times, want %v", status, got, want)
		}
	}
	if got := metricValue(families, "sluice_http_requests_total", map[string]string{"route": "unknown", "method": "POST", "status": "405"}); got != 1 {
		t.Errorf("POST /metrics counted %v times under unknown, want 1", got)
	}
	open.expect(http.StatusNotFound, request{method: "GET", path: "/Patient", auth: []string{}})
}
