package proxy_test

import (
	"context"
	"encoding/json"
	"net/http"
	"os"
	"strings"
	"testing"

	"github.com/sluice-fhir/sluice/proxy"
)

// The seed's two requests (testdata/seed, from shared/seed/bulk-api.md), verbatim.
var (
	seedPolicy = mustRead("../testdata/seed/access-policy.yaml")
	seedData   = mustRead("../testdata/seed/sample-data.yaml")
)

func mustRead(path string) string {
	data, err := os.ReadFile(path)
	if err != nil {
		panic(err)
	}
	return string(data)
}

const yamlType = "application/yaml"

// seed writes the seed's client, policy and sample data as the operator.
func seed(ts *testServer) {
	ts.t.Helper()
	ts.expect(http.StatusOK, request{method: "PUT", path: "/", body: seedPolicy, contentType: yamlType})
	ts.expect(http.StatusOK, request{method: "POST", path: "/", body: seedData, contentType: yamlType})
}

// decode parses a JSON response body.
func decode(t testing.TB, body []byte) map[string]any {
	t.Helper()
	var v map[string]any
	if err := json.Unmarshal(body, &v); err != nil {
		t.Fatalf("not a JSON object: %v: %s", err, body)
	}
	return v
}

// count is a number from the database.
func (s *testServer) count(sql string) int {
	s.t.Helper()
	var n int
	if err := s.Pool.QueryRow(context.Background(), sql).Scan(&n); err != nil {
		s.t.Fatal(err)
	}
	return n
}

func TestSeedRequests(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t, proxy.Config{})
	seed(ts)

	pt3 := decode(t, ts.expect(http.StatusOK, request{method: "GET", path: "/Patient/pt-3"}))
	if pt3["resourceType"] != "Patient" || pt3["id"] != "pt-3" {
		t.Errorf("pt-3: %v", pt3)
	}
	if got, _ := json.Marshal(pt3["citizenship"]); string(got) != `[{"code":{"text":"ru"}}]` {
		t.Errorf("pt-3 citizenship: %s", got)
	}
	meta := pt3["meta"].(map[string]any)
	if _, ok := meta["versionId"].(string); !ok || meta["lastUpdated"] == nil || meta["createdAt"] == nil {
		t.Errorf("pt-3 meta: %v", meta)
	}
	ap1 := decode(t, ts.expect(http.StatusOK, request{method: "GET", path: "/Appointment/ap-1"}))
	if got, _ := json.Marshal(ap1["participant"]); string(got) != `[{"actor":{"id":"pt-1","resourceType":"Patient"},"status":"accepted"}]` {
		t.Errorf("ap-1 participant: %s", got)
	}
	if n := ts.count("select count(*) from attribute"); n != 2 {
		t.Errorf("%d attributes, want 2", n)
	}
	// Users' SQL works on the Aidbox-compatible tables, as in the seed's $dump-sql example.
	rows, err := ts.Pool.Query(context.Background(), "select id, resource#>>'{name,0,given,0}' from patient order by id")
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for rows.Next() {
		var id, given string
		if err := rows.Scan(&id, &given); err != nil {
			t.Fatal(err)
		}
		got = append(got, id+"\t"+given)
	}
	if strings.Join(got, "\n") != "pt-1\tAlice\npt-2\tBob\npt-3\tCharles" {
		t.Errorf("patients: %q", got)
	}
}

