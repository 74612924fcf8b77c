package proxy_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/sluice-fhir/sluice/internal/source"
	"github.com/sluice-fhir/sluice/proxy"
)

// Issue #11, the bulk side: items 1 (Client and AccessPolicy by bulk), 9 (unbounded loads),
// 10 (fair $import), 12 (BulkImportStatus has an owner), the bounded duration of loads (3) and
// source URLs shown redacted (13).

// Another client, allowed the same bulk operations and the status of imports, whose secret an
// attacker would like to reset.
const otherClient = `[
 {"resourceType":"Client","id":"other-client","secret":"other-secret","grant_types":["basic"]},
 {"resourceType":"AccessPolicy","id":"other-client-bulk","engine":"matcho",
  "matcho":{"uri":{"$one-of":["/$load","/$import","#^/BulkImportStatus/[^/]+$"]}},
  "link":[{"id":"other-client","resourceType":"Client"}]},
 {"resourceType":"AccessPolicy","id":"bulk-client-status","engine":"matcho",
  "matcho":{"uri":"#^/BulkImportStatus/[^/]+$"},
  "link":[{"id":"bulk-client","resourceType":"Client"}]}]`

var other = []string{"other-client", "other-secret"}

// newSecurityServer is a load server with the seed (bulk-client, allowed only bulk operations)
// and otherClient.
func newSecurityServer(t *testing.T, cfg proxy.Config) *testServer {
	t.Helper()
	ts := newLoadServer(t, cfg)
	seed(ts)
	ts.expect(http.StatusOK, request{method: "PUT", path: "/", body: otherClient})
	return ts
}

// diagnostics is the message of an OperationOutcome.
func diagnostics(t *testing.T, body []byte) string {
	t.Helper()
	var oo struct {
		ResourceType string
		Issue        []struct{ Diagnostics string }
	}
	if err := json.Unmarshal(body, &oo); err != nil || oo.ResourceType != "OperationOutcome" || len(oo.Issue) != 1 {
		t.Fatalf("not an OperationOutcome: %s", body)
	}
	return oo.Issue[0].Diagnostics
}

// countingSources counts the requests of each path of a sources server.
type countingSources struct {
	*sources
	mu    sync.Mutex
	count map[string]int
}

func newCountingSources(t *testing.T) *countingSources {
	return &countingSources{sources: newSources(t), count: map[string]int{}}
}

func (c *countingSources) add(path string, content []byte) string {
	return c.handle(path, func(w http.ResponseWriter, r *http.Request) {
		c.mu.Lock()
		c.count[path]++
		c.mu.Unlock()
		w.Write(content)
	})
}

func (c *countingSources) requests(path string) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.count[path]
}

