package proxy_test

// Attacks on authentication and access control (issue #11, items 1 (REST), 2, 4, 13 (Client
// bodies), 14 and 15): each test performs the attack, checks that nothing changed, and that the
// server still answers /health and the operator.

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sluice-fhir/sluice/internal/pgtest"
	"github.com/sluice-fhir/sluice/proxy"
)

// stillServes fails unless /health and an operator request answer within a second.
func stillServes(t *testing.T, ts *testServer) {
	t.Helper()
	start := time.Now()
	ts.expect(http.StatusOK, request{method: "GET", path: "/health", auth: []string{}})
	ts.expect(http.StatusNotFound, request{method: "GET", path: "/Patient/no-such-patient"})
	if d := time.Since(start); d > time.Second {
		t.Errorf("/health and the operator took %v", d)
	}
}

// addClient writes a Client with basic access and an AccessPolicy linked to it, as the operator.
func addClient(ts *testServer, id, secret, policy string) {
	ts.t.Helper()
	ts.expect(http.StatusOK, request{method: "PUT", path: "/", body: fmt.Sprintf(`[
		{"resourceType":"Client","id":%q,"secret":%q,"grant_types":["basic"]},
		{"resourceType":"AccessPolicy","id":"%s-policy","link":[{"id":%q,"resourceType":"Client"}],%s}]`,
		id, secret, id, id, policy)})
}

// bundleStatuses are the response statuses of a batch or transaction response.
func bundleStatuses(t *testing.T, body []byte) []string {
	t.Helper()
	var result struct {
		Entry []struct{ Response struct{ Status string } }
	}
	if err := json.Unmarshal(body, &result); err != nil {
		t.Fatalf("not a bundle: %v: %s", err, body)
	}
	var statuses []string
	for _, e := range result.Entry {
		statuses = append(statuses, e.Response.Status)
	}
	return statuses
}

