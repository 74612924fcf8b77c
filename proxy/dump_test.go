package proxy_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/sluice-fhir/sluice/internal/export"
	"github.com/sluice-fhir/sluice/internal/pgtest"
	"github.com/sluice-fhir/sluice/proxy"
)

var bulkClient = []string{"bulk-client", "secret"}

// rawClient never asks for gzip by itself, so tests see exactly what the server sends.
var rawClient = &http.Client{Transport: &http.Transport{DisableCompression: true}}

// streamResponse is a response read to its end, or to the error that cut it.
type streamResponse struct {
	*http.Response
	body    []byte
	readErr error
}

// stream sends a request with extra headers through rawClient and reads the whole body,
// keeping a read error (a truncated stream) instead of failing.
func (s *testServer) stream(req request, header http.Header) streamResponse {
	s.t.Helper()
	resp := s.open(req, header)
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	return streamResponse{Response: resp, body: body, readErr: err}
}

// open sends a request and returns the response with its body unread.
func (s *testServer) open(req request, header http.Header) *http.Response {
	s.t.Helper()
	return s.openContext(context.Background(), req, header)
}

func (s *testServer) openContext(ctx context.Context, req request, header http.Header) *http.Response {
	s.t.Helper()
	var body io.Reader
	if req.body != "" {
		body = strings.NewReader(req.body)
	}
	r, err := http.NewRequestWithContext(ctx, req.method, s.URL+req.path, body)
	if err != nil {
		s.t.Fatal(err)
	}
	if req.body != "" {
		ct := req.contentType
		if ct == "" {
			ct = "application/json"
		}
		r.Header.Set("Content-Type", ct)
	}
	if req.accept != "" {
		r.Header.Set("Accept", req.accept)
	}
	for k, v := range header {
		r.Header[k] = v
	}
	switch {
	case req.auth == nil:
		r.SetBasicAuth(adminID, adminSecret)
	case len(req.auth) == 2:
		r.SetBasicAuth(req.auth[0], req.auth[1])
	}
	resp, err := rawClient.Do(r)
	if err != nil {
		s.t.Fatal(err)
	}
	return resp
}

// expectStream is stream that fails the test unless the status is want and the body whole.
func (s *testServer) expectStream(want int, req request, header http.Header) streamResponse {
	s.t.Helper()
	resp := s.stream(req, header)
	if resp.StatusCode != want || resp.readErr != nil {
		s.t.Fatalf("%s %s: status %d (want %d), read error %v: %.500s", req.method, req.path, resp.StatusCode, want, resp.readErr, resp.body)
	}
	return resp
}

// expectOutcome checks an OperationOutcome answer of the given status.
func expectOutcome(t *testing.T, what string, resp streamResponse, want int) {
	t.Helper()
	if resp.StatusCode != want {
		t.Errorf("%s: status %d, want %d: %.300s", what, resp.StatusCode, want, resp.body)
		return
	}
	var oo struct {
		ResourceType string `json:"resourceType"`
		Issue        []struct {
			Diagnostics string `json:"diagnostics"`
		} `json:"issue"`
	}
	if err := json.Unmarshal(resp.body, &oo); err != nil || oo.ResourceType != "OperationOutcome" || len(oo.Issue) == 0 || oo.Issue[0].Diagnostics == "" {
		t.Errorf("%s: not an OperationOutcome with diagnostics: %v: %s", what, err, resp.body)
	}
	if ct := resp.Header.Get("Content-Type"); ct != "application/json" {
		t.Errorf("%s: Content-Type %q on an error", what, ct)
	}
}

// ndjsonLines parses NDJSON into objects, failing on anything else.
func ndjsonLines(t *testing.T, body []byte) []map[string]any {
	t.Helper()
	var out []map[string]any
	if len(body) == 0 {
		return nil
	}
	if body[len(body)-1] != '\n' {
		t.Fatalf("NDJSON must end with a newline: %q", body[max(0, len(body)-50):])
	}
	for _, line := range strings.Split(strings.TrimSuffix(string(body), "\n"), "\n") {
		var v map[string]any
		if err := json.Unmarshal([]byte(line), &v); err != nil {
			t.Fatalf("not a JSON object: %v: %s", err, line)
		}
		out = append(out, v)
	}
	return out
}

func ids(lines []map[string]any) []string {
	var out []string
	for _, l := range lines {
		out = append(out, l["id"].(string))
	}
	slices.Sort(out)
	return out
}