// Item 1: a client allowed only bulk operations tries to write an AccessPolicy (which would
// allow everything to everyone) and to reset another client's secret, through every $load
// route, with update, with a second resourceType key, and through $import. Every try is
// refused, nothing is written, and the attacker is still forbidden what it was; the operator
// can still load both types.
func TestSecurityBulkCannotWriteAccessTypes(t *testing.T) {
	t.Parallel()
	src := newCountingSources(t)
	ts := newSecurityServer(t, proxy.Config{})
	policyLine := `{"resourceType":"AccessPolicy","id":"x","engine":"allow"}`
	clientLine := `{"resourceType":"Client","id":"other-client","secret":"taken-over","grant_types":["basic"]}`
	policyBody := `{"id":"x","engine":"allow"}`
	clientBody := `{"id":"other-client","secret":"taken-over","grant_types":["basic"]}`
	patient := `{"resourceType":"Patient","id":"innocent"}`

	for i, c := range []struct {
		name, path, content, extra string
		typed                      bool // the route names the type: refused before the source is fetched
		status                     int
		want                       string
	}{
		{"policy /$load", "/$load", policyLine, "", false, 403, "line 2: AccessPolicy"},
		{"policy /fhir/$load", "/fhir/$load", policyLine, "", false, 403, "line 2: AccessPolicy"},
		{"policy /$load update", "/$load", policyLine, `"update": true`, false, 403, "line 2: AccessPolicy"},
		{"client /$load", "/$load", clientLine, "", false, 403, "line 2: Client"},
		{"client /fhir/$load update", "/fhir/$load", clientLine, `"update": true`, false, 403, "line 2: Client"},
		{"policy /AccessPolicy/$load", "/AccessPolicy/$load", policyBody, "", true, 403, "AccessPolicy"},
		{"policy /fhir/AccessPolicy/$load", "/fhir/AccessPolicy/$load", policyLine, "", true, 403, "AccessPolicy"},
		{"policy /AccessPolicy/$load update", "/AccessPolicy/$load", policyBody, `"update": true`, true, 403, "AccessPolicy"},
		{"client /Client/$load", "/Client/$load", clientBody, "", true, 403, "Client"},
		{"client /fhir/Client/$load", "/fhir/Client/$load", clientLine, "", true, 403, "Client"},
		{"two resourceType keys /$load", "/$load",
			`{"resourceType":"Patient","resourceType":"AccessPolicy","id":"x","engine":"allow"}`, "", false, 422, "line 2: resourceType appears twice"},
		{"two resourceType keys /fhir/$load", "/fhir/$load",
			`{"resourceType":"Patient","id":"x","engine":"allow","resourceType":"AccessPolicy"}`, "", false, 422, "line 2: resourceType appears twice"},
		{"two resourceType keys, one escaped", "/Patient/$load",
			`{"resourceType":"Patient","resource\u0054ype":"AccessPolicy","id":"x"}`, "", false, 422, "line 2: resourceType appears twice"},
		{"two ids", "/fhir/Patient/$load", `{"resourceType":"Patient","id":"a","id":"other-client"}`, "", false, 422, "line 2: id appears twice"},
		{"two metas", "/Patient/$load", `{"id":"a","meta":{"createdAt":"2020-01-01T00:00:00Z"},"meta":{}}`, "", false, 422, "line 2: meta appears twice"},
	} {
		t.Run(c.name, func(t *testing.T) {
			path := fmt.Sprintf("/attack-%d.ndjson", i)
			url := src.add(path, lines(patient, c.content))
			if c.typed {
				url = src.add(path, lines(c.content))
			}
			body := ts.expect(c.status, request{method: "POST", path: c.path, body: loadBody(url, c.extra), auth: bulkClient})
			if d := diagnostics(t, body); !strings.Contains(d, c.want) {
				t.Errorf("diagnostics %q do not name %q", d, c.want)
			}
			if c.typed && src.requests(path) != 0 {
				t.Errorf("the source was fetched %d times before the refusal", src.requests(path))
			}
		})
	}

	// $import: an input of such a type is refused when the job is created; lines of such a type
	// in another type's input fail that input.
	body := ts.expect(http.StatusForbidden, request{method: "POST", path: "/$import", auth: bulkClient, body: fmt.Sprintf(
		`{"id":"attack","inputs":[{"resourceType":"Patient","url":%q},{"resourceType":"AccessPolicy","url":%q}]}`,
		src.add("/i-patient.ndjson", lines(patient)), src.add("/i-policy.ndjson", lines(policyBody)))})
	if d := diagnostics(t, body); !strings.Contains(d, "inputs[1]: AccessPolicy") {
		t.Errorf("$import: %s", d)
	}
	ts.expect(http.StatusForbidden, request{method: "POST", path: "/fhir/$import", auth: bulkClient, body: fmt.Sprintf(
		`{"id":"attack","inputs":[{"resourceType":"Client","url":%q}]}`, src.add("/i-client.ndjson", lines(clientLine)))})
	ts.expect(http.StatusOK, request{method: "POST", path: "/$import", auth: bulkClient, body: fmt.Sprintf(
		`{"id":"smuggle","inputs":[{"resourceType":"Patient","url":%q}]}`, src.add("/i-smuggle.ndjson", lines(policyLine)))})
	status := waitImport(t, ts, "smuggle")
	if in := status["inputs"].([]any)[0].(map[string]any); in["status"] != "failed" || !strings.Contains(fmt.Sprint(in["error"]), "does not match") {
		t.Errorf("smuggling input: %v", in)
	}
	if n := ts.count("select count(*) from sluice.import_job where id = 'attack'"); n != 0 {
		t.Errorf("a refused $import left its job")
	}

	// Nothing was written; the attacker is still forbidden what its policy does not allow, and
	// the other client keeps its secret.
	if n := ts.count("select count(*) from public.accesspolicy where id = 'x'"); n != 0 {
		t.Errorf("the AccessPolicy was written")
	}
	if n := ts.count("select count(*) from public.patient where id = 'innocent'"); n != 0 {
		t.Errorf("a refused load wrote its other lines")
	}
	ts.expect(http.StatusForbidden, request{method: "GET", path: "/Patient/pt-1", auth: bulkClient})
	ts.expect(http.StatusForbidden, request{method: "GET", path: "/Patient/pt-1", auth: other})
	ts.expect(http.StatusUnauthorized, request{method: "GET", path: "/Patient/pt-1", auth: []string{"other-client", "taken-over"}})
	ts.noStagingTables()

	// The operator loads both, by every form.
	ts.expect(http.StatusOK, request{method: "POST", path: "/AccessPolicy/$load", body: loadBody(src.add("/op-1.ndjson", lines(
		`{"id":"op-allow","engine":"matcho","matcho":{"uri":"/nothing"}}`)), "")})
	ts.expect(http.StatusOK, request{method: "POST", path: "/$load", body: loadBody(src.add("/op-2.ndjson", lines(
		`{"resourceType":"Client","id":"op-client","secret":"s3cret","grant_types":["basic"]}`)), `"update": true`)})
	ts.expect(http.StatusOK, request{method: "POST", path: "/fhir/$load", body: loadBody(src.add("/op-3.ndjson", lines(
		`{"resourceType":"AccessPolicy","id":"op-fhir","engine":"matcho","matcho":{"uri":"/nothing"}}`)), "")})
	ts.expect(http.StatusOK, request{method: "POST", path: "/$import", body: fmt.Sprintf(
		`{"id":"op-import","inputs":[{"resourceType":"AccessPolicy","url":%q}]}`,
		src.add("/op-4.ndjson", lines(`{"id":"op-imported","engine":"matcho","matcho":{"uri":"/nothing"}}`)))})
	if status := waitImport(t, ts, "op-import"); status["status"] != "finished" {
		t.Errorf("operator's import: %v", status)
	}
	if n := ts.count("select count(*) from public.accesspolicy where id like 'op-%'"); n != 3 {
		t.Errorf("%d of the operator's 3 policies written", n)
	}
	ts.expect(http.StatusForbidden, request{method: "GET", path: "/Patient/pt-1", auth: []string{"op-client", "s3cret"}})
}