// Item 1, REST half: a client whose policy allows everything (engine allow), or matches every
// request by regex, cannot write Client or AccessPolicy through any REST path; a policy that
// names the type can.
func TestGuardedTypesNeedAPolicyThatNamesThem(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t, proxy.Config{})
	seed(ts)
	addClient(ts, "allow-all", "s1", `"engine":"allow"`)
	addClient(ts, "regex", "s2", `"engine":"matcho","matcho":{"$one-of":[{"uri":"#.*"},{"params":{"resource/type":"#^(Client|AccessPolicy)$"}}]}`)
	addClient(ts, "names-policy", "s3", `"engine":"matcho","matcho":{"$one-of":[
		{"uri":"/","request-method":"post"},
		{"params":{"resource/type":"AccessPolicy"},"request-method":{"$enum":["put","post","delete"]}}]}`)
	policies := ts.count("select count(*) from accesspolicy")
	evil := `{"engine":"allow"}`
	takeover := `{"secret":"mine","grant_types":["basic"]}`
	transaction := func(kind, url, resource string) string {
		return fmt.Sprintf(`{"resourceType":"Bundle","type":%q,"entry":[
			{"request":{"method":"PUT","url":"/Patient/tx-patient"},"resource":{"active":true}},
			{"request":{"method":"put","url":%q},"resource":%s}]}`, kind, url, resource)
	}
	attacks := []request{
		{method: "PUT", path: "/AccessPolicy/evil", body: evil},
		{method: "POST", path: "/AccessPolicy", body: `{"id":"evil","engine":"allow"}`},
		{method: "PUT", path: "/fhir/AccessPolicy/evil", body: evil},
		{method: "POST", path: "/fhir/AccessPolicy", body: `{"id":"evil","engine":"allow"}`},
		{method: "DELETE", path: "/AccessPolicy/bulk-client-dump"},
		{method: "PUT", path: "/Client/bulk-client", body: takeover},
		{method: "PUT", path: "/fhir/Client/bulk-client", body: takeover},
		{method: "DELETE", path: "/Client/bulk-client"},
		{method: "POST", path: "/", body: transaction("transaction", "/AccessPolicy/evil", evil)},
		{method: "POST", path: "/", body: transaction("transaction", "AccessPolicy/evil?x=1", evil)},
		{method: "POST", path: "/", body: transaction("transaction", "/Client/bulk-client", takeover)},
		{method: "POST", path: "/fhir", body: transaction("transaction", "AccessPolicy/evil", evil)},
		{method: "PUT", path: "/", body: `[{"resourceType":"Patient","id":"tx-patient"},{"resourceType":"AccessPolicy","id":"evil","engine":"allow"}]`},
		{method: "PUT", path: "/", body: `[{"resourceType":"Client","id":"bulk-client","secret":"mine","grant_types":["basic"]}]`},
	}
	for _, client := range [][]string{{"allow-all", "s1"}, {"regex", "s2"}} {
		for _, attack := range attacks {
			attack.auth = client
			resp, body := ts.do(attack)
			if resp.StatusCode != http.StatusForbidden {
				t.Errorf("%s: %s %s: %d, want 403: %s", client[0], attack.method, attack.path, resp.StatusCode, body)
			} else if !strings.Contains(string(body), "names the type") && !strings.Contains(string(body), "not allowed") {
				t.Errorf("%s: %s %s: the outcome does not say why: %s", client[0], attack.method, attack.path, body)
			}
		}
		// A batch runs what it may and refuses the guarded entry alone.
		body := ts.expect(http.StatusOK, request{method: "POST", path: "/", auth: client, body: transaction("batch", "/AccessPolicy/evil", evil)})
		if got := strings.Join(bundleStatuses(t, body), ","); !strings.HasSuffix(got, ",403 Forbidden") {
			t.Errorf("%s: batch statuses %s, want the AccessPolicy entry refused: %s", client[0], got, body)
		}
		// Reads and other types are as the policy says.
		ts.expect(http.StatusOK, request{method: "GET", path: "/AccessPolicy/bulk-client-dump", auth: client})
		ts.expect(http.StatusCreated, request{method: "PUT", path: "/Patient/by-" + client[0], auth: client, body: `{}`})
	}
	if n := ts.count("select count(*) from accesspolicy"); n != policies {
		t.Errorf("%d access policies, want %d: a refused write went through", n, policies)
	}
	if n := ts.count("select count(*) from accesspolicy where id = 'evil'"); n != 0 {
		t.Error("the evil policy was written")
	}
	if n := ts.count("select count(*) from client_history"); n != 0 {
		t.Errorf("%d client versions in history: a Client was rewritten or deleted", n)
	}
	// Only the batches wrote the transaction's patient; the refused transactions and PUT / did not.
	if n := ts.count("select count(*) from patient_history where id = 'tx-patient'"); n != 1 {
		t.Errorf("tx-patient has %d old versions, want 1 (two batches, nothing else)", n)
	}
	// bulk-client keeps its secret.
	ts.expect(http.StatusOK, request{method: "GET", path: "/Patient/$dump", auth: []string{"bulk-client", "secret"}})

	// A policy that names AccessPolicy allows exactly that, also inside a transaction.
	named := []string{"names-policy", "s3"}
	ts.expect(http.StatusCreated, request{method: "PUT", path: "/AccessPolicy/named", auth: named, body: `{"engine":"matcho","matcho":{"uri":"/nothing"},"link":[]}`})
	body := ts.expect(http.StatusOK, request{method: "POST", path: "/", auth: named, body: `{"resourceType":"Bundle","type":"transaction","entry":[
		{"request":{"method":"PUT","url":"/AccessPolicy/named-2"},"resource":{"engine":"matcho","matcho":{"uri":"/nothing"},"link":[]}}]}`})
	if got := strings.Join(bundleStatuses(t, body), ","); got != "201 Created" {
		t.Errorf("named policy, transaction: %s", body)
	}
	ts.expect(http.StatusForbidden, request{method: "PUT", path: "/Client/bulk-client", auth: named, body: takeover})
	// The operator may write them.
	ts.expect(http.StatusCreated, request{method: "PUT", path: "/AccessPolicy/by-operator", body: `{"engine":"matcho","matcho":{"uri":"/nothing"},"link":[]}`})
	stillServes(t, ts)
}