func gunzip(t *testing.T, data []byte) []byte {
	t.Helper()
	r, err := gzip.NewReader(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	out, err := io.ReadAll(r)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestDumpSeed(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t, proxy.Config{})
	seed(ts)

	resp := ts.expectStream(http.StatusOK, request{method: "GET", path: "/Patient/$dump", auth: bulkClient}, nil)
	if ct := resp.Header.Get("Content-Type"); ct != "application/ndjson" {
		t.Errorf("Content-Type %q", ct)
	}
	if !slices.Contains(resp.TransferEncoding, "chunked") {
		t.Errorf("Transfer-Encoding %v, want chunked", resp.TransferEncoding)
	}
	if resp.Header.Get("Content-Encoding") != "" {
		t.Errorf("Content-Encoding %q without asking", resp.Header.Get("Content-Encoding"))
	}
	lines := ndjsonLines(t, resp.body)
	if got := ids(lines); !reflect.DeepEqual(got, []string{"pt-1", "pt-2", "pt-3"}) {
		t.Fatalf("ids %v", got)
	}
	for _, line := range lines {
		meta, _ := line["meta"].(map[string]any)
		if _, ok := meta["versionId"].(string); !ok || meta["lastUpdated"] == nil || meta["createdAt"] == nil || line["resourceType"] != "Patient" {
			t.Errorf("line without resourceType or meta (versionId string, lastUpdated, createdAt): %v", line)
		}
		// Exactly what a read gives.
		read := decode(t, ts.expect(http.StatusOK, request{method: "GET", path: "/Patient/" + line["id"].(string)}))
		if !reflect.DeepEqual(line, read) {
			t.Errorf("dump line %v\ndiffers from the read %v", line, read)
		}
	}

	// gzip=true, and Accept-Encoding: the same lines, compressed.
	for _, c := range []struct {
		path   string
		header http.Header
	}{
		{"/Patient/$dump?gzip=true", nil},
		{"/Patient/$dump", http.Header{"Accept-Encoding": {"gzip, deflate"}}},
	} {
		z := ts.expectStream(http.StatusOK, request{method: "GET", path: c.path, auth: bulkClient}, c.header)
		if z.Header.Get("Content-Encoding") != "gzip" || z.Header.Get("Content-Type") != "application/ndjson" {
			t.Errorf("%s %v: headers %v", c.path, c.header, z.Header)
			continue
		}
		if got := gunzip(t, z.body); !bytes.Equal(got, resp.body) {
			t.Errorf("%s %v gunzips to\n%s\nwant\n%s", c.path, c.header, got, resp.body)
		}
	}
	// gzip=false wins over Accept-Encoding; q=0 refuses gzip.
	for _, c := range []struct {
		path string
		ae   string
	}{{"/Patient/$dump?gzip=false", "gzip"}, {"/Patient/$dump", "gzip;q=0, identity"}} {
		plain := ts.expectStream(http.StatusOK, request{method: "GET", path: c.path, auth: bulkClient}, http.Header{"Accept-Encoding": {c.ae}})
		if plain.Header.Get("Content-Encoding") != "" || !bytes.Equal(plain.body, resp.body) {
			t.Errorf("%s with Accept-Encoding %q: compressed or different: %v", c.path, c.ae, plain.Header)
		}
	}

	appointments := ndjsonLines(t, ts.expectStream(http.StatusOK, request{method: "GET", path: "/Appointment/$dump", auth: bulkClient}, nil).body)
	if got := ids(appointments); !reflect.DeepEqual(got, []string{"ap-1", "ap-2", "ap-3"}) {
		t.Errorf("appointments %v", got)
	}
}

// fhir=true and /fhir/<type>/$dump: FHIR format, the seed's Attributes turned into extensions.
func TestDumpFHIR(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t, proxy.Config{})
	seed(ts)
	for _, path := range []string{"/Patient/$dump?fhir=true", "/fhir/Patient/$dump", "/fhir/Patient/$dump?gzip=true&_since=2000-01-01"} {
		resp := ts.expectStream(http.StatusOK, request{method: "GET", path: path, auth: bulkClient}, nil)
		body := resp.body
		if resp.Header.Get("Content-Encoding") == "gzip" {
			body = gunzip(t, body)
		}
		lines := ndjsonLines(t, body)
		if got := ids(lines); !reflect.DeepEqual(got, []string{"pt-1", "pt-2", "pt-3"}) {
			t.Fatalf("%s: ids %v", path, got)
		}
		for _, line := range lines {
			id := line["id"].(string)
			meta := line["meta"].(map[string]any)
			ext, _ := meta["extension"].([]any)
			if _, ok := meta["versionId"].(string); !ok || meta["createdAt"] != nil || len(ext) != 1 ||
				ext[0].(map[string]any)["url"] != "ex:createdAt" || ext[0].(map[string]any)["valueInstant"] == nil {
				t.Errorf("%s %s: meta %v, want versionId, lastUpdated and the createdAt extension", path, id, meta)
			}
			// The same as the SQL conversion of the stored resource.
			var want map[string]any
			if err := ts.Pool.QueryRow(context.Background(), "select fhir.to_fhir(sluice.resource_read('Patient', $1))", id).Scan(&want); err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(line, want) {
				t.Errorf("%s %s: %v\nwant %v", path, id, line, want)
			}
			if id == "pt-3" {
				got, _ := json.Marshal(line["extension"])
				if string(got) != `[{"extension":[{"url":"code","valueCodeableConcept":{"text":"ru"}}],"url":"http://hl7.org/fhir/StructureDefinition/patient-citizenship"}]` || line["citizenship"] != nil {
					t.Errorf("%s pt-3: extension %s, citizenship %v", path, got, line["citizenship"])
				}
			}
		}
	}
	// References become FHIR references.
	resp := ts.expectStream(http.StatusOK, request{method: "GET", path: "/Appointment/$dump?fhir=true", auth: bulkClient}, nil)
	for _, line := range ndjsonLines(t, resp.body) {
		actor := line["participant"].([]any)[0].(map[string]any)["actor"].(map[string]any)
		if ref, _ := actor["reference"].(string); !strings.HasPrefix(ref, "Patient/pt-") || actor["id"] != nil {
			t.Errorf("%s: actor %v", line["id"], actor)
		}
	}
	expectOutcome(t, "unknown type in FHIR format", ts.stream(request{method: "GET", path: "/fhir/Nope/$dump", auth: bulkClient}, nil), http.StatusNotFound)
}

