package proxy_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sluice-fhir/sluice/internal/pgtest"
	"github.com/sluice-fhir/sluice/proxy"
)

// synthea10 is the 10-patient set: type -> its lines, read once.
var synthea10 = sync.OnceValues(func() (map[string][]string, error) {
	files, err := filepath.Glob("../testdata/synthea-10/*.ndjson.gz")
	if err != nil || len(files) == 0 {
		return nil, fmt.Errorf("no testdata/synthea-10 files: %v", err)
	}
	set := map[string][]string{}
	for _, f := range files {
		data, err := readGzip(f)
		if err != nil {
			return nil, err
		}
		typ := strings.TrimSuffix(filepath.Base(f), ".ndjson.gz")
		for _, line := range strings.Split(strings.TrimRight(string(data), "\n"), "\n") {
			set[typ] = append(set[typ], line)
		}
	}
	return set, nil
})

func readGzip(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	gz, err := gzip.NewReader(f)
	if err != nil {
		return nil, err
	}
	return io.ReadAll(gz)
}

func loadSet(t *testing.T) map[string][]string {
	t.Helper()
	set, err := synthea10()
	if err != nil {
		t.Fatal(err)
	}
	return set
}

func sortedTypes(set map[string][]string) []string {
	var types []string
	for typ := range set {
		types = append(types, typ)
	}
	sort.Strings(types)
	return types
}

func gzipBytes(data []byte) []byte {
	var b bytes.Buffer
	gz := gzip.NewWriter(&b)
	gz.Write(data)
	gz.Close()
	return b.Bytes()
}

// sources is a loopback HTTP server of NDJSON files for a test.
type sources struct {
	*httptest.Server
	mu    sync.Mutex
	files map[string]http.HandlerFunc
}

func newSources(t *testing.T) *sources {
	s := &sources{files: map[string]http.HandlerFunc{}}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		h := s.files[r.URL.Path]
		s.mu.Unlock()
		if h == nil {
			http.NotFound(w, r)
			return
		}
		h(w, r)
	}))
	t.Cleanup(s.Close)
	return s
}

// add serves content at path and returns its URL.
func (s *sources) add(path string, content []byte) string {
	return s.handle(path, func(w http.ResponseWriter, r *http.Request) { w.Write(content) })
}

func (s *sources) handle(path string, h http.HandlerFunc) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.files[path] = h
	return s.URL + path
}

// lines joins NDJSON lines.
func lines(ls ...string) []byte { return []byte(strings.Join(ls, "\n") + "\n") }

// newLoadServer is newImportServer with loopback sources allowed: the tests' sources are there.
func newLoadServer(t *testing.T, cfg proxy.Config) *testServer {
	t.Helper()
	cfg.SourceAllowPrivate = true
	return newImportServer(t, cfg)
}

// newImportServer is newTestServer with the $import workers running for the test's duration.
func newImportServer(t *testing.T, cfg proxy.Config) *testServer {
	t.Helper()
	if cfg.AdminID == "" {
		cfg.AdminID, cfg.AdminSecret = adminID, adminSecret
	}
	pool := pgtest.NewPool(t)
	srv := proxy.New(pool, cfg)
	ctx, cancel := context.WithCancel(context.Background())
	wait := srv.StartImportWorkers(ctx)
	server := httptest.NewServer(srv)
	t.Cleanup(func() {
		server.Close()
		cancel()
		wait()
		srv.Close()
	})
	return &testServer{URL: server.URL, Pool: pool, t: t}
}

func (s *testServer) loadValue(sql string, args ...any) any {
	s.t.Helper()
	var v any
	if err := s.Pool.QueryRow(context.Background(), sql, args...).Scan(&v); err != nil {
		s.t.Fatalf("%s: %v", sql, err)
	}
	return v
}

func (s *testServer) loadRows(table string) int64 {
	s.t.Helper()
	return s.loadValue("select count(*) from " + table).(int64)
}

// storedEqualsInput checks that every input line is stored: the full Aidbox-format resource
// without meta equals the line as a JSON value, and the table holds nothing else.
func (s *testServer) storedEqualsInput(typ string, input []string) {
	s.t.Helper()
	table := strings.ToLower(typ)
	matched := s.loadValue(fmt.Sprintf(`
		with l as materialized (select line::jsonb as j from unnest($1::text[]) as u(line))
		select count(*) from l
		join public.%s t on t.id = l.j ->> 'id'
		where sluice.resource_full(t.resource_type, t.id, t.txid, t.cts, t.ts, t.resource) - 'meta' = l.j`, table),
		input).(int64)
	if total := s.loadRows(table); matched != int64(len(input)) || total != int64(len(input)) {
		s.t.Errorf("%s: %d of %d lines stored as sent, %d rows in the table", typ, matched, len(input), total)
	}
}