// failOf is the error of an import's only input once the import has ended.
func failOf(t *testing.T, ts *testServer, id string) string {
	t.Helper()
	status := waitImport(t, ts, id)
	in := status["inputs"].([]any)[0].(map[string]any)
	if status["status"] != "failed" || in["status"] != "failed" {
		t.Fatalf("import %s: %v", id, status)
	}
	return fmt.Sprint(in["error"])
}

// Item 9: blank lines are not staged, yet errors name the source's line; the decompressed size
// and the line count of a load are limited (413 and 422 naming the setting), for $load and
// $import alike; nothing is written and the server goes on answering.
func TestSecurityLoadLimits(t *testing.T) {
	t.Parallel()
	src := newSources(t)
	ts := newSecurityServer(t, proxy.Config{LoadMaxBytes: 4000, LoadMaxLines: 3})

	// Blank lines do not count as lines, and a bad line after them is named by its number.
	blank := "\n  \n\r\n\t\n" // ends a line, then three blank ones
	url := src.add("/blank.ndjson", []byte(`{"id":"a"}`+blank+`{"id":"b"}`+blank+`{"id":"c"}`+blank))
	if body := ts.expect(http.StatusOK, request{method: "POST", path: "/Patient/$load", body: loadBody(url, ""), auth: bulkClient}); string(body) != `{"total":3}` {
		t.Errorf("blank lines: %s", body)
	}
	url = src.add("/blank-bad.ndjson", []byte(`{"id":"a"}`+blank+`{"id":"b"`+"\n"))
	if d := diagnostics(t, ts.expect(http.StatusUnprocessableEntity, request{method: "POST", path: "/Patient/$load", body: loadBody(url, ""), auth: bulkClient})); !strings.HasPrefix(d, "line 5: not JSON") {
		t.Errorf("bad line after blank lines: %s", d)
	}
	url = src.add("/blank-bad-fhir.ndjson", []byte(`{"resourceType":"Patient","id":"a"}`+blank+blank+`{"resourceType":"Patient","id":"b","active":tru}`+"\n"))
	if d := diagnostics(t, ts.expect(http.StatusUnprocessableEntity, request{method: "POST", path: "/fhir/$load", body: loadBody(url, ""), auth: bulkClient})); !strings.HasPrefix(d, "line 9: not JSON") {
		t.Errorf("bad FHIR line after blank lines: %s", d)
	}

	// Lines: one more than the limit fails.
	url = src.add("/four.ndjson", lines(`{"id":"l1"}`, `{"id":"l2"}`, `{"id":"l3"}`, `{"id":"l4"}`))
	body := ts.expect(http.StatusUnprocessableEntity, request{method: "POST", path: "/Patient/$load", body: loadBody(url, ""), auth: bulkClient})
	if d := diagnostics(t, body); !strings.Contains(d, "more than 3 lines") || !strings.Contains(d, "SLUICE_LOAD_MAX_LINES") {
		t.Errorf("lines: %s", d)
	}

	// Bytes: decompressed, so a small gzip of a large file fails, and so does an endless source.
	exact := []byte(`{"id":"x","pad":"` + strings.Repeat("p", 4000-len(`{"id":"x","pad":""}`+"\n")) + "\"}\n")
	ts.expect(http.StatusOK, request{method: "POST", path: "/Patient/$load", body: loadBody(src.add("/exact.ndjson", exact), ""), auth: bulkClient})
	big := gzipBytes(lines(`{"id":"big","pad":"` + strings.Repeat("z", 100000) + `"}`))
	body = ts.expect(http.StatusRequestEntityTooLarge, request{method: "POST", path: "/Patient/$load", body: loadBody(src.add("/big.ndjson.gz", big), ""), auth: bulkClient})
	if d := diagnostics(t, body); !strings.Contains(d, "larger than the limit of 4000 bytes") || !strings.Contains(d, "SLUICE_LOAD_MAX_BYTES") {
		t.Errorf("bytes: %s", d)
	}
	endless := src.handle("/endless.ndjson", func(w http.ResponseWriter, r *http.Request) {
		for r.Context().Err() == nil {
			if _, err := w.Write([]byte("\n\n\n\n\n\n\n\n")); err != nil {
				return
			}
		}
	})
	started := time.Now()
	ts.expect(http.StatusRequestEntityTooLarge, request{method: "POST", path: "/Patient/$load", body: loadBody(endless, ""), auth: bulkClient})
	if elapsed := time.Since(started); elapsed > 5*time.Second {
		t.Errorf("an endless source took %v to refuse", elapsed)
	}

	// $import: the input fails with the same messages.
	ts.expect(http.StatusOK, request{method: "POST", path: "/$import", auth: bulkClient, body: fmt.Sprintf(
		`{"id":"too-many","inputs":[{"resourceType":"Patient","url":%q}]}`, src.add("/four-again.ndjson", lines(`{"id":"l1"}`, `{"id":"l2"}`, `{"id":"l3"}`, `{"id":"l4"}`)))})
	if e := failOf(t, ts, "too-many"); !strings.Contains(e, "SLUICE_LOAD_MAX_LINES") {
		t.Errorf("$import lines: %s", e)
	}
	ts.expect(http.StatusOK, request{method: "POST", path: "/$import", auth: bulkClient, body: fmt.Sprintf(
		`{"id":"too-big","inputs":[{"resourceType":"Patient","url":%q}]}`, endless)})
	if e := failOf(t, ts, "too-big"); !strings.Contains(e, "SLUICE_LOAD_MAX_BYTES") {
		t.Errorf("$import bytes: %s", e)
	}

	if n := ts.count("select count(*) from public.patient where id not in ('a', 'b', 'c', 'x') and id not like 'pt-%'"); n != 0 {
		t.Errorf("%d patients written by refused loads", n)
	}
	ts.noStagingTables()
	ts.expect(http.StatusOK, request{method: "GET", path: "/health", auth: []string{}})
}