// A policy that lets a client POST a Bundle (or PUT /) grants nothing about what it does: each
// entry and item is checked as the request it stands for, reads included, so a client allowed
// only to read Patients cannot read or write other types through POST /, /fhir or PUT /.
func TestBundleEntriesAreCheckedAsTheirRequests(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t, proxy.Config{})
	seed(ts)
	addClient(ts, "bundler", "s", `"engine":"matcho","matcho":{"$one-of":[
		{"uri":{"$enum":["/","/fhir"]},"request-method":{"$enum":["post","put"]}},
		{"params":{"resource/type":"Patient"},"request-method":"get"}]}`)
	client := []string{"bundler", "s"}
	appointments := ts.count("select count(*) from appointment")
	bundle := func(kind, entries string) string {
		return fmt.Sprintf(`{"resourceType":"Bundle","type":%q,"entry":[%s]}`, kind, entries)
	}
	readPatient := `{"request":{"method":"GET","url":"Patient/pt-1"}}`
	for _, attack := range []struct{ path, body, refused string }{
		{"/", bundle("transaction", readPatient+`,{"request":{"method":"PUT","url":"/Appointment/ap-evil"},"resource":{"status":"final"}}`), "entry 1"},
		{"/", bundle("transaction", `{"request":{"method":"DELETE","url":"/Appointment/ap-1"}}`), "entry 0"},
		{"/", bundle("transaction", `{"request":{"method":"GET","url":"/Client/bulk-client"}}`), "entry 0"},
		{"/fhir", bundle("transaction", `{"request":{"method":"POST","url":"Appointment"},"resource":{"resourceType":"Appointment","status":"booked","participant":[{"status":"accepted"}]}}`), "entry 0"},
	} {
		resp, body := ts.do(request{method: "POST", path: attack.path, auth: client, body: attack.body})
		if resp.StatusCode != http.StatusForbidden || !strings.Contains(string(body), attack.refused) || !strings.Contains(string(body), "not allowed") {
			t.Errorf("POST %s %s: %d, want 403 naming %s: %s", attack.path, attack.body, resp.StatusCode, attack.refused, body)
		}
	}
	resp, body := ts.do(request{method: "PUT", path: "/", auth: client, body: `[{"resourceType":"Appointment","id":"ap-evil","status":"final"}]`})
	if resp.StatusCode != http.StatusForbidden || !strings.Contains(string(body), "item 0") {
		t.Errorf("PUT / of an Appointment: %d, want 403 naming item 0: %s", resp.StatusCode, body)
	}
	// A batch runs what the client may (the Patient read) and refuses the rest, entry by entry.
	body = ts.expect(http.StatusOK, request{method: "POST", path: "/", auth: client,
		body: bundle("batch", readPatient+`,{"request":{"method":"GET","url":"/Appointment/ap-1"}}`)})
	if got := strings.Join(bundleStatuses(t, body), ","); got != "200 OK,403 Forbidden" {
		t.Errorf("batch statuses %s, want 200 OK,403 Forbidden: %s", got, body)
	}
	if strings.Contains(string(body), `"resourceType":"Appointment"`) {
		t.Errorf("the refused read answered the Appointment: %s", body)
	}
	if n := ts.count("select count(*) from appointment"); n != appointments {
		t.Errorf("%d appointments, want %d: a refused write went through", n, appointments)
	}
	if n := ts.count("select count(*) from appointment_history"); n != 0 {
		t.Errorf("%d appointment versions in history: a refused write or delete went through", n)
	}
	stillServes(t, ts)
}