func loadBody(source string, extra string) string {
	body := fmt.Sprintf(`{"source": %q`, source)
	if extra != "" {
		body += ", " + extra
	}
	return body + "}"
}

// Every file of the 10-patient set through /<type>/$load, gzipped and plain, and all of them
// in one file through /$load.
func TestLoadSynthea10Aidbox(t *testing.T) {
	t.Parallel()
	set := loadSet(t)
	src := newSources(t)
	ts := newLoadServer(t, proxy.Config{})
	for i, typ := range sortedTypes(set) {
		data := lines(set[typ]...)
		var url string
		if i%2 == 0 {
			url = src.add("/"+typ+".ndjson.gz", gzipBytes(data))
		} else {
			url = src.add("/"+typ+".ndjson", data)
		}
		body := ts.expect(http.StatusOK, request{method: "POST", path: "/" + typ + "/$load", body: loadBody(url, "")})
		if want := fmt.Sprintf(`{"total":%d}`, len(set[typ])); string(body) != want {
			t.Errorf("%s: %s, want %s", typ, body, want)
		}
		ts.storedEqualsInput(typ, set[typ])
	}
	if n := ts.loadValue("select count(*) from public.patient_history").(int64); n != 0 {
		t.Errorf("a load without update wrote %d history rows", n)
	}

	// All types in one gzipped file (served as .ndjson: the bytes say gzip), into a fresh
	// database, through /$load.
	ts2 := newLoadServer(t, proxy.Config{})
	var all []string
	want := map[string]int{}
	for _, typ := range sortedTypes(set) {
		all = append(all, set[typ]...)
		want[typ] = len(set[typ])
	}
	url := src.add("/all.ndjson", gzipBytes(lines(all...)))
	body := ts2.expect(http.StatusOK, request{method: "POST", path: "/$load", body: loadBody(url, "")})
	var got map[string]int
	if err := json.Unmarshal(body, &got); err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("/$load: %v, want %v", got, want)
	}
	for _, typ := range sortedTypes(set) {
		ts2.storedEqualsInput(typ, set[typ])
	}
	ts.largeBodiesCompressedAsConfigured()
	ts2.largeBodiesCompressedAsConfigured()
}

// largeBodiesCompressedAsConfigured checks that the compressed ExplanationOfBenefit bodies
// (most are over PostgreSQL's ~2 kB threshold) use sluice.body_compression(): lz4 where the
// server has it.
func (s *testServer) largeBodiesCompressedAsConfigured() {
	s.t.Helper()
	got := s.loadValue(`select coalesce(string_agg(distinct pg_column_compression(resource), ','), 'none')
		from public.explanationofbenefit`).(string)
	if want := s.loadValue(`select sluice.body_compression()`).(string); got != want {
		s.t.Errorf("ExplanationOfBenefit bodies compressed with %s, want %s", got, want)
	}
}

// The /fhir forms: converted on the way in, so FHIR output gives back the input.
func TestLoadSynthea10FHIR(t *testing.T) {
	t.Parallel()
	set := loadSet(t)
	src := newSources(t)
	ts := newLoadServer(t, proxy.Config{})
	fhirEqualsInput := func(ts *testServer, typ string, input []string) {
		t.Helper()
		table := strings.ToLower(typ)
		matched := ts.loadValue(fmt.Sprintf(`
			with l as materialized (select line::jsonb as j from unnest($1::text[]) as u(line))
			select count(*) from l
			join public.%s t on t.id = l.j ->> 'id'
			where fhir.to_fhir(sluice.resource_full(t.resource_type, t.id, t.txid, t.cts, t.ts, t.resource)) - 'meta'
			      = l.j - 'meta'`, table), input).(int64)
		if total := ts.loadRows(table); matched != int64(len(input)) || total != int64(len(input)) {
			t.Errorf("%s: %d of %d lines give back the input in FHIR format, %d rows", typ, matched, len(input), total)
		}
	}
	for i, typ := range sortedTypes(set) {
		data := lines(set[typ]...)
		if i%2 == 0 {
			data = gzipBytes(data)
		}
		url := src.add("/fhir/"+typ+".ndjson", data)
		body := ts.expect(http.StatusOK, request{method: "POST", path: "/fhir/" + typ + "/$load", body: loadBody(url, "")})
		if want := fmt.Sprintf(`{"total":%d}`, len(set[typ])); string(body) != want {
			t.Errorf("%s: %s, want %s", typ, body, want)
		}
		fhirEqualsInput(ts, typ, set[typ])
	}
	ts2 := newLoadServer(t, proxy.Config{})
	var all []string
	for _, typ := range sortedTypes(set) {
		all = append(all, set[typ]...)
	}
	url := src.add("/fhir/all.ndjson.gz", gzipBytes(lines(all...)))
	ts2.expect(http.StatusOK, request{method: "POST", path: "/fhir/$load", body: loadBody(url, "")})
	for _, typ := range sortedTypes(set) {
		fhirEqualsInput(ts2, typ, set[typ])
	}

	// /fhir/$import, gzipped and plain.
	ts3 := newLoadServer(t, proxy.Config{})
	patients := src.add("/fhir/import/Patient.ndjson", gzipBytes(lines(set["Patient"]...)))
	encounters := src.add("/fhir/import/Encounter.ndjson", lines(set["Encounter"]...))
	// Aidbox answers 200 at once, the status URL in Content-Location (the same form under /fhir).
	resp, created := ts3.do(request{method: "POST", path: "/fhir/$import", body: fmt.Sprintf(
		`{"id":"f1","contentEncoding":"gzip","inputs":[{"resourceType":"Patient","url":%q},{"resourceType":"Encounter","url":%q}]}`,
		patients, encounters)})
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Location") != "/BulkImportStatus/f1" || !strings.Contains(string(created), `"resourceType": "BulkImportStatus"`) {
		t.Errorf("/fhir/$import: %d %q %s", resp.StatusCode, resp.Header.Get("Content-Location"), created)
	}
	if status := waitImport(t, ts3, "f1"); status["status"] != "finished" || status["type"] != "fhir" {
		t.Errorf("/fhir/$import: %v", status)
	}
	fhirEqualsInput(ts3, "Patient", set["Patient"])
	fhirEqualsInput(ts3, "Encounter", set["Encounter"])
	for _, ts := range []*testServer{ts, ts2, ts3} {
		ts.noStagingTables()
	}
	ts.largeBodiesCompressedAsConfigured()
	ts2.largeBodiesCompressedAsConfigured()
}