// Item 9: a blank line costs no staging row. While a load waits on its source after many blank
// lines, nothing of them has reached the COPY (the stager sends no row for a blank line; the
// rows keep the source's line numbers in line_no).
func TestSecurityBlankLinesNotStaged(t *testing.T) {
	src := newSources(t)
	ts := newSecurityServer(t, proxy.Config{})
	release := make(chan struct{})
	var releaseOnce sync.Once
	releaseSource := func() { releaseOnce.Do(func() { close(release) }) }
	t.Cleanup(releaseSource) // before the servers close, so that a failure does not hang them
	blanksSent := make(chan struct{})
	url := src.handle("/blanks.ndjson", func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte(`{"id":"b1"}` + "\n" + `{"id":"b2"}` + "\n" + strings.Repeat("\n", 200000)))
		w.(http.Flusher).Flush()
		close(blanksSent)
		select {
		case <-release:
		case <-r.Context().Done():
			return
		}
		w.Write([]byte(`{"id":"b3"}` + "\n"))
	})
	done := make(chan []byte, 1)
	go func() {
		_, body := ts.do(request{method: "POST", path: "/Patient/$load", body: loadBody(url, ""), auth: bulkClient})
		done <- body
	}()
	select {
	case <-blanksSent:
	case <-time.After(20 * time.Second):
		t.Fatal("the load never read its source")
	}
	deadline := time.Now().Add(20 * time.Second)
	for {
		var copies, bytes int64
		if err := ts.Pool.QueryRow(context.Background(),
			`select count(*), coalesce(sum(bytes_processed), 0)::bigint from pg_stat_progress_copy`).Scan(&copies, &bytes); err != nil {
			t.Fatal(err)
		}
		if bytes > 1000 {
			t.Fatalf("the COPY received %d bytes for 2 short lines and blank ones", bytes)
		}
		if copies > 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the load's COPY never started")
		}
		time.Sleep(20 * time.Millisecond)
	}
	time.Sleep(300 * time.Millisecond) // the stager reads on through the blank lines meanwhile
	var bytes int64
	if err := ts.Pool.QueryRow(context.Background(),
		`select coalesce(sum(bytes_processed), 0)::bigint from pg_stat_progress_copy`).Scan(&bytes); err != nil {
		t.Fatal(err)
	}
	if bytes > 1000 {
		t.Fatalf("the COPY received %d bytes for 2 short lines and blank ones", bytes)
	}
	releaseSource()
	if body := <-done; string(body) != `{"total":3}` {
		t.Errorf("load: %s", body)
	}
}