func TestBulkClientPolicy(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t, proxy.Config{})
	seed(ts)
	client := []string{"bulk-client", "secret"}
	// What the policy lists passes it (the operation itself may still refuse the empty request).
	for _, r := range []request{
		{method: "POST", path: "/$dump-sql"},
		{method: "GET", path: "/Patient/$dump"},
		{method: "GET", path: "/fhir/Patient/$dump"},
		{method: "GET", path: "/Patient/$dump-csv"},
		{method: "POST", path: "/$import"},
		{method: "POST", path: "/fhir/$import"},
		{method: "POST", path: "/$load"},
		{method: "POST", path: "/fhir/$load"},
		{method: "POST", path: "/Patient/$load"},
		{method: "POST", path: "/fhir/Patient/$load"},
	} {
		r.auth = client
		if resp, body := ts.do(r); resp.StatusCode == http.StatusUnauthorized || resp.StatusCode == http.StatusForbidden {
			t.Errorf("%s %s: %d, want the policy to allow it: %s", r.method, r.path, resp.StatusCode, body)
		}
	}
	// Everything else is 403.
	for _, r := range []request{
		{method: "GET", path: "/Patient/pt-1"},
		{method: "PUT", path: "/Patient/pt-1", body: `{"name":[{"given":["Mallory"]}]}`},
		{method: "DELETE", path: "/Patient/pt-1"},
		{method: "POST", path: "/Patient", body: `{"id":"pt-9"}`},
		{method: "PUT", path: "/", body: `[{"resourceType":"Client","id":"evil","secret":"x","grant_types":["basic"]}]`},
		{method: "POST", path: "/", body: `{"resourceType":"Bundle","type":"batch","entry":[]}`},
		{method: "GET", path: "/Client/bulk-client"},
		{method: "GET", path: "/$dump-sql"},
		{method: "GET", path: "/Patient/$load/x"},
		{method: "POST", path: "/Patient/$dump"},
		{method: "GET", path: "/fhir/Patient/pt-1"},
		{method: "GET", path: "/BulkImportStatus/x"},
	} {
		r.auth = client
		if resp, body := ts.do(r); resp.StatusCode != http.StatusForbidden && !(resp.StatusCode == http.StatusNotFound && r.path == "/Patient/$load/x") {
			t.Errorf("%s %s: %d, want 403: %s", r.method, r.path, resp.StatusCode, body)
		}
	}
	if n := ts.count("select count(*) from patient where resource::text like '%Mallory%' or id = 'pt-9'"); n != 0 {
		t.Errorf("a forbidden request wrote %d patients", n)
	}
	if n := ts.count("select count(*) from client"); n != 1 {
		t.Errorf("%d clients, want 1", n)
	}
}

func TestAuthentication(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t, proxy.Config{})
	seed(ts)
	for _, auth := range [][]string{{}, {"bulk-client", "wrong"}, {"nobody", "secret"}, {adminID, "wrong"}, {"bulk-client", ""}} {
		resp, body := ts.do(request{method: "GET", path: "/Patient/$dump", auth: auth})
		if resp.StatusCode != http.StatusUnauthorized {
			t.Errorf("auth %q: %d, want 401", auth, resp.StatusCode)
		}
		if resp.Header.Get("WWW-Authenticate") != `Basic realm="sluice"` {
			t.Errorf("auth %q: WWW-Authenticate %q", auth, resp.Header.Get("WWW-Authenticate"))
		}
		if oo := decode(t, body); oo["resourceType"] != "OperationOutcome" {
			t.Errorf("auth %q: body %s", auth, body)
		}
	}
	// /health needs no credentials.
	ts.expect(http.StatusOK, request{method: "GET", path: "/health", auth: []string{}})
	// The secret is stored hashed and never answered.
	body := ts.expect(http.StatusOK, request{method: "GET", path: "/Client/bulk-client"})
	if strings.Contains(string(body), "secret") {
		t.Errorf("GET /Client answered the secret: %s", body)
	}
	var stored string
	if err := ts.Pool.QueryRow(context.Background(), "select resource->>'secret' from client where id = 'bulk-client'").Scan(&stored); err != nil {
		t.Fatal(err)
	}
	if stored == "secret" || !strings.HasPrefix(stored, "$2") {
		t.Errorf("stored secret %q is not a bcrypt hash", stored)
	}
}

func TestResourceLifecycle(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t, proxy.Config{})
	resp, body := ts.do(request{method: "POST", path: "/Patient", body: `{"id":"pt-1","name":[{"given":["Ann"]}]}`})
	if resp.StatusCode != http.StatusCreated || resp.Header.Get("Location") == "" {
		t.Fatalf("create: %d %q %s", resp.StatusCode, resp.Header.Get("Location"), body)
	}
	created := decode(t, body)
	ts.expect(http.StatusConflict, request{method: "POST", path: "/Patient", body: `{"id":"pt-1"}`})

	// POST without an id gets one.
	generated := decode(t, ts.expect(http.StatusCreated, request{method: "POST", path: "/Patient", body: `{"active":true}`}))
	if id, _ := generated["id"].(string); len(id) == 0 {
		t.Errorf("no id generated: %v", generated)
	}

	updated := decode(t, ts.expect(http.StatusOK, request{method: "PUT", path: "/Patient/pt-1", body: `{"name":[{"given":["Anne"]}]}`}))
	if updated["meta"].(map[string]any)["versionId"] == created["meta"].(map[string]any)["versionId"] {
		t.Error("update kept the versionId")
	}
	if updated["meta"].(map[string]any)["createdAt"] != created["meta"].(map[string]any)["createdAt"] {
		t.Error("update changed createdAt")
	}
	read := decode(t, ts.expect(http.StatusOK, request{method: "GET", path: "/Patient/pt-1"}))
	if read["name"].([]any)[0].(map[string]any)["given"].([]any)[0] != "Anne" {
		t.Errorf("read after update: %v", read)
	}
	// PUT of a new id creates it.
	ts.expect(http.StatusCreated, request{method: "PUT", path: "/Patient/pt-2", body: `{"resourceType":"Patient"}`})

	ts.expect(http.StatusOK, request{method: "DELETE", path: "/Patient/pt-1"})
	ts.expect(http.StatusNotFound, request{method: "GET", path: "/Patient/pt-1"})
	ts.expect(http.StatusNotFound, request{method: "DELETE", path: "/Patient/pt-1"})
	if n := ts.count("select count(*) from patient_history where id = 'pt-1'"); n != 3 {
		t.Errorf("pt-1 has %d history rows, want 3 (created, updated, deleted)", n)
	}
	// Writing a deleted id again: status 'recreated', as in Aidbox.
	ts.expect(http.StatusCreated, request{method: "POST", path: "/Patient", body: `{"id":"pt-1"}`})
	var status string
	ts.Pool.QueryRow(context.Background(), "select status::text from patient where id = 'pt-1'").Scan(&status)
	if status != "recreated" {
		t.Errorf("status %q, want recreated", status)
	}
}

