package proxy_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"reflect"
	"strings"
	"testing"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/sluice-fhir/sluice/proxy"
)

// yamlAnswer checks that an answer is YAML (its Content-Type and its body) and returns it
// decoded, as the JSON value it stands for.
func yamlAnswer(t *testing.T, what string, resp *http.Response, body []byte) any {
	t.Helper()
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/yaml") {
		t.Errorf("%s: Content-Type %q, want text/yaml: %s", what, ct, body)
	}
	if json.Valid(body) && strings.ContainsAny(string(body[:1]), "{[") {
		t.Errorf("%s: a JSON body, want YAML: %s", what, body)
	}
	var v any
	if err := yaml.Unmarshal(body, &v); err != nil {
		t.Fatalf("%s: not YAML: %v\n%s", what, err, body)
	}
	// Through JSON, so that it compares with a JSON answer decoded by encoding/json.
	data, err := json.Marshal(v)
	if err != nil {
		t.Fatalf("%s: the YAML is no JSON value: %v\n%s", what, err, body)
	}
	var out any
	json.Unmarshal(data, &out)
	return out
}

// TestSeedScenarioYAML replays the seed's scenario (README's examples: the policy, the sample
// data, REST, $load, $import and its status, the errors) with Accept: text/yaml, as Aidbox's
// documentation sends every request, and parses every answer as YAML; the streams stay as
// they are.
func TestSeedScenarioYAML(t *testing.T) {
	t.Parallel()
	ts := newLoadServer(t, proxy.Config{})
	src := newSources(t)
	set := loadSet(t)
	const accept = "text/yaml"
	bulkClient := []string{"bulk-client", "secret"}

	// ask sends req with Accept: text/yaml, wants status, and returns the decoded YAML answer.
	ask := func(status int, req request) (*http.Response, any) {
		t.Helper()
		req.accept = accept
		resp, body := ts.do(req)
		if resp.StatusCode != status {
			t.Fatalf("%s %s: %d, want %d: %s", req.method, req.path, resp.StatusCode, status, body)
		}
		return resp, yamlAnswer(t, req.method+" "+req.path, resp, body)
	}
	field := func(v any, key string) any {
		m, _ := v.(map[string]any)
		return m[key]
	}
	// sameAsJSON asks for req in YAML and in JSON and wants the same value.
	sameAsJSON := func(status int, req request) any {
		t.Helper()
		_, fromYAML := ask(status, req)
		req.accept = ""
		var fromJSON any
		if err := json.Unmarshal(ts.expect(status, req), &fromJSON); err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(fromYAML, fromJSON) {
			t.Errorf("%s %s: YAML answer %v, JSON answer %v", req.method, req.path, fromYAML, fromJSON)
		}
		return fromYAML
	}

	_, items := ask(http.StatusOK, request{method: "PUT", path: "/", body: seedPolicy, contentType: yamlType})
	if list, _ := items.([]any); len(list) != 2 || field(list[1], "resourceType") != "AccessPolicy" {
		t.Errorf("PUT /: %v", items)
	}
	_, bundle := ask(http.StatusOK, request{method: "POST", path: "/", body: seedData, contentType: yamlType})
	if field(bundle, "type") != "transaction-response" {
		t.Errorf("POST /: %v", bundle)
	}
	if pt3 := sameAsJSON(http.StatusOK, request{method: "GET", path: "/Patient/pt-3"}); field(pt3, "id") != "pt-3" || field(field(pt3, "meta"), "versionId") == nil {
		t.Errorf("GET /Patient/pt-3: %v", pt3)
	}
	sameAsJSON(http.StatusOK, request{method: "GET", path: "/fhir/Patient/pt-3"})
	resp, pt4 := ask(http.StatusCreated, request{method: "PUT", path: "/Patient/pt-4", body: `{"name":[{"given":["Dana"]}]}`})
	if field(pt4, "id") != "pt-4" || resp.Header.Get("Location") == "" {
		t.Errorf("PUT /Patient/pt-4: %v %v", pt4, resp.Header)
	}
	ask(http.StatusOK, request{method: "DELETE", path: "/Patient/pt-4"})
	_, health := ask(http.StatusOK, request{method: "GET", path: "/health", auth: []string{}})
	if field(health, "status") != "ok" {
		t.Errorf("/health: %v", health)
	}

	// Errors are OperationOutcomes in YAML, whatever their status.
	for _, c := range []struct {
		status int
		req    request
	}{
		{http.StatusForbidden, request{method: "GET", path: "/Patient/pt-1", auth: bulkClient}},
		{http.StatusUnauthorized, request{method: "GET", path: "/Patient/pt-1", auth: []string{"bulk-client", "wrong"}}},
		{http.StatusUnauthorized, request{method: "GET", path: "/Patient/pt-1", auth: []string{}}},
		{http.StatusNotFound, request{method: "GET", path: "/Patient/nope"}},
		{http.StatusNotFound, request{method: "GET", path: "/Nonsense/x"}},
		{http.StatusMethodNotAllowed, request{method: "PATCH", path: "/Patient/pt-1"}},
		{http.StatusBadRequest, request{method: "PUT", path: "/Patient/pt-5", body: `{"name":`}},
		{http.StatusUnsupportedMediaType, request{method: "PUT", path: "/Patient/pt-5", body: `{}`, contentType: "text/xml"}},
		{http.StatusUnprocessableEntity, request{method: "POST", path: "/$import", body: `{"inputs":[]}`}},
	} {
		_, oo := ask(c.status, c.req)
		issues, _ := field(oo, "issue").([]any)
		if field(oo, "resourceType") != "OperationOutcome" || len(issues) != 1 || field(issues[0], "diagnostics") == "" {
			t.Errorf("%s %s: %v", c.req.method, c.req.path, oo)
		}
	}

	// $load, one type and all types, as the bulk client.
	patients := src.add("/Patient.ndjson", gzipBytes(lines(set["Patient"]...)))
	encounters := src.add("/Encounter.ndjson", lines(set["Encounter"]...))
	_, total := ask(http.StatusOK, request{method: "POST", path: "/fhir/Patient/$load", auth: bulkClient, body: loadBody(patients, "")})
	if field(total, "total") != float64(len(set["Patient"])) {
		t.Errorf("/fhir/Patient/$load: %v", total)
	}
	both := src.add("/all.ndjson", lines(append(append([]string{}, set["Patient"]...), set["Encounter"]...)...))
	_, counts := ask(http.StatusOK, request{method: "POST", path: "/fhir/$load", auth: bulkClient, body: loadBody(both, `"update": true`)})
	if field(counts, "Patient") != float64(len(set["Patient"])) || field(counts, "Encounter") != float64(len(set["Encounter"])) {
		t.Errorf("/fhir/$load: %v", counts)
	}

	// $import in YAML, its answer and its status in YAML (the status as the operator, as in the README).
	resp, created := ask(http.StatusOK, request{method: "POST", path: "/fhir/$import", auth: bulkClient, contentType: yamlType, body: fmt.Sprintf(
		"id: synthea\ncontentEncoding: gzip\ninputs:\n- {resourceType: Patient, url: %q}\n- {resourceType: Encounter, url: %q}\n", patients, encounters)})
	if resp.Header.Get("Content-Location") != "/BulkImportStatus/synthea" || field(created, "resourceType") != "BulkImportStatus" {
		t.Errorf("$import: %v %v", resp.Header, created)
	}
	deadline := time.Now().Add(2 * time.Minute)
	var status any
	for {
		_, status = ask(http.StatusOK, request{method: "GET", path: "/BulkImportStatus/synthea"})
		if field(status, "status") != "active" || time.Now().After(deadline) {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if inputs, _ := field(status, "inputs").([]any); field(status, "status") != "finished" || len(inputs) != 2 || field(inputs[0], "total") != float64(len(set["Patient"])) {
		t.Errorf("BulkImportStatus: %v", status)
	}
	ask(http.StatusConflict, request{method: "DELETE", path: "/BulkImportStatus/synthea"})

	// Streams are what they are, whatever Accept says.
	for _, c := range []struct {
		req         request
		contentType string
	}{
		{request{method: "GET", path: "/Patient/$dump", auth: bulkClient}, "application/ndjson"},
		{request{method: "GET", path: "/Patient/$dump-csv", auth: bulkClient}, "text/csv"},
		{request{method: "POST", path: "/$dump-sql", auth: bulkClient, contentType: yamlType, body: "query: select id from patient where id = 'pt-1'"}, "text/tab-separated-values"},
		{request{method: "POST", path: "/$dump-sql?_format=yaml", auth: bulkClient, body: `{"query": "select id from patient where id = 'pt-1'"}`}, "text/tab-separated-values"},
	} {
		c.req.accept = accept
		got := ts.expectStream(http.StatusOK, c.req, nil)
		if ct := got.Header.Get("Content-Type"); ct != c.contentType {
			t.Errorf("%s: Content-Type %q, want %q", c.req.path, ct, c.contentType)
		}
		if c.contentType == "application/ndjson" && len(ndjsonLines(t, got.body)) != len(set["Patient"])+3 {
			t.Errorf("%s: %d lines", c.req.path, len(ndjsonLines(t, got.body)))
		}
		if c.contentType == "text/tab-separated-values" && string(got.body) != "pt-1\n" {
			t.Errorf("%s: %q", c.req.path, got.body)
		}
	}
}

// TestExportAndHistoryYAML: the answers $export, history and the CapabilityStatement added are
// YAML when asked too, and the OAuth answers stay JSON, as RFC 6749 has them.
func TestExportAndHistoryYAML(t *testing.T) {
	t.Parallel()
	ts, _ := newExportServer(t, proxy.Config{})
	ask := func(status int, req request) any {
		t.Helper()
		req.accept = "text/yaml"
		resp, body := ts.do(req)
		if resp.StatusCode != status {
			t.Fatalf("%s %s: %d, want %d: %s", req.method, req.path, resp.StatusCode, status, body)
		}
		return yamlAnswer(t, req.method+" "+req.path, resp, body)
	}
	field := func(v any, key string) any {
		m, _ := v.(map[string]any)
		return m[key]
	}
	if cs := ask(http.StatusOK, request{method: "GET", path: "/fhir/metadata", auth: []string{}}); field(cs, "resourceType") != "CapabilityStatement" {
		t.Errorf("metadata: %v", cs)
	}
	ts.expect(http.StatusCreated, request{method: "PUT", path: "/Patient/h-1", body: `{"name":[{"given":["A"]}]}`})
	ts.expect(http.StatusOK, request{method: "PUT", path: "/Patient/h-1", body: `{"name":[{"given":["B"]}]}`})
	if b := ask(http.StatusOK, request{method: "GET", path: "/fhir/Patient/h-1/_history"}); field(b, "type") != "history" {
		t.Errorf("history: %v", b)
	}
	ask(http.StatusNotFound, request{method: "GET", path: "/fhir/$export-status/nope"})

	statusURL := ts.startExport("GET", "/fhir/Patient/$export?_type=Patient", "", nil)
	path := strings.TrimPrefix(statusURL, ts.URL)
	deadline := time.Now().Add(time.Minute)
	for {
		resp, body := ts.do(request{method: "GET", path: path, accept: "text/yaml"})
		if resp.StatusCode == http.StatusAccepted && time.Now().Before(deadline) {
			time.Sleep(100 * time.Millisecond)
			continue
		}
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("export status: %d %s", resp.StatusCode, body)
		}
		manifest := yamlAnswer(t, "export manifest", resp, body)
		if out, _ := field(manifest, "output").([]any); len(out) == 0 || field(manifest, "transactionTime") == nil {
			t.Errorf("manifest: %v", manifest)
		}
		break
	}

	// The token endpoint answers JSON whatever Accept says (here an error: no grant_type).
	r, _ := http.NewRequest("POST", ts.URL+"/auth/token", strings.NewReader("scope=system%2F*.read"))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	r.Header.Set("Accept", "text/yaml")
	resp, err := http.DefaultClient.Do(r)
	if err != nil {
		t.Fatal(err)
	}
	var oauthErr struct {
		Error string `json:"error"`
	}
	err = json.NewDecoder(resp.Body).Decode(&oauthErr)
	resp.Body.Close()
	if resp.StatusCode != http.StatusBadRequest || resp.Header.Get("Content-Type") != "application/json" || err != nil || oauthErr.Error == "" {
		t.Errorf("token endpoint with Accept: text/yaml: %d %q %v %+v", resp.StatusCode, resp.Header.Get("Content-Type"), err, oauthErr)
	}
}