// trickle serves Patients one line at a time, every 50 ms, for 30 s at most (longer than any
// test waits, short enough that a server without limits still ends); it counts its requests.
func trickle(started *atomic.Int32) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		started.Add(1)
		for i := 0; i < 600; i++ {
			if _, err := fmt.Fprintf(w, `{"id":"t-%d"}`+"\n", i); err != nil {
				return
			}
			w.(http.Flusher).Flush()
			select {
			case <-r.Context().Done():
				return
			case <-time.After(50 * time.Millisecond):
			}
		}
	}
}

// Bounded duration (item 3): a $load whose source trickles on fails after
// SLUICE_BULK_MAX_DURATION with 413 and writes nothing; an $import input fails the same way
// and frees its worker. (The minimum rate is off here, so that only the duration stops them.)
func TestSecurityLoadMaxDuration(t *testing.T) {
	src := newSources(t)
	ts := newSecurityServer(t, proxy.Config{BulkMaxDuration: time.Second, MinTransferRate: -1, ImportWorkers: 1})
	var started atomic.Int32
	url := src.handle("/trickle.ndjson", trickle(&started))
	begin := time.Now()
	body := ts.expect(http.StatusRequestEntityTooLarge, request{method: "POST", path: "/Patient/$load", body: loadBody(url, ""), auth: bulkClient})
	if elapsed := time.Since(begin); elapsed > 4*time.Second {
		t.Errorf("took %v against a limit of 1s", elapsed)
	}
	if d := diagnostics(t, body); !strings.Contains(d, "SLUICE_BULK_MAX_DURATION") || !strings.Contains(d, "1s") {
		t.Errorf("duration: %s", d)
	}
	ts.expect(http.StatusOK, request{method: "POST", path: "/$import", auth: bulkClient, body: fmt.Sprintf(
		`{"id":"slow","inputs":[{"resourceType":"Patient","url":%q}]}`, url)})
	ts.expect(http.StatusOK, request{method: "POST", path: "/$import", auth: other, body: fmt.Sprintf(
		`{"id":"after","inputs":[{"resourceType":"Organization","url":%q}]}`, src.add("/org.ndjson", lines(`{"id":"o1"}`)))})
	if e := failOf(t, ts, "slow"); !strings.Contains(e, "SLUICE_BULK_MAX_DURATION") {
		t.Errorf("$import: %s", e)
	}
	if status := waitImport(t, ts, "after"); status["status"] != "finished" {
		t.Errorf("the next import on the only worker: %v", status)
	}
	if n := ts.count("select count(*) from public.patient where id like 't-%'"); n != 0 {
		t.Errorf("%d patients written by loads over their time", n)
	}
	ts.noStagingTables()
	ts.expect(http.StatusOK, request{method: "GET", path: "/health", auth: []string{}})
}