func TestBundles(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t, proxy.Config{})
	// A transaction is all or nothing: the bad third entry undoes the first two.
	body := ts.expect(http.StatusUnprocessableEntity, request{method: "POST", path: "/", body: `{"resourceType":"Bundle","type":"transaction","entry":[
		{"request":{"method":"POST","url":"/Patient"},"resource":{"id":"a"}},
		{"request":{"method":"PUT","url":"/Patient/b"},"resource":{}},
		{"request":{"method":"PUT","url":"/Patient/c"},"resource":{"resourceType":"Observation"}}]}`})
	if !strings.Contains(string(body), "entry 2") {
		t.Errorf("the error does not name the entry: %s", body)
	}
	if n := ts.count("select count(*) from patient"); n != 0 {
		t.Errorf("a failed transaction left %d patients", n)
	}
	// A batch runs each entry on its own.
	body = ts.expect(http.StatusOK, request{method: "POST", path: "/", body: `{"resourceType":"Bundle","type":"batch","entry":[
		{"request":{"method":"POST","url":"/Patient"},"resource":{"id":"a"}},
		{"request":{"method":"GET","url":"/Patient/nope"}},
		{"request":{"method":"PUT","url":"/Patient/b"},"resource":{}}]}`})
	var result struct {
		Type  string
		Entry []struct{ Response struct{ Status string } }
	}
	json.Unmarshal(body, &result)
	var statuses []string
	for _, e := range result.Entry {
		statuses = append(statuses, e.Response.Status)
	}
	if result.Type != "batch-response" || strings.Join(statuses, ",") != "201 Created,404 Not Found,201 Created" {
		t.Errorf("batch: %s", body)
	}
	if n := ts.count("select count(*) from patient"); n != 2 {
		t.Errorf("%d patients after the batch, want 2", n)
	}
}