// First-class extensions (Attribute resources) apply to FHIR loads too.
func TestLoadFHIRFirstClassExtension(t *testing.T) {
	t.Parallel()
	src := newSources(t)
	ts := newLoadServer(t, proxy.Config{})
	seed(ts)
	url := src.add("/p.ndjson", lines(`{"resourceType":"Patient","id":"pt-9","extension":[{"url":"http://hl7.org/fhir/StructureDefinition/patient-citizenship","extension":[{"url":"code","valueCodeableConcept":{"text":"fr"}}]}]}`))
	ts.expect(http.StatusOK, request{method: "POST", path: "/fhir/Patient/$load", body: loadBody(url, "")})
	if got := ts.loadValue("select resource::text from patient where id = 'pt-9'").(string); got != `{"citizenship": [{"code": {"text": "fr"}}]}` {
		t.Errorf("stored %s", got)
	}
}

// Each bad line fails the whole load with 422 naming the line and the problem; nothing is
// written.
func TestLoadBadLines(t *testing.T) {
	t.Parallel()
	src := newSources(t)
	ts := newLoadServer(t, proxy.Config{})
	good1 := `{"resourceType":"Patient","id":"ok-1","name":[{"given":["A"]}]}`
	good2 := `{"resourceType":"Patient","id":"ok-2"}`
	for i, c := range []struct {
		name, path, line, want string
	}{
		{"not JSON", "/Patient/$load", `{"resourceType":"Patient","id":"x",`, "not JSON"},
		{"not JSON in a value", "/Patient/$load", `{"resourceType":"Patient","id":"x","active":tru}`, "not JSON"},
		{"garbage", "/Patient/$load", `hello`, "not JSON"},
		{"what jsonb refuses: \\u0000", "/Patient/$load", `{"resourceType":"Patient","id":"x","note":"a\u0000b"}`, "not JSON"},
		{"what jsonb refuses: a lone surrogate", "/Patient/$load", `{"resourceType":"Patient","id":"x","note":"\ud800"}`, "not JSON"},
		{"what jsonb refuses: a number out of range", "/Patient/$load", `{"resourceType":"Patient","id":"x","n":1e999999}`, "not JSON"},
		{"nested deeper than the parser takes", "/Patient/$load", `{"resourceType":"Patient","id":"x","n":` + strings.Repeat("[", 200000) + strings.Repeat("]", 200000) + `}`, "not JSON"},
		{"not UTF-8", "/Patient/$load", "{\"resourceType\":\"Patient\",\"id\":\"x\",\"n\":\"\xff\"}", "not UTF-8"},
		{"bad createdAt, as PostgreSQL reads it", "/Patient/$load", `{"resourceType":"Patient","id":"x","meta":{"createdAt":"2020-01-01 10:00 Mars"}}`, "createdAt"},
		{"FHIR: nested deeper than the parser takes", "/fhir/Patient/$load", `{"resourceType":"Patient","id":"x","n":` + strings.Repeat("[", 200000) + strings.Repeat("]", 200000) + `}`, "not JSON"},
		{"not an object", "/Patient/$load", `[{"id":"x"}]`, "not a JSON object"},
		{"no id", "/Patient/$load", `{"resourceType":"Patient","name":[]}`, "no id"},
		{"invalid id", "/Patient/$load", `{"resourceType":"Patient","id":"a b"}`, "invalid id"},
		{"id not a string", "/Patient/$load", `{"resourceType":"Patient","id":42}`, "invalid id"},
		{"wrong resourceType", "/Patient/$load", `{"resourceType":"Observation","id":"x"}`, "does not match"},
		{"no resourceType", "/$load", `{"id":"x"}`, "no resourceType"},
		{"unknown resourceType", "/$load", `{"resourceType":"Nonsense","id":"x"}`, "unknown resourceType"},
		{"bad createdAt", "/Patient/$load", `{"resourceType":"Patient","id":"x","meta":{"createdAt":"2020-13-45"}}`, "createdAt"},
		{"FHIR: not JSON", "/fhir/Patient/$load", `{"resourceType":"Patient","id":"x","active":tru}`, "not JSON"},
		{"FHIR: not JSON deep inside", "/fhir/$load", `{"resourceType":"Patient","id":"x","name":[{"given":[tru]}]}`, "not JSON"},
		{"FHIR: wrong resourceType", "/fhir/Patient/$load", `{"resourceType":"Observation","id":"x"}`, "does not match"},
		{"FHIR: unknown resourceType", "/fhir/$load", `{"resourceType":"Nonsense","id":"x"}`, "unknown resourceType"},
	} {
		t.Run(c.name, func(t *testing.T) {
			url := src.add(fmt.Sprintf("/bad-%d.ndjson", i), lines(good1, good2, c.line, good1))
			body := ts.expect(http.StatusUnprocessableEntity, request{method: "POST", path: c.path, body: loadBody(url, "")})
			var oo struct {
				ResourceType string
				Issue        []struct{ Diagnostics string }
			}
			if err := json.Unmarshal(body, &oo); err != nil || oo.ResourceType != "OperationOutcome" || len(oo.Issue) != 1 {
				t.Fatalf("not an OperationOutcome: %s", body)
			}
			if d := oo.Issue[0].Diagnostics; !strings.Contains(d, "line 3") || !strings.Contains(d, c.want) {
				t.Errorf("diagnostics %q do not name line 3 and %q", d, c.want)
			}
			if n := ts.loadRows("public.patient"); n != 0 {
				t.Errorf("%d patients written by a failed load", n)
			}
			ts.noStagingTables()
		})
	}
}