func TestDumpSince(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t, proxy.Config{})
	seed(ts)
	for _, c := range []struct {
		since string
		want  int
	}{
		{"2999-01-01", 0},
		{"2999-01-01T00:00:00Z", 0},
		{time.Now().Add(time.Hour).UTC().Format(time.RFC3339Nano), 0},
		{time.Now().Add(time.Hour).Format("2006-01-02T15:04:05-07:00"), 0},
		{"2000-01-01", 3},
		{"2021-06-09T11:07:23.022196Z", 3},
		{"2021-06-09T11:07:23", 3},
		{"2021-06-09T11:07:23%2B03:00", 3}, // an encoded +
		{"2021-06-09T11:07:23+03:00", 3},   // a + that decodes to a space
		{"2021", 3},
	} {
		resp := ts.expectStream(http.StatusOK, request{method: "GET", path: "/Patient/$dump?_since=" + c.since, auth: bulkClient}, nil)
		if got := len(ndjsonLines(t, resp.body)); got != c.want {
			t.Errorf("_since=%s: %d lines, want %d", c.since, got, c.want)
		}
	}
	// Created after _since, not updated after it.
	cut := time.Now().UTC()
	time.Sleep(10 * time.Millisecond)
	ts.expect(http.StatusOK, request{method: "PUT", path: "/Patient/pt-1", body: `{"name":[{"given":["Alicia"]}]}`})
	ts.expect(http.StatusCreated, request{method: "POST", path: "/Patient", body: `{"id":"pt-4"}`})
	resp := ts.expectStream(http.StatusOK, request{method: "GET", path: "/Patient/$dump?_since=" + cut.Format(time.RFC3339Nano), auth: bulkClient}, nil)
	if got := ids(ndjsonLines(t, resp.body)); !reflect.DeepEqual(got, []string{"pt-4"}) {
		t.Errorf("created after %s: %v, want [pt-4]", cut, got)
	}
	for _, bad := range []string{"yesterday", "2021-13-01", "now", "2021-06-09T25:00:00Z", "1'::timestamptz)--"} {
		resp := ts.stream(request{method: "GET", path: "/Patient/$dump?_since=" + bad, auth: bulkClient}, nil)
		expectOutcome(t, "_since="+bad, resp, http.StatusBadRequest)
	}
}

func TestDumpErrorsBeforeStreaming(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t, proxy.Config{})
	seed(ts)
	for _, c := range []struct {
		path string
		want int
	}{
		{"/Nope/$dump", http.StatusNotFound},
		{"/patient/$dump", http.StatusNotFound},
		{"/Nope/$dump?gzip=true", http.StatusNotFound},
		{"/Nope/$dump-csv", http.StatusNotFound},
		{"/Patient/$dump?gzip=maybe", http.StatusBadRequest},
		{"/Patient/$dump?fhir=maybe", http.StatusBadRequest},
	} {
		resp := ts.stream(request{method: "GET", path: c.path, auth: bulkClient}, http.Header{"Accept-Encoding": {"gzip"}})
		expectOutcome(t, c.path, resp, c.want)
		if resp.Header.Get("Content-Encoding") != "" {
			t.Errorf("%s: an error answer with Content-Encoding %q", c.path, resp.Header.Get("Content-Encoding"))
		}
	}
	// Not allowed: no credentials, a client without a policy for it.
	expectOutcome(t, "no credentials", ts.stream(request{method: "GET", path: "/Patient/$dump", auth: []string{}}, nil), http.StatusUnauthorized)
	ts.expect(http.StatusOK, request{method: "PUT", path: "/", body: `[{"resourceType":"Client","id":"other","secret":"s","grant_types":["basic"]}]`})
	expectOutcome(t, "a client without a policy", ts.stream(request{method: "GET", path: "/Patient/$dump", auth: []string{"other", "s"}}, nil), http.StatusForbidden)
}

// Clients can be dumped (the seed's policy allows any /<type>/$dump), never their secrets.
func TestDumpClientsWithoutSecrets(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t, proxy.Config{})
	seed(ts)
	for _, path := range []string{"/Client/$dump", "/Client/$dump?fhir=true", "/fhir/Client/$dump", "/Client/$dump-csv"} {
		resp := ts.expectStream(http.StatusOK, request{method: "GET", path: path, auth: bulkClient}, nil)
		if !strings.Contains(string(resp.body), "bulk-client") || strings.Contains(string(resp.body), "secret") {
			t.Errorf("%s: %s", path, resp.body)
		}
	}
}