// importInputs is an import's inputs' statuses, in order.
func importInputs(t *testing.T, ts *testServer, id string, auth []string) []string {
	t.Helper()
	var status struct{ Inputs []struct{ Status string } }
	json.Unmarshal(ts.expect(http.StatusOK, request{method: "GET", path: "/BulkImportStatus/" + id, auth: auth}), &status)
	var list []string
	for _, in := range status.Inputs {
		list = append(list, in.Status)
	}
	return list
}

// Item 10: one client's two trickling inputs do not hold both workers: another client's import,
// posted after them, still finishes within seconds, while the first client runs one input at
// a time (SLUICE_IMPORT_PER_CLIENT 1).
func TestSecurityImportFairAcrossClients(t *testing.T) {
	src := newSources(t)
	ts := newSecurityServer(t, proxy.Config{ImportWorkers: 2, MinTransferRate: -1})
	var started atomic.Int32
	ts.expect(http.StatusOK, request{method: "POST", path: "/$import", auth: bulkClient, body: fmt.Sprintf(
		`{"id":"hog","inputs":[{"resourceType":"Patient","url":%q},{"resourceType":"Patient","url":%q}]}`,
		src.handle("/hog-1.ndjson", trickle(&started)), src.handle("/hog-2.ndjson", trickle(&started)))})
	deadline := time.Now().Add(10 * time.Second)
	for started.Load() == 0 {
		if time.Now().After(deadline) {
			t.Fatal("the first input did not start")
		}
		time.Sleep(20 * time.Millisecond)
	}
	time.Sleep(300 * time.Millisecond) // time for the idle worker to try the second input
	if got := importInputs(t, ts, "hog", bulkClient); fmt.Sprint(got) != "[in-progress waiting]" || started.Load() != 1 {
		t.Errorf("one client's inputs: %v, %d sources fetched; want one at a time", got, started.Load())
	}

	begin := time.Now()
	ts.expect(http.StatusOK, request{method: "POST", path: "/$import", auth: other, body: fmt.Sprintf(
		`{"id":"fair","inputs":[{"resourceType":"Organization","url":%q}]}`, src.add("/fair.ndjson", lines(`{"id":"o1"}`)))})
	for {
		if got := importInputs(t, ts, "fair", other); fmt.Sprint(got) == "[finished]" {
			break
		}
		if time.Since(begin) > 5*time.Second {
			t.Fatalf("another client's import waited %v behind a trickling one", time.Since(begin))
		}
		time.Sleep(50 * time.Millisecond)
	}
	ts.expect(http.StatusOK, request{method: "DELETE", path: "/BulkImportStatus/hog", auth: bulkClient})
	if status := waitImport(t, ts, "hog"); status["status"] != "cancelled" {
		t.Errorf("hog: %v", status)
	}
}