// Item 2: resource/type and resource/id come from the route only, never from the query.
func TestRouteParamsComeFromTheRouteOnly(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t, proxy.Config{})
	seed(ts)
	addClient(ts, "patients", "s", `"engine":"matcho","matcho":{"params":{"resource/type":"Patient"}}`)
	client := []string{"patients", "s"}
	policies := ts.count("select count(*) from accesspolicy")

	ts.expect(http.StatusForbidden, request{method: "POST", path: "/?resource/type=Patient", auth: client, body: `{"resourceType":"Bundle","type":"transaction","entry":[
		{"request":{"method":"PUT","url":"/AccessPolicy/evil"},"resource":{"engine":"allow"}}]}`})
	ts.expect(http.StatusForbidden, request{method: "POST", path: "/$dump-sql?resource/type=Patient", auth: client, body: `{"query":"select id from patient"}`})
	ts.expect(http.StatusForbidden, request{method: "GET", path: "/Observation/x?resource/type=Patient&resource/id=pt-1", auth: client})
	if n := ts.count("select count(*) from accesspolicy"); n != policies {
		t.Errorf("%d access policies, want %d", n, policies)
	}
	// The route's own type still passes, whatever the query says.
	ts.expect(http.StatusOK, request{method: "GET", path: "/Patient/pt-1?resource/type=Observation", auth: client})
	stillServes(t, ts)
}

// yamlBomb is a "billion laughs": 9 levels of 9 aliases each, 9^9 strings once expanded.
func yamlBomb() string {
	var b strings.Builder
	b.WriteString(`a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]` + "\n")
	for level := 'b'; level <= 'i'; level++ {
		prev := "*" + string(level-1)
		fmt.Fprintf(&b, "%c: &%c [%s]\n", level, level, strings.Repeat(prev+",", 8)+prev)
	}
	return b.String()
}

// Item 4: a few hundred bytes of nested YAML aliases fail at once, without a big allocation,
// on every endpoint that takes YAML; ordinary aliases still work.
func TestYAMLAliasBomb(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t, proxy.Config{}) // the default body limit, 32 MiB
	seed(ts)
	bomb := yamlBomb()
	t.Logf("the bomb is %d bytes", len(bomb))
	for _, r := range []request{
		{method: "PUT", path: "/"},
		{method: "POST", path: "/"},
		{method: "POST", path: "/Patient"},
		{method: "PUT", path: "/Patient/bomb"},
		{method: "POST", path: "/$dump-sql"},
		{method: "POST", path: "/$load"},
		{method: "POST", path: "/fhir/$import"},
	} {
		r.body, r.contentType = bomb, yamlType
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		start := time.Now()
		resp, body := ts.do(r)
		elapsed := time.Since(start)
		runtime.ReadMemStats(&after)
		if resp.StatusCode != http.StatusBadRequest || !strings.Contains(string(body), "aliases expand to more than") {
			t.Errorf("%s %s: %d, want 400 naming the alias limit: %s", r.method, r.path, resp.StatusCode, body)
		}
		if elapsed > time.Second {
			t.Errorf("%s %s took %v", r.method, r.path, elapsed)
		}
		if allocated := after.TotalAlloc - before.TotalAlloc; allocated > 64<<20 {
			t.Errorf("%s %s allocated %d MB", r.method, r.path, allocated>>20)
		}
	}
	// Aliases within the budget whose JSON outgrows the body limit: 413 naming the limit.
	small := newTestServer(t, proxy.Config{MaxBodyBytes: 1 << 16})
	wide := "a: &a \"" + strings.Repeat("x", 4000) + "\"\nb: [" + strings.Repeat("*a,", 40) + "*a]\n"
	body := small.expect(http.StatusRequestEntityTooLarge, request{method: "POST", path: "/Patient", body: wide, contentType: yamlType})
	if !strings.Contains(string(body), "SLUICE_MAX_BODY_BYTES") {
		t.Errorf("the outcome does not name the limit: %s", body)
	}
	// An ordinary anchor and alias.
	ts.expect(http.StatusCreated, request{method: "PUT", path: "/Patient/aliased", contentType: yamlType,
		body: "name:\n- &ann {given: [Ann]}\n- *ann\n"})
	if n := ts.count(`select count(*) from patient where id = 'aliased' and resource -> 'name' = '[{"given":["Ann"]},{"given":["Ann"]}]'`); n != 1 {
		t.Error("the aliased patient was not stored as written")
	}
	if n := ts.count("select count(*) from patient where id = 'bomb'"); n != 0 {
		t.Error("the bomb was stored")
	}
	stillServes(t, ts)
}