// noStagingTables checks that no load left its staging tables (sluice."load:<pid>...") behind.
func (s *testServer) noStagingTables() {
	s.t.Helper()
	left := s.loadValue(`select coalesce(string_agg(relname, ', '), '') from pg_catalog.pg_class
		where relnamespace = 'sluice'::regnamespace and relname like 'load:%'`).(string)
	if left != "" {
		s.t.Errorf("staging tables left behind: %s", left)
	}
}

// A source that cannot be fetched fails with its URL and the status or error.
func TestLoadSourceUnavailable(t *testing.T) {
	t.Parallel()
	src := newSources(t)
	ts := newLoadServer(t, proxy.Config{})
	missing := src.URL + "/missing.ndjson"
	body := ts.expect(http.StatusUnprocessableEntity, request{method: "POST", path: "/Patient/$load", body: loadBody(missing, "")})
	if !strings.Contains(string(body), missing) || !strings.Contains(string(body), "404") {
		t.Errorf("no URL and status: %s", body)
	}
	closed := httptest.NewServer(http.NotFoundHandler())
	deadURL := closed.URL + "/x.ndjson"
	closed.Close()
	body = ts.expect(http.StatusUnprocessableEntity, request{method: "POST", path: "/Patient/$load", body: loadBody(deadURL, "")})
	if !strings.Contains(string(body), deadURL) || !strings.Contains(string(body), "unreachable") {
		t.Errorf("no URL and error: %s", body)
	}
	// A connection that breaks mid-way: nothing written.
	broken := src.handle("/broken.ndjson", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Length", "100000")
		w.Write(lines(`{"id":"p1"}`, `{"id":"p2"}`))
	})
	body = ts.expect(http.StatusUnprocessableEntity, request{method: "POST", path: "/Patient/$load", body: loadBody(broken, "")})
	if !strings.Contains(string(body), broken) {
		t.Errorf("no URL: %s", body)
	}
	if n := ts.loadRows("public.patient"); n != 0 {
		t.Errorf("%d patients written", n)
	}
	ts.expect(http.StatusUnprocessableEntity, request{method: "POST", path: "/Patient/$load", body: `{}`})
	ts.expect(http.StatusNotFound, request{method: "POST", path: "/Nonsense/$load", body: loadBody(missing, "")})
}

