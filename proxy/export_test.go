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
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/sluice-fhir/sluice/internal/pgtest"
	"github.com/sluice-fhir/sluice/proxy"
)

// The $export tests check the server as the Inferno bulk-data test kit does: kick-off, status,
// manifest, files, and every line against the official R4 JSON schema, on the 10-patient
// Synthea set.

// newExportServer starts a server with its export (and import) workers, its files in a
// folder of the test's own, with the Synthea set loaded.
func newExportServer(t *testing.T, cfg proxy.Config) (*testServer, string) {
	t.Helper()
	if cfg.AdminID == "" {
		cfg.AdminID, cfg.AdminSecret = adminID, adminSecret
	}
	if cfg.ExportDir == "" {
		cfg.ExportDir = t.TempDir()
	}
	synthea, err := filepath.Abs("../testdata/synthea-10")
	if err != nil {
		t.Fatal(err)
	}
	cfg.SourceDir = synthea
	pool := pgtest.NewPool(t)
	srv := proxy.New(pool, cfg)
	ctx, cancel := context.WithCancel(context.Background())
	waitExports := srv.StartExportWorkers(ctx)
	server := httptest.NewServer(srv)
	t.Cleanup(func() {
		server.Close()
		cancel()
		waitExports()
		srv.Close()
	})
	ts := &testServer{URL: server.URL, Pool: pool, t: t}
	files, err := filepath.Glob(filepath.Join(synthea, "*.ndjson.gz"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no Synthea files: %v", err)
	}
	for _, f := range files {
		ts.expect(http.StatusOK, request{method: "POST", path: "/fhir/$load", body: fmt.Sprintf(`{"source": "file://%s"}`, f)})
	}
	return ts, cfg.ExportDir
}

// kickOff sends a kick-off and returns the response (body read).
func (s *testServer) kickOff(method, path, body string, header map[string]string) (*http.Response, []byte) {
	s.t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	r, err := http.NewRequest(method, s.URL+path, rd)
	if err != nil {
		s.t.Fatal(err)
	}
	r.SetBasicAuth(adminID, adminSecret)
	r.Header.Set("Accept", "application/fhir+json")
	r.Header.Set("Prefer", "respond-async")
	if body != "" {
		r.Header.Set("Content-Type", "application/fhir+json")
	}
	for k, v := range header {
		r.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(r)
	if err != nil {
		s.t.Fatal(err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	return resp, data
}

// startExport kicks off and returns the absolute status URL.
func (s *testServer) startExport(method, path, body string, header map[string]string) string {
	s.t.Helper()
	resp, data := s.kickOff(method, path, body, header)
	if resp.StatusCode != http.StatusAccepted {
		s.t.Fatalf("%s %s: status %d, want 202: %s", method, path, resp.StatusCode, data)
	}
	if len(data) != 0 {
		s.t.Errorf("kick-off body %q, want none", data)
	}
	loc := resp.Header.Get("Content-Location")
	if !strings.HasPrefix(loc, s.URL+"/") {
		s.t.Fatalf("Content-Location %q is not an absolute URL of the server", loc)
	}
	return loc
}

// get fetches an absolute URL as the operator.
func (s *testServer) get(url string, header map[string]string) (*http.Response, []byte) {
	s.t.Helper()
	r, err := http.NewRequest("GET", url, nil)
	if err != nil {
		s.t.Fatal(err)
	}
	r.SetBasicAuth(adminID, adminSecret)
	for k, v := range header {
		r.Header.Set(k, v)
	}
	resp, err := http.DefaultTransport.RoundTrip(r) // no transparent gunzip
	if err != nil {
		s.t.Fatal(err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	return resp, data
}

type manifest struct {
	TransactionTime     string          `json:"transactionTime"`
	Request             string          `json:"request"`
	RequiresAccessToken *bool           `json:"requiresAccessToken"`
	Output              []manifestEntry `json:"output"`
	Deleted             []manifestEntry `json:"deleted"`
	Error               []manifestEntry `json:"error"`
}

type manifestEntry struct {
	Type  string `json:"type"`
	URL   string `json:"url"`
	Count int    `json:"count"`
}

// waitManifest polls the status URL until it answers 200, checking the 202s on the way.
func (s *testServer) waitManifest(status string) manifest {
	s.t.Helper()
	deadline := time.Now().Add(2 * time.Minute)
	for {
		resp, body := s.get(status, nil)
		switch resp.StatusCode {
		case http.StatusAccepted:
			if _, err := strconv.Atoi(resp.Header.Get("Retry-After")); err != nil {
				s.t.Fatalf("status 202 with Retry-After %q, want an integer", resp.Header.Get("Retry-After"))
			}
			if resp.Header.Get("X-Progress") == "" || len(body) != 0 {
				s.t.Fatalf("status 202: X-Progress %q, body %q", resp.Header.Get("X-Progress"), body)
			}
		case http.StatusOK:
			if ct := resp.Header.Get("Content-Type"); ct != "application/json" {
				s.t.Errorf("manifest Content-Type %q, want application/json", ct)
			}
			if resp.Header.Get("Expires") == "" {
				s.t.Errorf("manifest without Expires")
			}
			var keys map[string]json.RawMessage
			if err := json.Unmarshal(body, &keys); err != nil {
				s.t.Fatalf("manifest %s: %v", body, err)
			}
			for _, k := range []string{"transactionTime", "request", "requiresAccessToken", "output", "error"} {
				if _, ok := keys[k]; !ok {
					s.t.Errorf("manifest without %s: %s", k, body)
				}
			}
			var m manifest
			json.Unmarshal(body, &m)
			return m
		default:
			s.t.Fatalf("status %d: %s", resp.StatusCode, body)
		}
		if time.Now().After(deadline) {
			s.t.Fatal("the export did not finish in 2 minutes")
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// download fetches every file of entries, checks what Inferno checks of each, and returns the
// lines by type.
func (s *testServer) download(entries []manifestEntry) map[string][]string {
	s.t.Helper()
	lines := map[string][]string{}
	for _, e := range entries {
		if !strings.HasPrefix(e.URL, s.URL+"/") {
			s.t.Errorf("output url %q is not absolute", e.URL)
		}
		resp, body := s.get(e.URL, nil)
		if resp.StatusCode != http.StatusOK {
			s.t.Fatalf("GET %s: %d %s", e.URL, resp.StatusCode, body)
		}
		if ct := resp.Header.Get("Content-Type"); ct != "application/fhir+ndjson" {
			s.t.Errorf("%s: Content-Type %q, want application/fhir+ndjson", e.URL, ct)
		}
		got := strings.Split(strings.TrimSuffix(string(body), "\n"), "\n")
		if len(got) != e.Count {
			s.t.Errorf("%s: %d lines, the manifest says %d", e.URL, len(got), e.Count)
		}
		for _, line := range got {
			var r struct {
				ResourceType string `json:"resourceType"`
			}
			if err := json.Unmarshal([]byte(line), &r); err != nil || r.ResourceType != e.Type {
				s.t.Fatalf("%s: a line of type %q (%v), want %s", e.URL, r.ResourceType, err, e.Type)
			}
		}
		lines[e.Type] = append(lines[e.Type], got...)
	}
	return lines
}

// dumpFHIR is what $dump?fhir=true gives for a type, one resource per line.
func (s *testServer) dumpFHIR(resourceType string) []string {
	s.t.Helper()
	body := s.expect(http.StatusOK, request{method: "GET", path: "/" + resourceType + "/$dump?fhir=true"})
	text := strings.TrimSuffix(string(body), "\n")
	if text == "" {
		return nil
	}
	return strings.Split(text, "\n")
}

// sameLines fails unless got and want hold the same lines in any order.
func sameLines(t *testing.T, what string, got, want []string) {
	t.Helper()
	g, w := append([]string(nil), got...), append([]string(nil), want...)
	sort.Strings(g)
	sort.Strings(w)
	if strings.Join(g, "\n") != strings.Join(w, "\n") {
		t.Errorf("%s: %d lines differ from the %d wanted", what, len(got), len(want))
	}
}

func validateLines(t *testing.T, lines map[string][]string) {
	t.Helper()
	for typ, ls := range lines {
		schema := fhirSchema(t, typ)
		for _, line := range ls {
			v, err := jsonschema.UnmarshalJSON(strings.NewReader(line))
			if err != nil {
				t.Fatal(err)
			}
			if err := schema.Validate(v); err != nil {
				t.Fatalf("a %s line is not valid FHIR R4: %v\n%s", typ, err, line)
			}
		}
	}
}

// System level, as Inferno checks it: 202 + Content-Location, 202s then the manifest with
// its keys, absolute URLs and exact counts, one type per file, every line valid R4 and
// equal to $dump?fhir=true; a type larger than the line limit is split.
func TestExportSystem(t *testing.T) {
	t.Parallel()
	ts, _ := newExportServer(t, proxy.Config{ExportMaxLines: 500})
	status := ts.startExport("GET", "/fhir/$export", "", map[string]string{"Accept": "application/fhir+json, */*;q=0.1"})
	m := ts.waitManifest(status)
	if m.RequiresAccessToken == nil || !*m.RequiresAccessToken || m.Request != ts.URL+"/fhir/$export" || m.Error == nil || len(m.Error) != 0 {
		t.Errorf("manifest: %+v", m)
	}
	if _, err := time.Parse(time.RFC3339Nano, m.TransactionTime); err != nil {
		t.Errorf("transactionTime %q: %v", m.TransactionTime, err)
	}
	lines := ts.download(m.Output)
	if len(lines["Patient"]) < 2 {
		t.Errorf("%d patients exported, want at least 2", len(lines["Patient"]))
	}
	split := 0
	for _, e := range m.Output {
		if e.Type == "Observation" {
			split++
		}
	}
	if split < 2 {
		t.Errorf("Observation in %d files, want several (500 lines each)", split)
	}
	types := map[string]bool{}
	for _, e := range m.Output {
		types[e.Type] = true
	}
	if len(types) != 17 {
		t.Errorf("%d types exported, want the Synthea set's 17", len(types))
	}
	for typ := range types {
		sameLines(t, typ, lines[typ], ts.dumpFHIR(typ))
	}
	validateLines(t, lines)

	// Gzip when asked.
	resp, body := ts.get(m.Output[0].URL, map[string]string{"Accept-Encoding": "gzip"})
	if resp.Header.Get("Content-Encoding") != "gzip" {
		t.Fatalf("Content-Encoding %q", resp.Header.Get("Content-Encoding"))
	}
	zr, err := gzip.NewReader(bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	plain, _ := io.ReadAll(zr)
	if n := bytes.Count(plain, []byte("\n")); n != m.Output[0].Count {
		t.Errorf("gzipped file: %d lines, want %d", n, m.Output[0].Count)
	}
}

// _type (comma list and repeated), _since with deleted, _typeFilter, _elements, a POST with a
// Parameters body.
func TestExportParameters(t *testing.T) {
	t.Parallel()
	ts, _ := newExportServer(t, proxy.Config{})
	m := ts.waitManifest(ts.startExport("GET", "/fhir/$export?_type=Patient,Organization&_type=Practitioner", "", nil))
	got := map[string]bool{}
	for _, e := range m.Output {
		got[e.Type] = true
	}
	if len(got) != 3 || !got["Patient"] || !got["Organization"] || !got["Practitioner"] {
		t.Errorf("_type: exported %v", got)
	}

	// _since: a resource changed and one deleted after it.
	patients := ts.dumpFHIR("Patient")
	var first, second struct {
		ID string `json:"id"`
	}
	json.Unmarshal([]byte(patients[0]), &first)
	json.Unmarshal([]byte(patients[1]), &second)
	time.Sleep(20 * time.Millisecond)
	since := time.Now().UTC().Format(time.RFC3339Nano)
	time.Sleep(20 * time.Millisecond)
	ts.expect(http.StatusOK, request{method: "PUT", path: "/Patient/" + first.ID, body: `{"gender": "other"}`})
	ts.expect(http.StatusOK, request{method: "DELETE", path: "/Patient/" + second.ID})
	body := fmt.Sprintf(`{"resourceType": "Parameters", "parameter": [
		{"name": "_type", "valueString": "Patient"}, {"name": "_since", "valueInstant": %q},
		{"name": "_outputFormat", "valueString": "application/fhir+ndjson"}]}`, since)
	m = ts.waitManifest(ts.startExport("POST", "/fhir/$export", body, nil))
	lines := ts.download(m.Output)
	if len(lines["Patient"]) != 1 || !strings.Contains(lines["Patient"][0], `"id":"`+first.ID+`"`) && !strings.Contains(lines["Patient"][0], `"id": "`+first.ID+`"`) {
		t.Errorf("_since: %v", lines["Patient"])
	}
	deleted := ts.download(m.Deleted)
	if len(deleted["Bundle"]) != 1 || !strings.Contains(deleted["Bundle"][0], `"Patient/`+second.ID+`"`) {
		t.Errorf("deleted: %v", deleted)
	}
	validateLines(t, deleted)

	// _typeFilter by _id; _elements keeps the named elements (and marks the rest SUBSETTED).
	m = ts.waitManifest(ts.startExport("GET", "/fhir/$export?_type=Patient&_typeFilter=Patient%3F_id%3D"+first.ID+"&_elements=gender", "", nil))
	lines = ts.download(m.Output)
	if len(lines["Patient"]) != 1 {
		t.Fatalf("_typeFilter: %v", lines)
	}
	var p map[string]any
	json.Unmarshal([]byte(lines["Patient"][0]), &p)
	if p["gender"] != "other" || p["name"] != nil || !strings.Contains(lines["Patient"][0], "SUBSETTED") {
		t.Errorf("_elements: %s", lines["Patient"][0])
	}
	// _typeFilter by _lastUpdated.
	m = ts.waitManifest(ts.startExport("GET", "/fhir/$export?_type=Patient&_typeFilter=Patient%3F_lastUpdated%3Dgt"+since, "", nil))
	if lines = ts.download(m.Output); len(lines["Patient"]) != 1 {
		t.Errorf("_typeFilter _lastUpdated: %v", lines)
	}
}

// Bad input is 400 with an OperationOutcome; handling=lenient reports an unsupported parameter
// in the error file instead; unknown Group 404.
func TestExportBadInput(t *testing.T) {
	t.Parallel()
	ts, _ := newExportServer(t, proxy.Config{})
	for _, c := range []struct {
		method, path, body string
		want               int
	}{
		{"GET", "/fhir/$export?_since=yesterday", "", 400},
		{"GET", "/fhir/$export?_type=NoSuchType", "", 400},
		{"GET", "/fhir/$export?_outputFormat=text/csv", "", 400},
		{"GET", "/fhir/$export?organizeOutputBy=Patient", "", 400},
		{"GET", "/fhir/$export?_nope=1", "", 400},
		{"GET", "/fhir/$export?_typeFilter=Patient%3Fname%3Dx", "", 400},
		{"POST", "/fhir/$export", `{"resourceType": "Bundle"}`, 400},
		{"POST", "/fhir/$export", `{"resourceType": "Parameters", "parameter": [{"name": "_since"}]}`, 400},
		{"POST", "/fhir/$export", `not json`, 400},
		{"GET", "/fhir/Patient/$export?_type=Organization", "", 400},
		{"GET", "/fhir/Group/nope/$export", "", 404},
	} {
		resp, body := ts.kickOff(c.method, c.path, c.body, nil)
		if resp.StatusCode != c.want || !strings.Contains(string(body), `"OperationOutcome"`) {
			t.Errorf("%s %s %s: %d %s, want %d and an OperationOutcome", c.method, c.path, c.body, resp.StatusCode, body, c.want)
		}
	}
	if resp, _ := ts.kickOff("GET", "/fhir/$export", "", map[string]string{"Prefer": ""}); resp.StatusCode != 400 {
		t.Errorf("without Prefer: respond-async: %d, want 400", resp.StatusCode)
	}
	m := ts.waitManifest(ts.startExport("GET", "/fhir/$export?_type=Organization&organizeOutputBy=Patient&_nope=1", "",
		map[string]string{"Prefer": "respond-async, handling=lenient"}))
	errs := ts.download(m.Error)
	if len(errs["OperationOutcome"]) != 1 || !strings.Contains(errs["OperationOutcome"][0], "organizeOutputBy") || !strings.Contains(errs["OperationOutcome"][0], "_nope") {
		t.Errorf("lenient: error files %v", errs)
	}
	validateLines(t, errs)
	if len(m.Output) != 1 || m.Output[0].Type != "Organization" {
		t.Errorf("lenient: output %+v", m.Output)
	}
}

// Patient and Group level: the Patient compartment of every patient, of a Group's members;
// a Group without patient members gives an empty manifest.
func TestExportPatientAndGroup(t *testing.T) {
	t.Parallel()
	ts, _ := newExportServer(t, proxy.Config{})
	m := ts.waitManifest(ts.startExport("GET", "/fhir/Patient/$export", "", nil))
	lines := ts.download(m.Output)
	// Every patient, and every Observation (each has a subject).
	sameLines(t, "Patient", lines["Patient"], ts.dumpFHIR("Patient"))
	sameLines(t, "Observation", lines["Observation"], ts.dumpFHIR("Observation"))
	if len(lines["Organization"]) != 0 || len(lines["Practitioner"]) != 0 {
		t.Errorf("Organization and Practitioner are not in the Patient compartment")
	}
	validateLines(t, lines)

	// A Group of two patients: only their resources.
	var p1, p2 struct {
		ID string `json:"id"`
	}
	patients := ts.dumpFHIR("Patient")
	json.Unmarshal([]byte(patients[0]), &p1)
	json.Unmarshal([]byte(patients[1]), &p2)
	ts.expect(http.StatusCreated, request{method: "POST", path: "/fhir/Group", body: fmt.Sprintf(
		`{"resourceType": "Group", "id": "g2", "type": "person", "actual": true, "member": [{"entity": {"reference": "Patient/%s"}}, {"entity": {"reference": "Patient/%s"}}]}`, p1.ID, p2.ID)})
	m = ts.waitManifest(ts.startExport("GET", "/fhir/Group/g2/$export?_type=Patient,Encounter", "", nil))
	lines = ts.download(m.Output)
	if len(lines["Patient"]) != 2 {
		t.Errorf("Group export: %d patients, want 2", len(lines["Patient"]))
	}
	want := 0
	for _, line := range ts.dumpFHIR("Encounter") {
		if strings.Contains(line, "Patient/"+p1.ID+`"`) || strings.Contains(line, "Patient/"+p2.ID+`"`) {
			want++
		}
	}
	if len(lines["Encounter"]) != want || want == 0 {
		t.Errorf("Group export: %d encounters, want %d", len(lines["Encounter"]), want)
	}
	// The patient parameter narrows a Group to those of its members.
	m = ts.waitManifest(ts.startExport("POST", "/fhir/Group/g2/$export", fmt.Sprintf(
		`{"resourceType": "Parameters", "parameter": [{"name": "_type", "valueString": "Patient"}, {"name": "patient", "valueReference": {"reference": "Patient/%s"}}]}`, p1.ID), nil))
	if lines = ts.download(m.Output); len(lines["Patient"]) != 1 {
		t.Errorf("patient parameter: %v", lines["Patient"])
	}

	ts.expect(http.StatusCreated, request{method: "POST", path: "/fhir/Group", body: `{"resourceType": "Group", "id": "empty", "type": "person", "actual": true}`})
	m = ts.waitManifest(ts.startExport("GET", "/fhir/Group/empty/$export", "", nil))
	if len(m.Output) != 0 || m.Error == nil {
		t.Errorf("empty Group: %+v", m)
	}
}

// DELETE is 202, then the status is 404 and no file is left; three kick-off + DELETE cycles in
// a row are all 202; only the job's client sees it.
func TestExportCancelAndOwner(t *testing.T) {
	t.Parallel()
	ts, dir := newExportServer(t, proxy.Config{})
	for i := range 3 {
		status := ts.startExport("GET", "/fhir/$export", "", nil)
		r, _ := http.NewRequest("DELETE", status, nil)
		r.SetBasicAuth(adminID, adminSecret)
		resp, err := http.DefaultClient.Do(r)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusAccepted {
			t.Fatalf("cycle %d: DELETE %d, want 202", i, resp.StatusCode)
		}
		if resp, body := ts.get(status, nil); resp.StatusCode != http.StatusNotFound || !strings.Contains(string(body), "OperationOutcome") {
			t.Fatalf("cycle %d: status after DELETE %d %s, want 404", i, resp.StatusCode, body)
		}
	}
	// The cancelled jobs' files go (a running job's worker removes them as it stops).
	deadline := time.Now().Add(30 * time.Second)
	for {
		entries, _ := os.ReadDir(dir)
		jobs := ts.loadValue("select count(*) from sluice.export_job").(int64)
		if len(entries) == 0 && jobs == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("after cancel: %d folders and %d jobs left", len(entries), jobs)
		}
		time.Sleep(100 * time.Millisecond)
	}

	// Another client cannot see the operator's job or its files.
	ts.expect(http.StatusOK, request{method: "PUT", path: "/", body: `[
		{"resourceType": "Client", "id": "c1", "secret": "s1", "grant_types": ["basic"]},
		{"resourceType": "AccessPolicy", "id": "c1-export", "engine": "matcho",
		 "matcho": {"uri": "#/fhir/\\$export"}, "link": [{"id": "c1", "resourceType": "Client"}]}]`})
	status := ts.startExport("GET", "/fhir/$export?_type=Patient", "", nil)
	m := ts.waitManifest(status)
	path := strings.TrimPrefix(status, ts.URL)
	ts.expect(http.StatusNotFound, request{method: "GET", path: path, auth: []string{"c1", "s1"}})
	ts.expect(http.StatusNotFound, request{method: "DELETE", path: path, auth: []string{"c1", "s1"}})
	ts.expect(http.StatusNotFound, request{method: "GET", path: strings.TrimPrefix(m.Output[0].URL, ts.URL), auth: []string{"c1", "s1"}})
	ts.expect(http.StatusUnauthorized, request{method: "GET", path: strings.TrimPrefix(m.Output[0].URL, ts.URL), auth: []string{}})
	// Its own export it sees.
	r, _ := http.NewRequest("GET", ts.URL+"/fhir/$export?_type=Patient", nil)
	r.SetBasicAuth("c1", "s1")
	r.Header.Set("Prefer", "respond-async")
	resp, err := http.DefaultClient.Do(r)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusAccepted {
		t.Fatalf("c1 kick-off: %d", resp.StatusCode)
	}
	own := strings.TrimPrefix(resp.Header.Get("Content-Location"), ts.URL)
	deadline = time.Now().Add(time.Minute)
	for {
		resp, _ := ts.do(request{method: "GET", path: own, auth: []string{"c1", "s1"}})
		if resp.StatusCode == http.StatusOK {
			break
		}
		if resp.StatusCode != http.StatusAccepted || time.Now().After(deadline) {
			t.Fatalf("c1 status: %d", resp.StatusCode)
		}
		time.Sleep(100 * time.Millisecond)
	}
	ts.expect(http.StatusOK, request{method: "GET", path: own}) // the operator sees every job

}

// At most SLUICE_EXPORT_JOBS jobs wait or run at once: the next kick-off is 429 with Retry-After.
func TestExportJobLimit(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t, proxy.Config{ExportJobs: 1, ExportDir: t.TempDir()}) // no workers: the job waits
	ts.startExport("GET", "/fhir/$export", "", nil)
	resp, body := ts.kickOff("GET", "/fhir/$export", "", nil)
	if resp.StatusCode != http.StatusTooManyRequests || resp.Header.Get("Retry-After") == "" {
		t.Fatalf("second kick-off: %d %s (Retry-After %q), want 429", resp.StatusCode, body, resp.Header.Get("Retry-After"))
	}
}

// transactionTime is exact: a resource written by a transaction that was open when the job took
// its snapshot, and committed after, is not in the export, its lastUpdated is after the
// transactionTime, and an export with _since=transactionTime has it.
func TestExportTransactionTime(t *testing.T) {
	t.Parallel()
	ts, _ := newExportServer(t, proxy.Config{})
	ctx := context.Background()
	late, err := ts.Pool.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer late.Rollback(ctx)
	if _, err := late.Exec(ctx, `select sluice.resource_write('Patient', 'late', '{"gender": "female"}', 'update')`); err != nil {
		t.Fatal(err)
	}
	status := ts.startExport("GET", "/fhir/$export?_type=Patient", "", nil)
	// The job's snapshot is taken while the writer is open; it commits once the job has claimed.
	deadline := time.Now().Add(time.Minute)
	for ts.loadValue("select count(*) from pg_stat_activity where application_name like 'sluice-export:%'").(int64) == 0 {
		if time.Now().After(deadline) {
			t.Fatal("the job was never claimed")
		}
		time.Sleep(5 * time.Millisecond)
	}
	if err := late.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	m := ts.waitManifest(status)
	for _, line := range ts.download(m.Output)["Patient"] {
		if strings.Contains(line, `"late"`) {
			t.Fatalf("the late patient is in the export of transactionTime %s", m.TransactionTime)
		}
	}
	var lastUpdated string
	json.Unmarshal([]byte(`"`+ts.loadValue("select sluice.iso_instant(ts) from public.patient where id = 'late'").(string)+`"`), &lastUpdated)
	if lastUpdated <= m.TransactionTime {
		t.Errorf("lastUpdated %s of the late patient is not after transactionTime %s", lastUpdated, m.TransactionTime)
	}
	m = ts.waitManifest(ts.startExport("GET", "/fhir/$export?_type=Patient&_since="+m.TransactionTime, "", nil))
	if lines := ts.download(m.Output)["Patient"]; len(lines) != 1 || !strings.Contains(lines[0], `"late"`) {
		t.Errorf("_since=transactionTime: %v", lines)
	}
}