// Item 13, Client half: a Client body that jsonb refuses is refused in Go, so its secret never
// reaches PostgreSQL's log (a failed jsonb conversion quotes its input in the error CONTEXT).
func TestClientSecretStaysOutOfTheDatabaseLog(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t, proxy.Config{})
	secret := fmt.Sprintf("leak-me-%d", time.Now().UnixNano())
	for _, c := range []struct{ name, body, contentType string }{
		{"NUL escape", `{"secret":"` + secret + `","grant_types":["basic"],"note":"\u0000"}`, ""},
		{"lone high surrogate", `{"secret":"` + secret + `","note":"\ud800"}`, ""},
		{"lone low surrogate", `{"secret":"` + secret + `","note":"\udc00x"}`, ""},
		{"high surrogate then a non-surrogate", `{"secret":"` + secret + `","note":"\ud800\u0041"}`, ""},
		{"invalid UTF-8", `{"secret":"` + secret + "\",\"note\":\"\xff\xfe\"}", ""},
		{"YAML NUL", "secret: " + secret + "\nnote: \"\\0\"\n", yamlType},
		{"YAML invalid UTF-8", "secret: " + secret + "\nnote: \"\xff\"\n", yamlType},
	} {
		resp, body := ts.do(request{method: "PUT", path: "/Client/leaky", body: c.body, contentType: c.contentType})
		if resp.StatusCode != http.StatusBadRequest {
			t.Errorf("%s: %d, want 400: %s", c.name, resp.StatusCode, body)
		}
		if strings.Contains(string(body), secret) {
			t.Errorf("%s: the answer quotes the secret: %s", c.name, body)
		}
	}
	// Escapes jsonb takes still pass: an escaped backslash before u0000, a surrogate pair.
	ts.expect(http.StatusCreated, request{method: "PUT", path: "/Patient/escapes", body: `{"note":"\\u0000 \ud83d\ude00 \u00e9"}`})
	if n := ts.count(`select count(*) from patient where resource ->> 'note' = E'\\u0000 \U0001F600 é'`); n != 1 {
		t.Error("the escapes were not stored as written")
	}
	if n := ts.count("select count(*) from client where id = 'leaky'"); n != 0 {
		t.Error("a refused Client was written")
	}
	log, err := os.ReadFile(filepath.Join(pgtest.Cluster().Dir(), "postgresql.log"))
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(log, []byte(secret)) {
		t.Errorf("PostgreSQL's log holds the secret")
	}
	stillServes(t, ts)
}