// Within a load the last line of an id wins; blank lines and CRLF endings are fine.
func TestLoadLastLineWins(t *testing.T) {
	t.Parallel()
	src := newSources(t)
	ts := newLoadServer(t, proxy.Config{})
	url := src.add("/dup.ndjson", []byte("{\"id\":\"a\",\"v\":1}\r\n\n{\"id\":\"b\",\"v\":1}\r\n   \n{\"id\":\"a\",\"v\":2}\n{\"id\":\"a\",\"v\":3}"))
	body := ts.expect(http.StatusOK, request{method: "POST", path: "/Patient/$load", body: loadBody(url, "")})
	if string(body) != `{"total":2}` {
		t.Errorf("got %s", body)
	}
	if v := ts.loadValue("select resource->>'v' from public.patient where id = 'a'"); v != "3" {
		t.Errorf("a.v = %v, want 3 (the last line)", v)
	}
}

// The FHIR forms take the same options (strip-nulls and merge apply before the conversion),
// the last line of an id wins, and update keeps the previous version.
func TestLoadFHIROptions(t *testing.T) {
	t.Parallel()
	src := newSources(t)
	ts := newLoadServer(t, proxy.Config{})
	v1 := src.add("/f1.ndjson", lines(
		`{"resourceType":"Patient","id":"a","gender":null,"managingOrganization":{"reference":"Organization/o1"}}`,
		`{"resourceType":"Patient","id":"b","deceasedBoolean":false}`,
		`{"resourceType":"Patient","id":"a","gender":null,"managingOrganization":{"reference":"Organization/o2"}}`))
	ts.expect(http.StatusOK, request{method: "POST", path: "/fhir/Patient/$load",
		body: loadBody(v1, `"strip-nulls": true, "merge": {"active": true}`)})
	stored := func(id string) string {
		t.Helper()
		return ts.loadValue("select resource::text from public.patient where id = $1", id).(string)
	}
	if got, want := stored("a"), `{"active": true, "managingOrganization": {"id": "o2", "resourceType": "Organization"}}`; got != want {
		t.Errorf("a: stored %s, want %s", got, want)
	}
	if got, want := stored("b"), `{"active": true, "deceased": {"boolean": false}}`; got != want {
		t.Errorf("b: stored %s, want %s", got, want)
	}
	v2 := src.add("/f2.ndjson", lines(`{"resourceType":"Patient","id":"a","deceasedBoolean":true}`))
	ts.expect(http.StatusOK, request{method: "POST", path: "/fhir/Patient/$load", body: loadBody(v2, `"update": true`)})
	if got, want := stored("a"), `{"deceased": {"boolean": true}}`; got != want {
		t.Errorf("a after update: stored %s, want %s", got, want)
	}
	if got := ts.loadValue("select jsonb_agg(resource) from public.patient_history where id = 'a'"); fmt.Sprint(got) !=
		"[map[active:true managingOrganization:map[id:o2 resourceType:Organization]]]" {
		t.Errorf("history of a: %v", got)
	}
	ts.noStagingTables()
}

// update: true moves the previous version to history; the default upsert does not.
func TestLoadUpdateHistory(t *testing.T) {
	t.Parallel()
	src := newSources(t)
	ts := newLoadServer(t, proxy.Config{})
	v1 := src.add("/v1.ndjson", lines(`{"id":"a","v":1}`, `{"id":"b","v":1}`))
	v2 := src.add("/v2.ndjson", lines(`{"id":"a","v":2}`, `{"id":"c","v":2}`))
	v3 := src.add("/v3.ndjson", lines(`{"id":"a","v":3}`))
	ts.expect(http.StatusOK, request{method: "POST", path: "/Patient/$load", body: loadBody(v1, "")})
	ts.expect(http.StatusOK, request{method: "POST", path: "/Patient/$load", body: loadBody(v2, "")})
	if n := ts.loadRows("public.patient_history"); n != 0 {
		t.Errorf("default load wrote %d history rows", n)
	}
	if s := ts.loadValue("select status::text from public.patient where id = 'a'"); s != "updated" {
		t.Errorf("status %v, want updated", s)
	}
	ts.expect(http.StatusOK, request{method: "POST", path: "/Patient/$load", body: loadBody(v3, `"update": true`)})
	if got := ts.loadValue("select jsonb_agg(resource->'v' order by txid) from public.patient_history where id = 'a'"); fmt.Sprint(got) != "[2]" {
		t.Errorf("history of a: %v, want [2]", got)
	}
	if n := ts.loadRows("public.patient_history"); n != 1 {
		t.Errorf("%d history rows, want 1", n)
	}
	if v := ts.loadValue("select resource->>'v' from public.patient where id = 'a'"); v != "3" {
		t.Errorf("a.v = %v", v)
	}
}