func TestDumpSkipsDeleted(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t, proxy.Config{})
	seed(ts)
	ts.expect(http.StatusOK, request{method: "DELETE", path: "/Patient/pt-2"})
	resp := ts.expectStream(http.StatusOK, request{method: "GET", path: "/Patient/$dump", auth: bulkClient}, nil)
	if got := ids(ndjsonLines(t, resp.body)); !reflect.DeepEqual(got, []string{"pt-1", "pt-3"}) {
		t.Errorf("after deleting pt-2: %v", got)
	}
	// A row marked deleted in the live table (as a loader might leave it) is not dumped either.
	if _, err := ts.Pool.Exec(context.Background(), "update patient set status = 'deleted' where id = 'pt-3'"); err != nil {
		t.Fatal(err)
	}
	resp = ts.expectStream(http.StatusOK, request{method: "GET", path: "/Patient/$dump", auth: bulkClient}, nil)
	if got := ids(ndjsonLines(t, resp.body)); !reflect.DeepEqual(got, []string{"pt-1"}) {
		t.Errorf("with pt-3 marked deleted: %v", got)
	}
	csvResp := ts.expectStream(http.StatusOK, request{method: "GET", path: "/Patient/$dump-csv", auth: bulkClient}, nil)
	if want := "id,name.0.given.0,resourceType\npt-1,Alice,Patient\n"; string(csvResp.body) != want {
		t.Errorf("$dump-csv without deleted rows:\n%s\nwant\n%s", csvResp.body, want)
	}
}

// Strings that COPY's text format or a careless concatenation would damage.
const trickyPatient = `{"resourceType":"Patient","id":"esc",
 "name":[{"text":"quote \" backslash \\ newline \n tab \t cr \r slash \/ bell \u0007 unicode é 中文 😀 \u2028",
          "given":["\\\"","\\n","\\\\","a,b","x\u0001y\u0002z"]}],
 "extension":[{"url":"u","valueDecimal":1.50,"valueInteger":-0,"valueBoolean":false}],
 "meta":{"tag":[{"code":"t1"}]},
 "birthDate":"1970-01-01"}`

func TestDumpByteExact(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t, proxy.Config{})
	seed(ts)
	ts.expect(http.StatusCreated, request{method: "PUT", path: "/Patient/esc", body: trickyPatient})
	// And one without meta, which takes the text path of sluice.dump_line.
	noMeta := strings.Replace(trickyPatient, `"meta":{"tag":[{"code":"t1"}]},`, "", 1)
	noMeta = strings.Replace(noMeta, `"id":"esc"`, `"id":"esc2"`, 1)
	ts.expect(http.StatusCreated, request{method: "PUT", path: "/Patient/esc2", body: noMeta})

	// An empty body, and a null meta: the other paths of sluice.dump_line.
	ts.expect(http.StatusCreated, request{method: "PUT", path: "/Patient/empty", body: `{"resourceType":"Patient"}`})
	ts.expect(http.StatusCreated, request{method: "PUT", path: "/Patient/nullmeta", body: `{"meta":null,"active":true}`})

	resp := ts.expectStream(http.StatusOK, request{method: "GET", path: "/Patient/$dump", auth: bulkClient}, nil)
	var found int
	for _, raw := range strings.Split(strings.TrimSuffix(string(resp.body), "\n"), "\n") {
		var line map[string]any
		if err := json.Unmarshal([]byte(raw), &line); err != nil {
			t.Fatalf("invalid JSON line: %v: %q", err, raw)
		}
		id := line["id"].(string)
		if id == "empty" || id == "nullmeta" {
			read := decode(t, ts.expect(http.StatusOK, request{method: "GET", path: "/Patient/" + id}))
			if !reflect.DeepEqual(line, read) {
				t.Errorf("%s: dump line %v\ndiffers from the read %v", id, line, read)
			}
			found++
			continue
		}
		if id != "esc" && id != "esc2" {
			continue
		}
		found++
		read := decode(t, ts.expect(http.StatusOK, request{method: "GET", path: "/Patient/" + id}))
		if !reflect.DeepEqual(line, read) {
			t.Errorf("%s: dump line %v\ndiffers from the read %v", id, line, read)
		}
		name := line["name"].([]any)[0].(map[string]any)
		if want := "quote \" backslash \\ newline \n tab \t cr \r slash / bell \a unicode é 中文 😀 \u2028"; name["text"] != want {
			t.Errorf("%s: text %q, want %q", id, name["text"], want)
		}
		if got, _ := json.Marshal(name["given"]); string(got) != `["\\\"","\\n","\\\\","a,b","x\u0001y\u0002z"]` {
			t.Errorf("%s: given %s", id, got)
		}
		// The JSON text is PostgreSQL's jsonb text, passed through untouched: no doubled
		// backslashes, no raw control characters.
		if strings.ContainsAny(raw, "\t\r\x01\x02") || strings.Contains(raw, `\\\\\\`) {
			t.Errorf("%s: raw line damaged: %q", id, raw)
		}
		var dbText string
		if err := ts.Pool.QueryRow(context.Background(), "select resource #>> '{name,0,text}' from patient where id = $1", id).Scan(&dbText); err != nil {
			t.Fatal(err)
		}
		if dbText != name["text"] {
			t.Errorf("%s: the database holds %q, the dump says %q", id, dbText, name["text"])
		}
	}
	if found != 4 {
		t.Errorf("found %d of the 4 tricky patients", found)
	}
}