// Item 14: secrets are hashed at bcrypt cost 10; the verified-credential cache keeps requests
// fast, and a changed secret or a deleted Client is refused at once.
func TestCredentialCache(t *testing.T) {
	ts := newTestServer(t, proxy.Config{})
	seed(ts)
	var stored string
	if err := ts.Pool.QueryRow(context.Background(), "select resource ->> 'secret' from client where id = 'bulk-client'").Scan(&stored); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(stored, "$2a$10$") {
		t.Errorf("stored hash %q is not bcrypt cost 10", stored[:7])
	}
	allowed := request{method: "GET", path: "/Patient/$dump", auth: []string{"bulk-client", "secret"}}
	timed := func() time.Duration {
		start := time.Now()
		ts.expect(http.StatusOK, allowed)
		return time.Since(start)
	}
	first := timed()
	var cached time.Duration
	for range 5 {
		cached += timed()
	}
	t.Logf("first request %v, then %v on average with the cache", first, cached/5)

	// A new secret: the old one is refused at once, the new one works.
	ts.expect(http.StatusOK, request{method: "PUT", path: "/Client/bulk-client", body: `{"secret":"new-secret","grant_types":["basic"]}`})
	ts.expect(http.StatusUnauthorized, allowed)
	renewed := request{method: "GET", path: "/Patient/$dump", auth: []string{"bulk-client", "new-secret"}}
	ts.expect(http.StatusOK, renewed)
	ts.expect(http.StatusOK, renewed)
	// Without basic in grant_types the cached secret no longer passes.
	ts.expect(http.StatusOK, request{method: "PUT", path: "/Client/bulk-client", body: `{"secret":"new-secret","grant_types":["client_credentials"]}`})
	ts.expect(http.StatusUnauthorized, renewed)
	ts.expect(http.StatusOK, request{method: "PUT", path: "/Client/bulk-client", body: `{"secret":"new-secret","grant_types":["basic"]}`})
	ts.expect(http.StatusOK, renewed)
	// A deleted Client is refused at once.
	ts.expect(http.StatusOK, request{method: "DELETE", path: "/Client/bulk-client"})
	ts.expect(http.StatusUnauthorized, renewed)
	stillServes(t, ts)
}

// clientFrom is an HTTP client whose connections come from local address ip (any of
// 127.0.0.0/8 is this machine).
func clientFrom(ip string) *http.Client {
	dialer := &net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(ip)}}
	return &http.Client{Transport: &http.Transport{DialContext: dialer.DialContext}, Timeout: 5 * time.Second}
}

// call sends a request through client and returns its status, Retry-After and duration.
func call(t *testing.T, client *http.Client, ts *testServer, id, secret string) (int, string, time.Duration) {
	t.Helper()
	r, err := http.NewRequest("GET", ts.URL+"/Patient/$dump", nil)
	if err != nil {
		t.Fatal(err)
	}
	r.SetBasicAuth(id, secret)
	start := time.Now()
	resp, err := client.Do(r)
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode, resp.Header.Get("Retry-After"), time.Since(start)
}

