package proxy_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/sluice-fhir/sluice/proxy"
)

// historyBundle is the part of a history Bundle the tests read.
type historyBundle struct {
	ResourceType string `json:"resourceType"`
	Type         string `json:"type"`
	Link         []struct{ Relation, URL string }
	Entry        []struct {
		FullURL  string         `json:"fullUrl"`
		Resource map[string]any `json:"resource"`
		Request  struct{ Method, URL string }
		Response struct {
			Status, Etag string
			LastModified string `json:"lastModified"`
		}
	}
}

func (b historyBundle) link(relation string) string {
	for _, l := range b.Link {
		if l.Relation == relation {
			return l.URL
		}
	}
	return ""
}

// writeVersions makes four versions of Patient/pt-h: created, updated, deleted (a tombstone),
// recreated; it returns their version ids, oldest first.
func writeVersions(t *testing.T, ts *testServer) []string {
	t.Helper()
	var versions []string
	for _, given := range []string{"A", "B"} {
		body := ts.expect(map[string]int{"A": http.StatusCreated, "B": http.StatusOK}[given],
			request{method: "PUT", path: "/Patient/pt-h", body: `{"name":[{"given":["` + given + `"]}]}`})
		versions = append(versions, decode(t, body)["meta"].(map[string]any)["versionId"].(string))
	}
	ts.expect(http.StatusOK, request{method: "DELETE", path: "/Patient/pt-h"})
	var tombstone string
	if err := ts.Pool.QueryRow(t.Context(), "select txid::text from patient_history where id = 'pt-h' and status = 'deleted'").Scan(&tombstone); err != nil {
		t.Fatal(err)
	}
	versions = append(versions, tombstone)
	body := ts.expect(http.StatusCreated, request{method: "PUT", path: "/Patient/pt-h", body: `{"name":[{"given":["C"]}]}`})
	return append(versions, decode(t, body)["meta"].(map[string]any)["versionId"].(string))
}

// vread in both formats: each version as it was, ETag and Last-Modified from it; the
// deletion 410, unknown versions, ids and types 404, all OperationOutcomes.
func TestVread(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t, proxy.Config{})
	versions := writeVersions(t, ts)
	given := map[string]string{versions[0]: "A", versions[1]: "B", versions[3]: "C"}

	for _, prefix := range []string{"", "/fhir"} {
		for _, v := range []string{versions[0], versions[1], versions[3]} {
			path := prefix + "/Patient/pt-h/_history/" + v
			resp, body := ts.do(request{method: "GET", path: path})
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("GET %s: %d %s", path, resp.StatusCode, body)
			}
			wantType := map[string]string{"": "application/json", "/fhir": "application/fhir+json"}[prefix]
			if got := resp.Header.Get("Content-Type"); got != wantType {
				t.Errorf("GET %s: Content-Type %s, want %s", path, got, wantType)
			}
			resource := decode(t, body)
			meta := resource["meta"].(map[string]any)
			if meta["versionId"] != v || jsonOf(resource["name"]) != `[{"given":["`+given[v]+`"]}]` {
				t.Errorf("GET %s: %s", path, body)
			}
			if got := resp.Header.Get("ETag"); got != `W/"`+v+`"` {
				t.Errorf("GET %s: ETag %s", path, got)
			}
			lastUpdated, err := time.Parse(time.RFC3339Nano, meta["lastUpdated"].(string))
			if err != nil {
				t.Fatal(err)
			}
			if got := resp.Header.Get("Last-Modified"); got != lastUpdated.UTC().Format(http.TimeFormat) {
				t.Errorf("GET %s: Last-Modified %q, meta.lastUpdated %s", path, got, lastUpdated)
			}
			if prefix == "/fhir" {
				validateFHIR(t, "Patient", body)
				if _, ok := meta["createdAt"]; ok {
					t.Errorf("GET %s: FHIR meta with createdAt: %s", path, body)
				}
			}
		}

		for path, want := range map[string]struct {
			status int
			code   string
			says   string
		}{
			"/Patient/pt-h/_history/" + versions[2]:       {http.StatusGone, "deleted", "was deleted in version " + versions[2]},
			"/Patient/pt-h/_history/999999":               {http.StatusNotFound, "not-found", "Patient/pt-h has no version 999999"},
			"/Patient/pt-h/_history/x":                    {http.StatusNotFound, "not-found", "has no version x"},
			"/Patient/pt-h/_history/99999999999999999999": {http.StatusNotFound, "not-found", "has no version"},
			"/Patient/nobody/_history/" + versions[0]:     {http.StatusNotFound, "not-found", "Patient/nobody not found"},
			"/Observation/pt-h/_history/" + versions[0]:   {http.StatusNotFound, "not-found", "Observation/pt-h not found"},
			"/NoSuchType/pt-h/_history/1":                 {http.StatusNotFound, "not-found", "unknown resource type NoSuchType"},
			"/Patient/pt-h/_history":                      {http.StatusOK, "", ""},
			"/NoSuchType/pt-h/_history":                   {http.StatusNotFound, "not-found", "unknown resource type NoSuchType"},
			"/Patient/nobody/_history":                    {http.StatusNotFound, "not-found", "Patient/nobody not found"},
			"/Patient/bad%20id/_history":                  {http.StatusNotFound, "not-found", "not found"},
		} {
			resp, body := ts.do(request{method: "GET", path: prefix + path})
			if resp.StatusCode != want.status {
				t.Errorf("GET %s: %d, want %d: %s", prefix+path, resp.StatusCode, want.status, body)
				continue
			}
			if want.code == "" {
				continue
			}
			outcome := decode(t, body)
			issue := outcome["issue"].([]any)[0].(map[string]any)
			if outcome["resourceType"] != "OperationOutcome" || issue["code"] != want.code || !strings.Contains(issue["diagnostics"].(string), want.says) {
				t.Errorf("GET %s: %s, want code %s saying %q", prefix+path, body, want.code, want.says)
			}
		}
	}
	for _, method := range []string{"PUT", "DELETE", "POST"} {
		ts.expect(http.StatusMethodNotAllowed, request{method: method, path: "/Patient/pt-h/_history/" + versions[0], body: `{}`})
		ts.expect(http.StatusMethodNotAllowed, request{method: method, path: "/fhir/Patient/pt-h/_history", body: `{}`})
	}
}