// strip-nulls, merge, and the server's meta fields.
func TestLoadStripNullsMergeMeta(t *testing.T) {
	t.Parallel()
	src := newSources(t)
	ts := newLoadServer(t, proxy.Config{})
	url := src.add("/n.ndjson", lines(
		`{"resourceType":"Patient","id":"a","x":null,"y":{"z":null,"w":1},"meta":{"versionId":"9","lastUpdated":"2020-01-01T00:00:00Z","createdAt":"2019-05-06T07:08:09Z","tag":[{"code":"t"}]}}`,
		`{"id":"b","meta":{"versionId":"1"},"active":false}`))
	ts.expect(http.StatusOK, request{method: "POST", path: "/Patient/$load", body: loadBody(url, `"strip-nulls": true, "merge": {"active": true, "id": "ignored"}`)})
	got := ts.loadValue("select jsonb_object_agg(id, resource)::text from public.patient").(string)
	var stored map[string]any
	json.Unmarshal([]byte(got), &stored)
	want := `map[a:map[active:true meta:map[tag:[map[code:t]]] y:map[w:1]] b:map[active:true]]`
	if fmt.Sprint(stored) != want {
		t.Errorf("stored %s\nwant %s", fmt.Sprint(stored), want)
	}
	if cts := ts.loadValue("select sluice.iso_instant(cts) from public.patient where id = 'a'"); cts != "2019-05-06T07:08:09.000000Z" {
		t.Errorf("cts %v, want meta.createdAt", cts)
	}
	// Without strip-nulls the nulls stay.
	ts.expect(http.StatusOK, request{method: "POST", path: "/Patient/$load", body: loadBody(url, "")})
	if v := ts.loadValue("select resource ? 'x' from public.patient where id = 'a'"); v != true {
		t.Errorf("x dropped without strip-nulls")
	}
	ts.expect(http.StatusUnprocessableEntity, request{method: "POST", path: "/Patient/$load", body: loadBody(url, `"merge": [1]`)})
}

// A Client loaded in bulk still gets its secret hashed by the table's trigger.
func TestLoadClientSecretHashed(t *testing.T) {
	t.Parallel()
	src := newSources(t)
	ts := newLoadServer(t, proxy.Config{})
	url := src.add("/c.ndjson", lines(`{"id":"bulk","secret":"plain-secret","grant_types":["basic"]}`))
	ts.expect(http.StatusOK, request{method: "POST", path: "/Client/$load", body: loadBody(url, "")})
	if s := ts.loadValue("select resource->>'secret' from public.client where id = 'bulk'"); s == "plain-secret" {
		t.Error("the secret was stored in plain text")
	}
}

// Source policy: the allow list, and file:// only inside SLUICE_SOURCE_DIR.
func TestLoadSourcePolicy(t *testing.T) {
	t.Parallel()
	src := newSources(t)
	okURL := src.add("/ok/p.ndjson", lines(`{"id":"a"}`))
	noURL := src.add("/no/p.ndjson", lines(`{"id":"b"}`))

	ts := newLoadServer(t, proxy.Config{SourceAllow: []string{src.URL + "/ok/"}})
	ts.expect(http.StatusOK, request{method: "POST", path: "/Patient/$load", body: loadBody(okURL, "")})
	body := ts.expect(http.StatusUnprocessableEntity, request{method: "POST", path: "/Patient/$load", body: loadBody(noURL, "")})
	if !strings.Contains(string(body), "SLUICE_SOURCE_ALLOW") {
		t.Errorf("%s", body)
	}
	// A redirect out of the allow list is refused too.
	redirect := src.handle("/ok/redirect.ndjson", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, noURL, http.StatusFound)
	})
	ts.expect(http.StatusUnprocessableEntity, request{method: "POST", path: "/Patient/$load", body: loadBody(redirect, "")})
	body = ts.expect(http.StatusUnprocessableEntity, request{method: "POST", path: "/Patient/$load", body: loadBody("ftp://x/y", "")})
	if !strings.Contains(string(body), "scheme") {
		t.Errorf("%s", body)
	}

	// file:// is refused without a folder.
	dir := t.TempDir()
	inside := filepath.Join(dir, "in")
	os.Mkdir(inside, 0o755)
	os.WriteFile(filepath.Join(inside, "p.ndjson"), gzipBytes(lines(`{"id":"f1"}`, `{"id":"f2"}`)), 0o644)
	os.WriteFile(filepath.Join(dir, "secret.ndjson"), lines(`{"id":"s"}`), 0o644)
	os.Symlink(filepath.Join(dir, "secret.ndjson"), filepath.Join(inside, "link.ndjson"))
	body = ts.expect(http.StatusUnprocessableEntity, request{method: "POST", path: "/Patient/$load", body: loadBody("file://"+inside+"/p.ndjson", "")})
	if !strings.Contains(string(body), "SLUICE_SOURCE_DIR") {
		t.Errorf("%s", body)
	}

	fs := newLoadServer(t, proxy.Config{SourceDir: inside})
	body = fs.expect(http.StatusOK, request{method: "POST", path: "/Patient/$load", body: loadBody("file://"+inside+"/p.ndjson", "")})
	if string(body) != `{"total":2}` {
		t.Errorf("file source: %s", body)
	}
	for _, bad := range []string{
		"file://" + inside + "/../secret.ndjson",
		"file://" + inside + "/link.ndjson",
		"file://" + dir + "/secret.ndjson",
		"file://" + inside + "/missing.ndjson",
	} {
		body := fs.expect(http.StatusUnprocessableEntity, request{method: "POST", path: "/Patient/$load", body: loadBody(bad, "")})
		if !strings.Contains(string(body), bad) {
			t.Errorf("%s: %s", bad, body)
		}
	}
	if n := fs.loadRows("public.patient"); n != 2 {
		t.Errorf("%d patients, want the 2 from inside", n)
	}
}