// Item 14: after a few failed logins of a client id from one address, that address waits, with
// 429 and Retry-After and no database work, for a backoff that doubles; a success resets it,
// and other addresses are not affected.
func TestFailedLoginBackoff(t *testing.T) {
	ts := newTestServer(t, proxy.Config{AuthMaxFailures: 3, AuthBackoffMax: 4 * time.Second})
	seed(ts)
	here, elsewhere := clientFrom("127.0.0.1"), clientFrom("127.0.0.2")
	fail := func(id string) {
		t.Helper()
		for range 3 {
			if status, _, _ := call(t, here, ts, id, "wrong"); status != http.StatusUnauthorized {
				t.Fatalf("%s, wrong secret: %d, want 401", id, status)
			}
		}
	}
	fail("bulk-client")
	// Blocked now, even with the right secret; the database is not asked: a lock on the
	// client table, which every authentication reads, does not hold the answer up.
	lock, err := ts.Pool.Begin(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := lock.Exec(context.Background(), "lock table public.client in access exclusive mode"); err != nil {
		t.Fatal(err)
	}
	status, retry, took := call(t, here, ts, "bulk-client", "secret")
	lock.Rollback(context.Background())
	if status != http.StatusTooManyRequests || retry != "1" || took > 500*time.Millisecond {
		t.Fatalf("blocked: %d, Retry-After %q, %v; want 429, 1, at once", status, retry, took)
	}
	// Another address is not blocked.
	if status, _, _ := call(t, elsewhere, ts, "bulk-client", "secret"); status != http.StatusOK {
		t.Errorf("from 127.0.0.2: %d, want 200", status)
	}
	// Once the wait is over, one more failure waits twice as long.
	time.Sleep(1100 * time.Millisecond)
	if status, _, _ := call(t, here, ts, "bulk-client", "wrong"); status != http.StatusUnauthorized {
		t.Errorf("after the wait, wrong secret: %d, want 401", status)
	}
	if status, retry, _ := call(t, here, ts, "bulk-client", "secret"); status != http.StatusTooManyRequests || retry != "2" {
		t.Errorf("second block: %d, Retry-After %q; want 429, 2", status, retry)
	}
	// A success resets the count: three failures again before the next block.
	time.Sleep(2100 * time.Millisecond)
	if status, _, _ := call(t, here, ts, "bulk-client", "secret"); status != http.StatusOK {
		t.Errorf("after the second wait: %d, want 200", status)
	}
	fail("bulk-client")
	// The operator id is throttled the same way, per address: the operator elsewhere is not.
	fail(adminID)
	if status, _, _ := call(t, here, ts, adminID, adminSecret); status != http.StatusTooManyRequests {
		t.Errorf("operator id after failures: %d, want 429", status)
	}
	if status, _, took := call(t, elsewhere, ts, adminID, adminSecret); status != http.StatusOK || took > time.Second {
		t.Errorf("the operator from 127.0.0.2: %d in %v", status, took)
	}
	resp, _ := ts.do(request{method: "GET", path: "/health", auth: []string{}})
	if resp.StatusCode != http.StatusOK {
		t.Errorf("/health: %d", resp.StatusCode)
	}
}

// rawRequest sends a request with a path as written (escapes kept) and returns its status.
func rawRequest(t *testing.T, ts *testServer, method, path string, auth []string) (int, string) {
	t.Helper()
	r, err := http.NewRequest(method, ts.URL+"/", nil)
	if err != nil {
		t.Fatal(err)
	}
	r.URL.Opaque = path // sent exactly as given
	if auth != nil {
		r.SetBasicAuth(auth[0], auth[1])
	}
	resp, err := http.DefaultClient.Do(r)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body)
}

// Item 15: NUL or invalid UTF-8 in credentials is a wrong credential (401, no database call);
// in the path or query it is 400 once authenticated, and 401 before.
func TestBadTextInRequests(t *testing.T) {
	t.Parallel()
	// Many wrong logins on purpose: the backoff is not what this test is about.
	ts := newTestServer(t, proxy.Config{AuthMaxFailures: 100})
	seed(ts)
	// Credentials: refused without the database (the lock would hold any query up).
	lock, err := ts.Pool.Begin(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := lock.Exec(context.Background(), "lock table public.client in access exclusive mode"); err != nil {
		t.Fatal(err)
	}
	for _, auth := range [][]string{{"bulk-client", "sec\x00ret"}, {"bulk-client\x00", "secret"}, {"bulk-client", "\xff"}, {"\xfe", "secret"}, {adminID, adminSecret + "\x00"}} {
		start := time.Now()
		status, body := rawRequest(t, ts, "GET", "/Patient/$dump", auth)
		if status != http.StatusUnauthorized || time.Since(start) > 500*time.Millisecond {
			t.Errorf("credentials %q: %d in %v, want 401 at once: %s", auth, status, time.Since(start), body)
		}
	}
	lock.Rollback(context.Background())

	for _, path := range []string{"/Patient/%00", "/Patient/%ff", "/Patient/$dump?_since=%00", "/Patient/$dump?x=%C0%80", "/%00/x", "/Patient/$dump?%ff=1"} {
		for _, c := range []struct {
			auth []string
			want int
		}{
			{nil, http.StatusUnauthorized},
			{[]string{"nobody", "secret"}, http.StatusUnauthorized},
			{[]string{"bulk-client", "wrong"}, http.StatusUnauthorized},
			{[]string{"bulk-client", "secret"}, http.StatusBadRequest},
			{[]string{adminID, adminSecret}, http.StatusBadRequest},
		} {
			status, body := rawRequest(t, ts, "GET", path, c.auth)
			if status != c.want {
				t.Errorf("GET %s as %q: %d, want %d: %s", path, c.auth, status, c.want, body)
			}
		}
	}
	stillServes(t, ts)
}

// logCapture collects what the server logs while a test runs.
type logCapture struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (c *logCapture) Write(p []byte) (int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.buf.Write(p)
}

func (c *logCapture) String() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.buf.String()
}