// The history Bundle in both formats: newest first, one entry per version with fullUrl,
// request and response as FHIR R4 says, the deletion an entry without a resource, each
// resource the same as vread gives; valid against the R4 schema.
func TestHistory(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t, proxy.Config{})
	versions := writeVersions(t, ts)

	for _, prefix := range []string{"", "/fhir"} {
		path := prefix + "/Patient/pt-h/_history"
		resp, body := ts.do(request{method: "GET", path: path})
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("GET %s: %d %s", path, resp.StatusCode, body)
		}
		if prefix == "/fhir" {
			validateFHIR(t, "Bundle", body)
		}
		var b historyBundle
		decodeInto(t, body, &b)
		if b.ResourceType != "Bundle" || b.Type != "history" || len(b.Entry) != 4 {
			t.Fatalf("GET %s: %s", path, body)
		}
		if self := b.link("self"); self != ts.URL+path+"?_count=100" || b.link("next") != "" {
			t.Errorf("GET %s: links %+v", path, b.Link)
		}
		want := []struct{ method, url, status, given string }{
			{"PUT", "Patient/pt-h", "201 Created", "C"}, // recreated
			{"DELETE", "Patient/pt-h", "200 OK", ""},
			{"PUT", "Patient/pt-h", "200 OK", "B"},
			{"POST", "Patient", "201 Created", "A"},
		}
		for i, e := range b.Entry {
			v := versions[len(versions)-1-i]
			w := want[i]
			if e.FullURL != ts.URL+prefix+"/Patient/pt-h" || e.Request.Method != w.method || e.Request.URL != w.url ||
				e.Response.Status != w.status || e.Response.Etag != `W/"`+v+`"` {
				t.Errorf("GET %s entry %d: %+v, want %+v and version %s", path, i, e, w, v)
			}
			if _, err := time.Parse(time.RFC3339Nano, e.Response.LastModified); err != nil {
				t.Errorf("entry %d lastModified: %v", i, err)
			}
			if w.given == "" {
				if e.Resource != nil {
					t.Errorf("GET %s: the deletion has a resource: %v", path, e.Resource)
				}
				continue
			}
			if jsonOf(e.Resource["name"]) != `[{"given":["`+w.given+`"]}]` {
				t.Errorf("GET %s entry %d: resource %v", path, i, e.Resource)
			}
			vread := decode(t, ts.expect(http.StatusOK, request{method: "GET", path: path + "/" + v}))
			if jsonOf(vread) != jsonOf(e.Resource) {
				t.Errorf("GET %s entry %d:\n%s\nvread:\n%s", path, i, jsonOf(e.Resource), jsonOf(vread))
			}
			if e.Response.LastModified != e.Resource["meta"].(map[string]any)["lastUpdated"] {
				t.Errorf("entry %d: lastModified %s, meta %v", i, e.Response.LastModified, e.Resource["meta"])
			}
		}
	}

	// The history of a deleted resource is still there; a resource with one version has one entry.
	ts.expect(http.StatusOK, request{method: "DELETE", path: "/Patient/pt-h"})
	var b historyBundle
	decodeInto(t, ts.expect(http.StatusOK, request{method: "GET", path: "/fhir/Patient/pt-h/_history"}), &b)
	if len(b.Entry) != 5 || b.Entry[0].Request.Method != "DELETE" {
		t.Errorf("after the second delete: %+v", b.Entry)
	}
	ts.expect(http.StatusCreated, request{method: "POST", path: "/fhir/Patient", body: `{"id":"once"}`})
	decodeInto(t, ts.expect(http.StatusOK, request{method: "GET", path: "/fhir/Patient/once/_history"}), &b)
	if len(b.Entry) != 1 || b.Entry[0].Request.Method != "POST" {
		t.Errorf("one version: %+v", b.Entry)
	}
}