func TestDumpCSV(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t, proxy.Config{})
	seed(ts)
	resp := ts.expectStream(http.StatusOK, request{method: "GET", path: "/Patient/$dump-csv", auth: bulkClient}, nil)
	if ct := resp.Header.Get("Content-Type"); ct != "text/csv" {
		t.Errorf("Content-Type %q", ct)
	}
	if !slices.Contains(resp.TransferEncoding, "chunked") {
		t.Errorf("Transfer-Encoding %v, want chunked", resp.TransferEncoding)
	}
	// The example of docs/formats.md ("CSV"), rows in any order.
	lines := strings.Split(strings.TrimSuffix(string(resp.body), "\n"), "\n")
	slices.Sort(lines[1:])
	want := []string{"citizenship.0.code.text,id,name.0.given.0,resourceType", ",pt-1,Alice,Patient", ",pt-2,Bob,Patient", "ru,pt-3,Charles,Patient"}
	if !reflect.DeepEqual(lines, want) {
		t.Errorf("$dump-csv:\n%s\nwant\n%s", strings.Join(lines, "\n"), strings.Join(want, "\n"))
	}
	z := ts.expectStream(http.StatusOK, request{method: "GET", path: "/Patient/$dump-csv?gzip=true", auth: bulkClient}, nil)
	if z.Header.Get("Content-Encoding") != "gzip" || len(gunzip(t, z.body)) != len(resp.body) {
		t.Errorf("gzip=true: %v", z.Header)
	}
	appointments := ts.expectStream(http.StatusOK, request{method: "GET", path: "/Appointment/$dump-csv", auth: bulkClient}, nil)
	if header, _, _ := strings.Cut(string(appointments.body), "\n"); header != "id,participant.0.actor.id,participant.0.actor.resourceType,participant.0.status,resourceType,status" {
		t.Errorf("Appointment header %q", header)
	}

	// RFC 4180 quoting, numbers and booleans as written, nested arrays, nulls and empty
	// containers as no columns, meta only for what the body holds beyond the row's columns.
	ts.expect(http.StatusCreated, request{method: "PUT", path: "/Observation/o-1", body: `{"status":"final",
		"valueQuantity":{"value":1.50,"unit":"mg, \"dry\""},"note":[{"text":"line1\nline2"},{"text":" lead"}],
		"component":[{"code":{"coding":[{"code":"a"},{"code":"b"}]}}],"issued":null,"focus":[],"extension":[{}],
		"meta":{"tag":[{"code":"t"}]},"x":{"y":true}}`})
	ts.expect(http.StatusCreated, request{method: "PUT", path: "/Observation/o-2", body: `{"status":"amended","x":{"y":false}}`})
	obs := ts.expectStream(http.StatusOK, request{method: "GET", path: "/Observation/$dump-csv", auth: bulkClient}, nil)
	records, err := csv.NewReader(bytes.NewReader(obs.body)).ReadAll()
	if err != nil {
		t.Fatalf("not RFC 4180: %v\n%s", err, obs.body)
	}
	wantHeader := []string{"component.0.code.coding.0.code", "component.0.code.coding.1.code", "id", "meta.tag.0.code",
		"note.0.text", "note.1.text", "resourceType", "status", "valueQuantity.unit", "valueQuantity.value", "x.y"}
	if !reflect.DeepEqual(records[0], wantHeader) {
		t.Fatalf("header %q\nwant %q", records[0], wantHeader)
	}
	slices.SortFunc(records[1:], func(a, b []string) int { return strings.Compare(a[2], b[2]) })
	want1 := []string{"a", "b", "o-1", "t", "line1\nline2", " lead", "Observation", "final", `mg, "dry"`, "1.50", "true"}
	want2 := []string{"", "", "o-2", "", "", "", "Observation", "amended", "", "", "false"}
	if !reflect.DeepEqual(records[1:], [][]string{want1, want2}) {
		t.Errorf("rows %q\nwant %q", records[1:], [][]string{want1, want2})
	}
	if !strings.Contains(string(obs.body), `"mg, ""dry"""`) {
		t.Errorf("quotes not doubled inside a quoted field: %s", obs.body)
	}
	// An empty table: the header of id and resourceType only.
	empty := ts.expectStream(http.StatusOK, request{method: "GET", path: "/Encounter/$dump-csv", auth: bulkClient}, nil)
	if string(empty.body) != "id,resourceType\n" {
		t.Errorf("empty $dump-csv %q", empty.body)
	}
}

// More distinct paths than PostgreSQL has columns (1664): the header is not a row type.
func TestDumpCSVManyPaths(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t, proxy.Config{})
	ctx := context.Background()
	if _, err := ts.Pool.Exec(ctx, `
		insert into explanationofbenefit (id, txid, status, resource)
		select 'eob-' || r, nextval('transaction_id_seq'), 'created',
		       (select jsonb_object_agg('k' || lpad(k::text, 4, '0'), jsonb_build_array(r, k)) from generate_series(r, 2000, 2) k)
		from generate_series(1, 2) r`); err != nil {
		t.Fatal(err)
	}
	resp := ts.expectStream(http.StatusOK, request{method: "GET", path: "/ExplanationOfBenefit/$dump-csv"}, nil)
	records, err := csv.NewReader(bytes.NewReader(resp.body)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	// k0001..k2000, each with .0 and .1, plus id and resourceType.
	if len(records) != 3 || len(records[0]) != 4002 {
		t.Fatalf("%d records, header of %d columns; want 3 and 4002", len(records), len(records[0]))
	}
	if records[0][0] != "id" || records[0][1] != "k0001.0" || records[0][4001] != "resourceType" {
		t.Errorf("header starts %q, ends %q", records[0][:3], records[0][4001])
	}
	slices.SortFunc(records[1:], func(a, b []string) int { return strings.Compare(a[0], b[0]) })
	if r := records[1]; r[0] != "eob-1" || r[1] != "1" || r[2] != "1" || r[3] != "" {
		t.Errorf("eob-1 starts %q", r[:4])
	}
	if r := records[2]; r[0] != "eob-2" || r[1] != "" || r[3] != "2" || r[4] != "2" {
		t.Errorf("eob-2 starts %q", r[:5])
	}
}