// captureLog sends the default logger to a capture until the test ends.
func captureLog(t *testing.T) *logCapture {
	c := &logCapture{}
	previous := slog.Default()
	slog.SetDefault(slog.New(slog.NewTextHandler(c, &slog.HandlerOptions{Level: slog.LevelDebug})))
	t.Cleanup(func() { slog.SetDefault(previous) })
	return c
}

// waitForLog waits until the capture has a line containing every part.
func waitForLog(t *testing.T, c *logCapture, parts ...string) string {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) {
		for _, line := range strings.Split(c.String(), "\n") {
			found := true
			for _, p := range parts {
				found = found && strings.Contains(line, p)
			}
			if found {
				return line
			}
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("no log line with %q in:\n%s", parts, c.String())
	return ""
}

// Item 15: a client that goes away mid-request (mid-body, or during a $load) is logged at info
// level as gone, not as an ERROR with status 500.
func TestClientGoingAwayIsNoServerError(t *testing.T) {
	logs := captureLog(t)
	ts := newTestServer(t, proxy.Config{SourceAllowPrivate: true}) // its source is on loopback
	seed(ts)

	// A body cut short: Content-Length promises more than the client sends before it hangs up.
	conn, err := net.Dial("tcp", strings.TrimPrefix(ts.URL, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	fmt.Fprintf(conn, "PUT /Patient/cut HTTP/1.1\r\nHost: x\r\nAuthorization: Basic %s\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{\"id\":",
		basicAuth(adminID, adminSecret))
	time.Sleep(100 * time.Millisecond)
	conn.Close()
	line := waitForLog(t, logs, "msg=request", "path=/Patient/cut")
	if !strings.Contains(line, "the client went away") || strings.Contains(line, "status=500") {
		t.Errorf("request log: %s", line)
	}

	// A $load whose client hangs up while the source is still sending.
	sourceStarted := make(chan struct{})
	source := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintln(w, `{"resourceType":"Patient","id":"slow-1"}`)
		w.(http.Flusher).Flush()
		close(sourceStarted)
		<-r.Context().Done()
	}))
	defer source.Close()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		r, _ := http.NewRequestWithContext(ctx, "POST", ts.URL+"/$load", strings.NewReader(`{"source":"`+source.URL+`/p.ndjson"}`))
		r.Header.Set("Content-Type", "application/json")
		r.SetBasicAuth("bulk-client", "secret")
		if resp, err := http.DefaultClient.Do(r); err == nil {
			resp.Body.Close()
		}
	}()
	select {
	case <-sourceStarted:
	case <-time.After(5 * time.Second):
		t.Fatal("the load never fetched its source")
	}
	time.Sleep(100 * time.Millisecond)
	cancel()
	<-done
	line = waitForLog(t, logs, "msg=request", "path=/$load")
	if !strings.Contains(line, "the client went away") || strings.Contains(line, "status=500") {
		t.Errorf("request log: %s", line)
	}
	if strings.Contains(logs.String(), "level=ERROR") {
		t.Errorf("a client going away was logged as an error:\n%s", logs.String())
	}
	if n := ts.count("select count(*) from patient where id in ('cut', 'slow-1')"); n != 0 {
		t.Errorf("%d patients of the abandoned requests were written", n)
	}
	stillServes(t, ts)
}

// basicAuth is the value of an Authorization: Basic header's credentials.
func basicAuth(id, secret string) string {
	r, _ := http.NewRequest("GET", "http://x/", nil)
	r.SetBasicAuth(id, secret)
	return strings.TrimPrefix(r.Header.Get("Authorization"), "Basic ")
}