// Pages: _count versions each, newest first, a next link while older ones are left, which
// together give every version once; _count is lowered to SLUICE_HISTORY_MAX_COUNT and
// defaults to SLUICE_HISTORY_COUNT; bad parameters are 400.
func TestHistoryPages(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t, proxy.Config{HistoryCount: 4, HistoryMaxCount: 5})
	var versions []string
	for i := range 11 {
		body := ts.expect(map[bool]int{true: http.StatusCreated, false: http.StatusOK}[i == 0],
			request{method: "PUT", path: "/Observation/o-1", body: `{"status":"final","code":{"text":"x"}}`})
		versions = append(versions, decode(t, body)["meta"].(map[string]any)["versionId"].(string))
	}

	pages := func(first string) (sizes []int, seen []string) {
		next := ts.URL + first
		for next != "" && len(sizes) < 20 {
			u, err := url.Parse(next)
			if err != nil {
				t.Fatal(err)
			}
			var b historyBundle
			decodeInto(t, ts.expect(http.StatusOK, request{method: "GET", path: u.RequestURI()}), &b)
			sizes = append(sizes, len(b.Entry))
			for _, e := range b.Entry {
				seen = append(seen, e.Resource["meta"].(map[string]any)["versionId"].(string))
			}
			next = b.link("next")
		}
		return sizes, seen
	}
	newestFirst := make([]string, len(versions))
	for i, v := range versions {
		newestFirst[len(versions)-1-i] = v
	}
	for first, want := range map[string][]int{
		"/fhir/Observation/o-1/_history?_count=3":  {3, 3, 3, 2},
		"/Observation/o-1/_history?_count=3":       {3, 3, 3, 2},
		"/fhir/Observation/o-1/_history":           {4, 4, 3}, // SLUICE_HISTORY_COUNT
		"/fhir/Observation/o-1/_history?_count=9":  {5, 5, 1}, // lowered to SLUICE_HISTORY_MAX_COUNT
		"/fhir/Observation/o-1/_history?_count=11": {5, 5, 1},
	} {
		sizes, seen := pages(first)
		if jsonOf(sizes) != jsonOf(want) || jsonOf(seen) != jsonOf(newestFirst) {
			t.Errorf("%s: pages of %v, want %v; versions %v, want %v", first, sizes, want, seen, newestFirst)
		}
	}
	// A page past the last is empty, not an error.
	var b historyBundle
	decodeInto(t, ts.expect(http.StatusOK, request{method: "GET", path: "/fhir/Observation/o-1/_history?_versionBefore=" + versions[0]}), &b)
	if len(b.Entry) != 0 || b.link("next") != "" {
		t.Errorf("past the last page: %+v", b)
	}

	for _, query := range []string{"_count=0", "_count=-1", "_count=x", "_versionBefore=x", "_versionBefore=0",
		"_since=2020-01-01", "_at=2020", "_sort=x", "_list=x"} {
		resp, body := ts.do(request{method: "GET", path: "/fhir/Observation/o-1/_history?" + query})
		if resp.StatusCode != http.StatusBadRequest || decode(t, body)["resourceType"] != "OperationOutcome" ||
			!strings.Contains(string(body), strings.Split(query, "=")[0]) {
			t.Errorf("?%s: %d %s, want 400 naming the parameter", query, resp.StatusCode, body)
		}
	}
}