func TestDumpSQLSeed(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t, proxy.Config{})
	seed(ts)
	// The seed's example, verbatim: YAML body, TSV answer. The three rows were inserted one
	// after the other into a fresh table, so a sequential scan returns them in that order.
	resp := ts.expectStream(http.StatusOK, request{method: "POST", path: "/$dump-sql", auth: bulkClient, contentType: "application/yaml",
		body: "query: select id, resource#>>'{name,0,given,0}' from patient\n"}, nil)
	if ct := resp.Header.Get("Content-Type"); ct != "text/tab-separated-values" {
		t.Errorf("Content-Type %q", ct)
	}
	if !slices.Contains(resp.TransferEncoding, "chunked") {
		t.Errorf("Transfer-Encoding %v, want chunked", resp.TransferEncoding)
	}
	if string(resp.body) != "pt-1\tAlice\npt-2\tBob\npt-3\tCharles\n" {
		t.Errorf("$dump-sql %q", resp.body)
	}

	query := `{"query": "select id, resource#>>'{name,0,given,0}' as given, txid > 0 as positive, null::text as nothing, e'tab\\there' as esc from patient order by id;  "}`
	for _, c := range []struct {
		format, contentType, want string
	}{
		{"", "text/tab-separated-values", "pt-1\tAlice\tt\t\\N\ttab\\there\npt-2\tBob\tt\t\\N\ttab\\there\npt-3\tCharles\tt\t\\N\ttab\\there\n"},
		{"tsv", "text/tab-separated-values", "pt-1\tAlice\tt\t\\N\ttab\\there\npt-2\tBob\tt\t\\N\ttab\\there\npt-3\tCharles\tt\t\\N\ttab\\there\n"},
		// Aidbox's rule: json/ndjson are NDJSON, csv is CSV, anything else is TSV.
		{"yaml", "text/tab-separated-values", "pt-1\tAlice\tt\t\\N\ttab\\there\npt-2\tBob\tt\t\\N\ttab\\there\npt-3\tCharles\tt\t\\N\ttab\\there\n"},
		{"xml", "text/tab-separated-values", "pt-1\tAlice\tt\t\\N\ttab\\there\npt-2\tBob\tt\t\\N\ttab\\there\npt-3\tCharles\tt\t\\N\ttab\\there\n"},
		{"ndjson", "application/ndjson", `{"id":"pt-1","given":"Alice","positive":true,"nothing":null,"esc":"tab\there"}` + "\n" +
			`{"id":"pt-2","given":"Bob","positive":true,"nothing":null,"esc":"tab\there"}` + "\n" +
			`{"id":"pt-3","given":"Charles","positive":true,"nothing":null,"esc":"tab\there"}` + "\n"},
		{"csv", "text/csv", "id,given,positive,nothing,esc\npt-1,Alice,t,,tab\there\npt-2,Bob,t,,tab\there\npt-3,Charles,t,,tab\there\n"},
	} {
		resp := ts.expectStream(http.StatusOK, request{method: "POST", path: "/$dump-sql?_format=" + c.format, auth: bulkClient, body: query}, nil)
		if ct := resp.Header.Get("Content-Type"); ct != c.contentType {
			t.Errorf("_format=%s: Content-Type %q", c.format, ct)
		}
		if string(resp.body) != c.want {
			t.Errorf("_format=%s:\n%q\nwant\n%q", c.format, resp.body, c.want)
		}
	}
	// json is ndjson; gzip works here too.
	z := ts.expectStream(http.StatusOK, request{method: "POST", path: "/$dump-sql?_format=json&gzip=true", auth: bulkClient, body: query}, nil)
	if z.Header.Get("Content-Encoding") != "gzip" || !strings.HasPrefix(string(gunzip(t, z.body)), `{"id":"pt-1","given":"Alice"`) {
		t.Errorf("_format=json&gzip=true: %v", z.Header)
	}
	// History tables and other resource types are readable; no rows is an empty 200.
	for _, q := range []string{"select count(*) from patient_history", "select id from appointment where false", "select resource from attribute"} {
		ts.expectStream(http.StatusOK, request{method: "POST", path: "/$dump-sql", auth: bulkClient, body: `{"query": "` + q + `"}`}, nil)
	}
	for _, c := range []struct{ body, format string }{
		{`{}`, ""}, {`{"query": 1}`, ""}, {`[]`, ""}, {`{}`, "xml"}, // an unknown _format is TSV; its errors stay JSON
	} {
		expectOutcome(t, c.body+" "+c.format, ts.stream(request{method: "POST", path: "/$dump-sql?_format=" + c.format, auth: bulkClient, body: c.body}, nil), http.StatusBadRequest)
	}
	// _format=yaml streams TSV too, but asks for YAML answers: its OperationOutcome is YAML.
	yresp, ybody := ts.do(request{method: "POST", path: "/$dump-sql?_format=yaml", auth: bulkClient, body: `{}`})
	if oo := yamlAnswer(t, "$dump-sql _format=yaml {}", yresp, ybody); yresp.StatusCode != http.StatusBadRequest || oo.(map[string]any)["resourceType"] != "OperationOutcome" {
		t.Errorf("$dump-sql _format=yaml {}: %d %v", yresp.StatusCode, oo)
	}
}