// waitImport polls a job until its status is not active.
func waitImport(t *testing.T, ts *testServer, id string) map[string]any {
	t.Helper()
	deadline := time.Now().Add(2 * time.Minute)
	for {
		body := ts.expect(http.StatusOK, request{method: "GET", path: "/BulkImportStatus/" + id})
		var status map[string]any
		if err := json.Unmarshal(body, &status); err != nil {
			t.Fatal(err)
		}
		if status["status"] != "active" {
			return status
		}
		if time.Now().After(deadline) {
			t.Fatalf("import %s still active: %s", id, body)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// $import of every file of the 10-patient set, gzipped and plain.
func TestImportSynthea10(t *testing.T) {
	t.Parallel()
	set := loadSet(t)
	src := newSources(t)
	ts := newLoadServer(t, proxy.Config{})
	type input struct {
		ResourceType string `json:"resourceType"`
		URL          string `json:"url"`
	}
	var inputs []input
	for i, typ := range sortedTypes(set) {
		data := lines(set[typ]...)
		path := "/" + typ + ".ndjson"
		if i%2 == 0 {
			data, path = gzipBytes(data), path+".gz"
		}
		inputs = append(inputs, input{typ, src.add(path, data)})
	}
	req, _ := json.Marshal(map[string]any{"id": "synthea", "contentEncoding": "gzip", "inputFormat": "application/fhir+ndjson", "mode": "bulk", "inputs": inputs})
	resp, body := ts.do(request{method: "POST", path: "/$import", body: string(req)})
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Location") != "/BulkImportStatus/synthea" {
		t.Fatalf("%d %q: %s", resp.StatusCode, resp.Header.Get("Content-Location"), body)
	}
	status := waitImport(t, ts, "synthea")
	if status["status"] != "finished" || status["resourceType"] != "BulkImportStatus" || status["type"] != "aidbox" {
		t.Fatalf("status: %v", status)
	}
	for _, in := range status["inputs"].([]any) {
		in := in.(map[string]any)
		typ := in["resourceType"].(string)
		if in["status"] != "finished" || in["total"] != float64(len(set[typ])) {
			t.Errorf("input %v, want finished with %d", in, len(set[typ]))
		}
	}
	if status["time"].(map[string]any)["end"] == nil {
		t.Errorf("no end time: %v", status)
	}
	for _, typ := range sortedTypes(set) {
		ts.storedEqualsInput(typ, set[typ])
	}

	// The same id again: 409. No id: one is generated.
	ts.expect(http.StatusConflict, request{method: "POST", path: "/$import", body: string(req)})
	resp, body = ts.do(request{method: "POST", path: "/$import", body: fmt.Sprintf(`{"inputs":[{"resourceType":"Patient","url":%q}]}`, inputs[0].URL)})
	var created map[string]any
	json.Unmarshal(body, &created)
	id, _ := created["id"].(string)
	if resp.StatusCode != http.StatusOK || id == "" || resp.Header.Get("Content-Location") != "/BulkImportStatus/"+id {
		t.Fatalf("%d %q: %s", resp.StatusCode, resp.Header.Get("Content-Location"), body)
	}
	waitImport(t, ts, id)
	ts.expect(http.StatusNotFound, request{method: "GET", path: "/BulkImportStatus/nope"})
	ts.expect(http.StatusUnprocessableEntity, request{method: "POST", path: "/$import", body: `{"inputs":[]}`})
	ts.expect(http.StatusUnprocessableEntity, request{method: "POST", path: "/$import", body: `{"inputs":[{"resourceType":"Nonsense","url":"http://x/y"}]}`})
	ts.expect(http.StatusUnprocessableEntity, request{method: "POST", path: "/$import", body: `{"inputs":[{"resourceType":"Patient","url":"file:///etc/passwd"}]}`})
}

// A failing input fails alone (its own transaction); the job ends failed.
func TestImportFailedInput(t *testing.T) {
	t.Parallel()
	src := newSources(t)
	ts := newLoadServer(t, proxy.Config{})
	good := src.add("/good.ndjson", lines(`{"id":"a"}`))
	bad := src.add("/bad.ndjson", lines(`{"id":"b"}`, `{"id":"c"`))
	ts.expect(http.StatusOK, request{method: "POST", path: "/$import", body: fmt.Sprintf(
		`{"id":"mixed","inputs":[{"resourceType":"Patient","url":%q},{"resourceType":"Organization","url":%q},{"resourceType":"Practitioner","url":%q}]}`,
		good, bad, src.URL+"/missing")})
	status := waitImport(t, ts, "mixed")
	inputs := status["inputs"].([]any)
	if status["status"] != "failed" || inputs[0].(map[string]any)["status"] != "finished" ||
		inputs[1].(map[string]any)["status"] != "failed" || !strings.Contains(fmt.Sprint(inputs[1].(map[string]any)["error"]), "line 2") ||
		inputs[2].(map[string]any)["status"] != "failed" || !strings.Contains(fmt.Sprint(inputs[2].(map[string]any)["error"]), "404") {
		t.Errorf("status: %v", status)
	}
	if n := ts.loadRows("public.organization"); n != 0 {
		t.Errorf("%d organizations from a failed input", n)
	}
	if n := ts.loadRows("public.patient"); n != 1 {
		t.Errorf("%d patients", n)
	}
}

// slowSource serves n lines of Patients, a few at a time, until release is closed; then the
// rest at once. It counts the requests.
type slowSource struct {
	release  chan struct{}
	requests int
	mu       sync.Mutex
}

func (s *slowSource) serve(n int) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		s.requests++
		s.mu.Unlock()
		for i := range n {
			fmt.Fprintf(w, `{"id":"slow-%d","name":[{"given":["P%d"]}]}`+"\n", i, i)
			select {
			case <-s.release:
			case <-r.Context().Done():
				return
			default:
				if i%50 == 49 {
					w.(http.Flusher).Flush()
					select {
					case <-s.release:
					case <-r.Context().Done():
						return
					case <-time.After(100 * time.Millisecond):
					}
				}
			}
		}
	}
}