// vread and history are checked as the requests they are: a policy that allows reading a
// resource does not allow its versions, one that names the _history path does; and a
// Client's versions never show its secret.
func TestHistoryAccess(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t, proxy.Config{})
	versions := writeVersions(t, ts)
	ts.expect(http.StatusOK, request{method: "PUT", path: "/", contentType: yamlType, body: `
- {resourceType: Client, id: reader, secret: s1, grant_types: [basic]}
- {resourceType: Client, id: historian, secret: s2, grant_types: [basic]}
- resourceType: AccessPolicy
  id: reader-reads
  engine: matcho
  matcho: {uri: "#^/(fhir/)?Patient/[^/]+$", request-method: get}
  link: [{id: reader}]
- resourceType: AccessPolicy
  id: historian-history
  engine: matcho
  matcho: {uri: "#^/fhir/Patient/[^/]+/_history(/[^/]+)?$", request-method: get, params: {resource/type: Patient}}
  link: [{id: historian}]
`})
	reader, historian := []string{"reader", "s1"}, []string{"historian", "s2"}
	ts.expect(http.StatusOK, request{method: "GET", path: "/fhir/Patient/pt-h", auth: reader})
	for _, path := range []string{"/fhir/Patient/pt-h/_history", "/fhir/Patient/pt-h/_history/" + versions[0], "/Patient/pt-h/_history"} {
		ts.expect(http.StatusForbidden, request{method: "GET", path: path, auth: reader})
	}
	ts.expect(http.StatusForbidden, request{method: "GET", path: "/fhir/Patient/pt-h", auth: historian})
	ts.expect(http.StatusOK, request{method: "GET", path: "/fhir/Patient/pt-h/_history", auth: historian})
	ts.expect(http.StatusOK, request{method: "GET", path: "/fhir/Patient/pt-h/_history/" + versions[0], auth: historian})
	ts.expect(http.StatusForbidden, request{method: "GET", path: "/Patient/pt-h/_history", auth: historian})
	ts.expect(http.StatusForbidden, request{method: "GET", path: "/fhir/Client/reader/_history", auth: historian})

	// The operator sees a Client's versions, never its secret (stored hashed or not).
	ts.expect(http.StatusOK, request{method: "PUT", path: "/Client/reader", body: `{"secret":"s3","grant_types":["basic"]}`})
	for _, path := range []string{"/Client/reader/_history", "/fhir/Client/reader/_history"} {
		body := ts.expect(http.StatusOK, request{method: "GET", path: path})
		var b historyBundle
		decodeInto(t, body, &b)
		if len(b.Entry) != 2 || strings.Contains(string(body), "secret") || strings.Contains(string(body), "$2") {
			t.Errorf("GET %s: %s", path, body)
		}
		v := strings.Trim(strings.TrimPrefix(b.Entry[1].Response.Etag, "W/"), `"`)
		if body := ts.expect(http.StatusOK, request{method: "GET", path: strings.TrimSuffix(path, "_history") + "_history/" + v}); strings.Contains(string(body), "secret") {
			t.Errorf("vread of a Client: %s", body)
		}
	}
}

// decodeInto parses a JSON response body into v.
func decodeInto(t testing.TB, body []byte, v any) {
	t.Helper()
	if err := json.Unmarshal(body, v); err != nil {
		t.Fatalf("%v: %s", err, body)
	}
}

// The shapes parseRoute refuses are 404 before authentication, over real HTTP too (the server
// gets the path as sent: nothing cleans //Patient into /Patient on the way).
func TestRefusedRouteShapes(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t, proxy.Config{})
	ts.expect(http.StatusCreated, request{method: "PUT", path: "/Patient/pt-1", body: `{}`})
	for _, path := range []string{"//Patient/pt-1", "//fhir/Patient/pt-1", "/Patient/pt-1//", "/Patient//pt-1",
		"/Patient/pt-1/_history/1/x", "/Patient/pt-1/x/1", "/Patient/pt-1/history", "/metadata"} {
		for _, auth := range [][]string{{}, nil} {
			resp, body := ts.do(request{method: "GET", path: path, auth: auth})
			if resp.StatusCode != http.StatusNotFound || !strings.Contains(string(body), "no such endpoint") {
				t.Errorf("GET %s (auth %v): %d %s, want 404 no such endpoint", path, auth, resp.StatusCode, body)
			}
		}
	}
}