// Attempts to do more than read resources through $dump-sql. Each must be refused with a
// clear 4xx before any byte, and change nothing.
func TestDumpSQLBreakOut(t *testing.T) {
	ts := newTestServer(t, proxy.Config{DumpSQLTimeout: 2 * time.Second})
	seed(ts)
	ctx := context.Background()
	state := func() string {
		var s string
		if err := ts.Pool.QueryRow(ctx, `select concat_ws(' | ',
			(select string_agg(id || ':' || txid || ':' || resource::text, ',' order by id) from patient),
			(select count(*) from patient_history),
			(select string_agg(id || ':' || resource::text, ',' order by id) from client),
			(select last_value from transaction_id_seq),
			(select string_agg(rolname || rolsuper::text || rolcanlogin::text, ',' order by rolname) from pg_roles where rolname !~ '^pg_'),
			(select count(*) from pg_class where relnamespace = 'public'::regnamespace),
			(select count(*) from pg_locks where locktype = 'advisory'))`).Scan(&s); err != nil {
			t.Fatal(err)
		}
		return s
	}
	before := state()
	for _, c := range []struct {
		query string
		want  int
	}{
		{`select 1) to stdout; drop table patient; --`, http.StatusBadRequest},
		{`select 1) to stdout; drop table patient; copy (select 1`, http.StatusBadRequest},
		{"select 1 -- ) to stdout; drop table patient; --", http.StatusOK}, // a comment stays a comment
		{`select 1; drop table patient`, http.StatusBadRequest},
		{`select 1; select 2`, http.StatusBadRequest},
		{`drop table patient`, http.StatusBadRequest},
		{`delete from patient`, http.StatusBadRequest},
		{`delete from patient returning id`, http.StatusForbidden},
		{`update patient set resource = '{}' returning id`, http.StatusForbidden},
		{`insert into patient (id, txid, status, resource) values ('x', 1, 'created', '{}') returning id`, http.StatusForbidden},
		{`with gone as (delete from patient returning id) select * from gone`, http.StatusForbidden},
		{`with x as (update client set resource = '{}' returning id) select * from x`, http.StatusForbidden},
		{`select * from client`, http.StatusForbidden},
		{`select resource->>'secret' from client_history`, http.StatusForbidden},
		{`select * from client_history`, http.StatusForbidden},
		{`select * from schema_migrations`, http.StatusForbidden},
		{`select * from sluice.resource_type`, http.StatusForbidden},
		{`select * from policy.matcho('{}', '{}')`, http.StatusForbidden},
		{`select sluice.resource_write('Patient', 'pt-9', '{}', 'create')`, http.StatusForbidden},
		{`select sluice.resource_delete('Patient', 'pt-1')`, http.StatusForbidden},
		{`select nextval('transaction_id_seq')`, http.StatusForbidden},
		{`select setval('transaction_id_seq', 1)`, http.StatusForbidden},
		{`set role postgres`, http.StatusBadRequest},
		{`select set_config('role', 'postgres', false)`, http.StatusForbidden},
		{`select set_config('session_authorization', 'postgres', false)`, http.StatusForbidden},
		{`select set_config('transaction_read_only', 'off', true), 1`, http.StatusForbidden},
		{`reset role`, http.StatusBadRequest},
		{`copy patient to stdout`, http.StatusBadRequest},
		{`copy (select 1) to '/tmp/sluice-breakout'`, http.StatusBadRequest},
		{`select pg_read_file('/etc/passwd')`, http.StatusForbidden},
		{`select lo_import('/etc/passwd')`, http.StatusForbidden},
		{`select pg_terminate_backend(pid) from pg_stat_activity where pid <> pg_backend_pid()`, http.StatusForbidden},
		{`create table evil (x int)`, http.StatusBadRequest},
		{`create temp table evil as select 1`, http.StatusBadRequest},
		{`select * into temp evil from patient`, http.StatusBadRequest},
		{`select * from patient for update`, http.StatusForbidden},
		{`begin`, http.StatusBadRequest},
		{`commit`, http.StatusBadRequest},
		{`prepare p as select 1`, http.StatusBadRequest},
		{`do $$ begin drop table patient; end $$`, http.StatusBadRequest},
		{`select pg_sleep(100)`, http.StatusUnprocessableEntity},
		{``, http.StatusBadRequest},
		{`   ;  `, http.StatusBadRequest},
		{`-- nothing`, http.StatusBadRequest},
		{`select`, http.StatusBadRequest},
		{`select 1/0`, http.StatusUnprocessableEntity},
		{`select * from nope`, http.StatusBadRequest},
	} {
		body, _ := json.Marshal(map[string]string{"query": c.query})
		start := time.Now()
		resp := ts.stream(request{method: "POST", path: "/$dump-sql", auth: bulkClient, body: string(body)}, nil)
		if c.want == http.StatusOK {
			if resp.StatusCode != http.StatusOK || resp.readErr != nil {
				t.Errorf("%q: %d %v: %s", c.query, resp.StatusCode, resp.readErr, resp.body)
			}
		} else {
			expectOutcome(t, c.query, resp, c.want)
		}
		if elapsed := time.Since(start); elapsed > 30*time.Second {
			t.Errorf("%q took %s", c.query, elapsed)
		}
		if after := state(); after != before {
			t.Fatalf("%q changed the database:\nbefore %s\nafter  %s", c.query, before, after)
		}
	}
	// Session state a query leaves behind does not reach the next request: every request
	// has a connection of its own.
	for _, q := range []string{
		`select pg_advisory_lock(42), 1`,
		`select set_config('search_path', 'pg_temp', false), set_config('statement_timeout', '0', false)`,
	} {
		body, _ := json.Marshal(map[string]string{"query": q})
		ts.expectStream(http.StatusOK, request{method: "POST", path: "/$dump-sql", auth: bulkClient, body: string(body)}, nil)
	}
	deadline := time.Now().Add(10 * time.Second)
	for ts.count("select count(*) from pg_locks where locktype = 'advisory'") != 0 {
		if time.Now().After(deadline) {
			t.Fatal("an advisory lock outlived its $dump-sql request")
		}
		time.Sleep(20 * time.Millisecond)
	}
	resp := ts.expectStream(http.StatusOK, request{method: "POST", path: "/$dump-sql", auth: bulkClient,
		body: `{"query": "select current_setting('search_path'), current_user, count(*) from patient"}`}, nil)
	// A fresh connection, and a database role of its own, made for the request (dropped with
	// it, which state() below checks).
	if fields := strings.Split(string(resp.body), "\t"); len(fields) != 3 || fields[0] != `"$user", public` ||
		!strings.HasPrefix(fields[1], "sluice_sql_") || fields[2] != "3\n" {
		t.Errorf("a fresh connection: %q", resp.body)
	}
	if after := state(); after != before {
		t.Fatalf("changed the database:\nbefore %s\nafter  %s", before, after)
	}
}