// DELETE cancels: the waiting input at once, the running one rolled back; the running count
// shows while it runs.
func TestImportCancel(t *testing.T) {
	t.Parallel()
	src := newSources(t)
	ts := newLoadServer(t, proxy.Config{ImportWorkers: 1})
	slow := &slowSource{release: make(chan struct{})}
	defer close(slow.release)
	slowURL := src.handle("/slow.ndjson", slow.serve(100000))
	other := src.add("/other.ndjson", lines(`{"id":"o"}`))
	ts.expect(http.StatusOK, request{method: "POST", path: "/$import", body: fmt.Sprintf(
		`{"id":"c1","inputs":[{"resourceType":"Patient","url":%q},{"resourceType":"Organization","url":%q}]}`, slowURL, other)})

	// Wait for a running count.
	deadline := time.Now().Add(time.Minute)
	for {
		body := ts.expect(http.StatusOK, request{method: "GET", path: "/BulkImportStatus/c1"})
		var status struct {
			Status string
			Inputs []struct {
				Status string
				Total  int
			}
		}
		json.Unmarshal(body, &status)
		if status.Inputs[0].Status == "in-progress" && status.Inputs[0].Total > 0 {
			if status.Status != "active" || status.Inputs[1].Status != "waiting" {
				t.Errorf("status: %s", body)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no running count: %s", body)
		}
		time.Sleep(50 * time.Millisecond)
	}
	body := ts.expect(http.StatusOK, request{method: "DELETE", path: "/BulkImportStatus/c1"})
	var cancelled struct{ Status string }
	if json.Unmarshal(body, &cancelled); cancelled.Status != "cancelled" {
		t.Errorf("DELETE: %s", body)
	}
	// Well within the workers' 30 s re-check: the cancel's notification stops the running input.
	deadline = time.Now().Add(10 * time.Second)
	for {
		body = ts.expect(http.StatusOK, request{method: "GET", path: "/BulkImportStatus/c1"})
		var status struct {
			Status string
			Inputs []struct{ Status string }
		}
		json.Unmarshal(body, &status)
		if status.Status == "cancelled" && status.Inputs[0].Status == "cancelled" && status.Inputs[1].Status == "cancelled" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("not cancelled: %s", body)
		}
		time.Sleep(50 * time.Millisecond)
	}
	if n := ts.loadRows("public.patient") + ts.loadRows("public.organization"); n != 0 {
		t.Errorf("%d resources written by a cancelled import", n)
	}
	ts.expect(http.StatusNotFound, request{method: "DELETE", path: "/BulkImportStatus/nope"})

	// A finished job cannot be cancelled.
	ts.expect(http.StatusOK, request{method: "POST", path: "/$import", body: fmt.Sprintf(
		`{"id":"c2","inputs":[{"resourceType":"Organization","url":%q}]}`, other)})
	waitImport(t, ts, "c2")
	ts.expect(http.StatusConflict, request{method: "DELETE", path: "/BulkImportStatus/c2"})
}