func TestBadInput(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t, proxy.Config{MaxBodyBytes: 1 << 16})
	seed(ts)
	before := ts.count("select count(*) from patient") + ts.count("select count(*) from patient_history")
	for _, c := range []struct {
		name   string
		req    request
		status int
		says   string
	}{
		{"malformed JSON", request{method: "POST", path: "/Patient", body: `{"id": "x",`}, 400, "malformed JSON"},
		{"malformed YAML", request{method: "POST", path: "/Patient", body: "id: [x\nname: {", contentType: yamlType}, 400, "malformed YAML"},
		{"two YAML documents", request{method: "PUT", path: "/", body: "- id: a\n---\n- id: b\n", contentType: yamlType}, 400, "more than one YAML document"},
		{"empty body", request{method: "POST", path: "/Patient"}, 400, "needs a body"},
		{"array for a resource", request{method: "POST", path: "/Patient", body: `[1,2]`}, 422, "needs a resource object"},
		{"string for a resource", request{method: "PUT", path: "/Patient/x", body: `"x"`}, 422, "object"},
		{"object for PUT /", request{method: "PUT", path: "/", body: `{"resourceType":"Patient","id":"x"}`}, 422, "array"},
		{"PUT / item without resourceType", request{method: "PUT", path: "/", body: `[{"id":"x"}]`}, 422, "resourceType"},
		{"not a bundle", request{method: "POST", path: "/", body: `{"resourceType":"Patient"}`}, 422, "Bundle"},
		{"bundle of unknown type", request{method: "POST", path: "/", body: `{"resourceType":"Bundle","type":"history"}`}, 422, "transaction or batch"},
		{"unknown type", request{method: "POST", path: "/Foo", body: `{"id":"x"}`}, 404, "unknown resource type Foo"},
		{"unknown type read", request{method: "GET", path: "/Foo/x"}, 404, "unknown resource type Foo"},
		{"unknown id", request{method: "GET", path: "/Patient/nope"}, 404, "not found"},
		{"bad id in body", request{method: "POST", path: "/Patient", body: `{"id":"a b"}`}, 422, "invalid id"},
		{"too long id", request{method: "POST", path: "/Patient", body: `{"id":"` + strings.Repeat("a", 65) + `"}`}, 422, "invalid id"},
		{"numeric id", request{method: "POST", path: "/Patient", body: `{"id":7}`}, 422, "invalid id"},
		{"bad id in URL", request{method: "PUT", path: "/Patient/a_b", body: `{}`}, 422, "invalid id"},
		{"ids disagree", request{method: "PUT", path: "/Patient/a", body: `{"id":"b"}`}, 422, "does not match"},
		{"wrong resourceType", request{method: "PUT", path: "/Patient/a", body: `{"resourceType":"Observation"}`}, 422, "does not match"},
		{"NUL in a string", request{method: "POST", path: "/Patient", body: `{"id":"n","name":"\u0000"}`}, 400, "NUL"},
		{"huge body", request{method: "POST", path: "/Patient", body: `{"id":"big","x":"` + strings.Repeat("a", 1<<17) + `"}`}, 413, "larger than the limit"},
		{"unsupported media type", request{method: "POST", path: "/Patient", body: `<Patient/>`, contentType: "application/xml"}, 415, "Content-Type"},
		{"no such endpoint", request{method: "GET", path: "/a/b/c"}, 404, "no such endpoint"},
		{"method not allowed", request{method: "PATCH", path: "/Patient/pt-1", body: `{}`}, 405, "not supported"},
		{"unknown engine", request{method: "PUT", path: "/AccessPolicy/p", body: `{"engine":"sql","sql":{"query":"select true"}}`}, 422, "sql"},
	} {
		resp, body := ts.do(c.req)
		if resp.StatusCode != c.status {
			t.Errorf("%s: status %d, want %d: %s", c.name, resp.StatusCode, c.status, body)
			continue
		}
		oo := decode(t, body)
		issue := oo["issue"].([]any)[0].(map[string]any)
		if oo["resourceType"] != "OperationOutcome" || !strings.Contains(issue["diagnostics"].(string), c.says) {
			t.Errorf("%s: outcome %s does not say %q", c.name, body, c.says)
		}
	}
	if after := ts.count("select count(*) from patient") + ts.count("select count(*) from patient_history"); after != before {
		t.Errorf("bad requests changed the patient tables: %d rows, then %d", before, after)
	}
	if n := ts.count("select count(*) from accesspolicy"); n != 1 {
		t.Errorf("%d access policies, want only the seed's", n)
	}
}

// SQL-looking strings are data: they are stored and read back as written, and harm nothing.
func TestSQLLookingStrings(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t, proxy.Config{})
	evil := `'); drop table patient; --`
	payload, _ := json.Marshal(map[string]any{
		"id": "evil", "name": []any{map[string]any{"family": evil, "given": []string{`" or 1=1 --`, `$$; select pg_sleep(10); $$`}}},
		evil: evil,
	})
	ts.expect(http.StatusCreated, request{method: "POST", path: "/Patient", body: string(payload)})
	got := decode(t, ts.expect(http.StatusOK, request{method: "GET", path: "/Patient/evil"}))
	if got[evil] != evil || got["name"].([]any)[0].(map[string]any)["family"] != evil {
		t.Errorf("read back %v", got)
	}
	for _, path := range []string{"/Patient/'%20or%20'1'='1", "/Patient%3B%20drop%20table%20patient/x", "/Patient/x';--"} {
		if resp, body := ts.do(request{method: "GET", path: path}); resp.StatusCode != 404 && resp.StatusCode != 422 {
			t.Errorf("GET %s: %d %s", path, resp.StatusCode, body)
		}
	}
	ts.expect(http.StatusNotFound, request{method: "PUT", path: "/patient;drop%20table%20patient/x", body: `{}`})
	if n := ts.count("select count(*) from patient"); n != 1 {
		t.Errorf("%d patients, want 1", n)
	}
}