// Item 12 and 13: a job is its client's: to any other client its status and its cancel are
// 404, as for a job that does not exist; the operator sees and cancels any. The status shows
// source URLs without their password and query values; the worker still fetched the full URL,
// and the log holds no secret either.
func TestSecurityImportStatusOwner(t *testing.T) {
	var logged bytes.Buffer
	var logMu sync.Mutex
	previous := slog.Default()
	slog.SetDefault(slog.New(slog.NewTextHandler(lockedWriter{&logged, &logMu}, nil)))
	t.Cleanup(func() { slog.SetDefault(previous) })

	src := newSources(t)
	ts := newSecurityServer(t, proxy.Config{})
	var gotQuery atomic.Value
	src.handle("/signed.ndjson", func(w http.ResponseWriter, r *http.Request) {
		gotQuery.Store(r.URL.RawQuery)
		w.Write(lines(`{"id":"signed"}`))
	})
	signed := strings.Replace(src.URL, "http://", "http://reader:hunter2@", 1) + "/signed.ndjson?X-Amz-Signature=s3cr3t&X-Amz-Credential=key"
	ts.expect(http.StatusOK, request{method: "POST", path: "/$import", auth: bulkClient, body: fmt.Sprintf(
		`{"id":"mine","inputs":[{"resourceType":"Patient","url":%q}]}`, signed)})
	status := waitImport(t, ts, "mine")
	if status["status"] != "finished" || gotQuery.Load() != "X-Amz-Signature=s3cr3t&X-Amz-Credential=key" {
		t.Fatalf("the signed input: %v (query %v)", status, gotQuery.Load())
	}
	shown := fmt.Sprint(status["inputs"].([]any)[0].(map[string]any)["url"])
	want := strings.Replace(src.URL, "http://", "http://reader:REDACTED@", 1) + "/signed.ndjson?X-Amz-Credential=REDACTED&X-Amz-Signature=REDACTED"
	if shown != want {
		t.Errorf("status url %s, want %s", shown, want)
	}

	for _, method := range []string{"GET", "DELETE"} {
		if d := diagnostics(t, ts.expect(http.StatusNotFound, request{method: method, path: "/BulkImportStatus/mine", auth: other})); d != "BulkImportStatus/mine not found" {
			t.Errorf("%s by another client: %s", method, d)
		}
	}
	ts.expect(http.StatusOK, request{method: "GET", path: "/BulkImportStatus/mine", auth: bulkClient})
	ts.expect(http.StatusOK, request{method: "GET", path: "/BulkImportStatus/mine"})

	// Waiting jobs (no workers run here): a client's is cancelled by its owner, not by another
	// client; the operator's is neither seen nor cancelled by a client.
	noWorkers := newTestServer(t, proxy.Config{})
	seed(noWorkers)
	noWorkers.expect(http.StatusOK, request{method: "PUT", path: "/", body: otherClient})
	for _, job := range []struct{ id, owner string }{{"b1", "bulk"}, {"op1", "operator"}} {
		auth := bulkClient
		if job.owner == "operator" {
			auth = nil
		}
		noWorkers.expect(http.StatusOK, request{method: "POST", path: "/$import", auth: auth, body: fmt.Sprintf(
			`{"id":%q,"inputs":[{"resourceType":"Patient","url":%q}]}`, job.id, signed)})
		noWorkers.expect(http.StatusNotFound, request{method: "DELETE", path: "/BulkImportStatus/" + job.id, auth: other})
		if job.owner == "operator" {
			noWorkers.expect(http.StatusNotFound, request{method: "GET", path: "/BulkImportStatus/" + job.id, auth: bulkClient})
			noWorkers.expect(http.StatusNotFound, request{method: "DELETE", path: "/BulkImportStatus/" + job.id, auth: bulkClient})
		}
		noWorkers.expect(http.StatusOK, request{method: "DELETE", path: "/BulkImportStatus/" + job.id, auth: auth})
	}

	logMu.Lock()
	defer logMu.Unlock()
	for _, secret := range []string{"hunter2", "s3cr3t"} {
		if strings.Contains(logged.String(), secret) {
			t.Errorf("the log holds %q:\n%s", secret, logged.String())
		}
	}
	if !strings.Contains(logged.String(), "import input started") {
		t.Errorf("no import log captured:\n%s", logged.String())
	}
}

// lockedWriter serialises the writes of the server's goroutines into one buffer.
type lockedWriter struct {
	w  io.Writer
	mu *sync.Mutex
}

func (l lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

// Item 13: sluice.url_redacted, which BulkImportStatus shows, redacts as source.RedactURL
// does in logs and messages.
func TestSecurityURLRedactedMatchesGo(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t, proxy.Config{})
	for _, url := range []string{
		"http://files.local/Patient.ndjson.gz",
		"https://user:pass@files.local:8443/a/b.ndjson?X-Amz-Signature=abc&X-Amz-Date=20240101&X-Amz-Credential=k%2Fx",
		"https://files.local/p.ndjson?b=1&a=2&a=3&c",
		"http://only-user@files.local/p.ndjson",
		"http://a:b@c@files.local/p.ndjson",
		"http://files.local/p.ndjson?",
		"http://files.local/p.ndjson?a=1;b=2",
		"http://files.local/p.ndjson?a=%zz",
		"http://files.local/p.ndjson?sig=1#fragment",
		"file:///data/in/p.ndjson",
	} {
		if got, want := ts.loadValue("select sluice.url_redacted($1)", url), source.RedactURL(url); got != want {
			t.Errorf("%s: SQL %v, Go %s", url, got, want)
		}
	}
}