// A $dump-sql role that could read Client secrets is refused, not used: here a grant on
// public.client to the group of the per-request roles. The user of SLUICE_DUMP_SQL_URL is not
// used (not even a superuser's), only where it points; a database that cannot be reached is
// a 503 naming the setting.
func TestDumpSQLRefusesUnsafeRole(t *testing.T) {
	url := pgtest.NewMigratedDatabase(t)
	ts := newTestServer(t, proxy.Config{DumpSQLURL: url})
	seed(ts)
	resp := ts.expectStream(http.StatusOK, request{method: "POST", path: "/$dump-sql", auth: bulkClient, body: `{"query": "select current_user, current_database()"}`}, nil)
	_, database, _ := strings.Cut(strings.Split(url, "?")[0], "@/")
	if !strings.HasPrefix(string(resp.body), "sluice_sql_") || !strings.HasSuffix(string(resp.body), "\t"+database+"\n") {
		t.Errorf("want a per-request role in the URL's database %s: %q", database, resp.body)
	}
	ts = newTestServer(t, proxy.Config{})
	seed(ts)
	if _, err := ts.Pool.Exec(context.Background(), "grant select (id) on client to "+export.DumpSQLRole); err != nil {
		t.Fatal(err)
	}
	expectOutcome(t, "a grant on client", ts.stream(request{method: "POST", path: "/$dump-sql", auth: bulkClient, body: `{"query": "select 1"}`}, nil), http.StatusServiceUnavailable)

	ts = newTestServer(t, proxy.Config{DumpSQLURL: strings.Replace(url, "/test_", "/nowhere_", 1)})
	seed(ts)
	resp = ts.stream(request{method: "POST", path: "/$dump-sql", auth: bulkClient, body: `{"query": "select 1"}`}, nil)
	expectOutcome(t, "a database that does not exist", resp, http.StatusServiceUnavailable)
	if !strings.Contains(string(resp.body), "SLUICE_DUMP_SQL_URL") {
		t.Errorf("the answer does not say what to set: %s", resp.body)
	}
}

// A query error after the first bytes cuts the chunked stream: the client sees an
// incomplete body, not a short complete one.
func TestDumpSQLErrorMidStream(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t, proxy.Config{})
	seed(ts)
	query := `{"query": "select i, repeat('x', 100), 1/(50000 - i) from generate_series(1, 50000) as i"}`
	resp := ts.stream(request{method: "POST", path: "/$dump-sql", auth: bulkClient, body: query}, nil)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("status %d: %s", resp.StatusCode, resp.body)
	}
	if !errors.Is(resp.readErr, io.ErrUnexpectedEOF) {
		t.Errorf("read error %v, want an unexpected EOF (%d bytes read)", resp.readErr, len(resp.body))
	}
	if len(resp.body) < 64<<10 || bytes.HasSuffix(resp.body, []byte("\t50000\n")) {
		t.Errorf("%d bytes read; want the first rows and not the last", len(resp.body))
	}
	// The same error before any byte is an OperationOutcome.
	expectOutcome(t, "1/0 on the first row", ts.stream(request{method: "POST", path: "/$dump-sql", auth: bulkClient,
		body: `{"query": "select 1/(i-1) from generate_series(1, 50000) as i"}`}, nil), http.StatusUnprocessableEntity)
	// The server is fine afterwards.
	ts.expectStream(http.StatusOK, request{method: "GET", path: "/Patient/$dump", auth: bulkClient}, nil)
}
