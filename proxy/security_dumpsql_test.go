package proxy_test

import (
	"bufio"
	"context"
	"crypto/hmac"
	"crypto/pbkdf2"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/sluice-fhir/sluice/internal/config"
	"github.com/sluice-fhir/sluice/internal/export"
	"github.com/sluice-fhir/sluice/proxy"
)

// Issue #11, items 7 and 8: what one $dump-sql client can do to the server and to the others.

// dumpSQLClients makes n Clients (sql-client-1, ...) allowed $dump-sql and nothing else, and
// returns their credentials.
func dumpSQLClients(ts *testServer, n int) [][]string {
	ts.t.Helper()
	var resources []map[string]any
	var creds [][]string
	for i := 1; i <= n; i++ {
		id := fmt.Sprintf("sql-client-%d", i)
		resources = append(resources,
			map[string]any{"resourceType": "Client", "id": id, "secret": "secret-" + id, "grant_types": []string{"basic"}},
			map[string]any{"resourceType": "AccessPolicy", "id": id + "-sql", "engine": "matcho",
				"matcho": map[string]any{"uri": "/$dump-sql", "request-method": "post"},
				"link":   []any{map[string]any{"id": id, "resourceType": "Client"}}})
		creds = append(creds, []string{id, "secret-" + id})
	}
	body, _ := json.Marshal(resources)
	ts.expect(http.StatusOK, request{method: "PUT", path: "/", body: string(body)})
	return creds
}

// sqlAnswer is a $dump-sql response read to its end (or to the error that cut it).
type sqlAnswer struct {
	status  int
	header  http.Header
	body    string
	readErr error
}

// postSQL runs a $dump-sql as auth; unlike testServer.stream it may run in any goroutine.
func postSQL(ctx context.Context, ts *testServer, auth []string, query string) (sqlAnswer, error) {
	body, _ := json.Marshal(map[string]string{"query": query})
	r, err := http.NewRequestWithContext(ctx, http.MethodPost, ts.URL+"/$dump-sql", strings.NewReader(string(body)))
	if err != nil {
		return sqlAnswer{}, err
	}
	r.Header.Set("Content-Type", "application/json")
	r.SetBasicAuth(auth[0], auth[1])
	resp, err := rawClient.Do(r)
	if err != nil {
		return sqlAnswer{}, err
	}
	defer resp.Body.Close()
	data, readErr := io.ReadAll(resp.Body)
	return sqlAnswer{status: resp.StatusCode, header: resp.Header, body: string(data), readErr: readErr}, nil
}

// dumpSQLBackends counts the $dump-sql sessions on the test's database (state: "" for all,
// or e.g. "Lock" for those waiting on a lock).
func dumpSQLBackends(ts *testServer, waitEventType string) int {
	ts.t.Helper()
	var n int
	if err := ts.Pool.QueryRow(context.Background(), `select count(*) from pg_stat_activity
		where datname = current_database() and application_name = 'sluice $dump-sql'
		  and ($1 = '' or wait_event_type = $1)`, waitEventType).Scan(&n); err != nil {
		ts.t.Fatal(err)
	}
	return n
}

// waitFor polls cond every 20ms until it holds or the time is up.
func waitFor(t *testing.T, within time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(within)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("after %s: %s", within, what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// holdAdvisoryLock takes an exclusive advisory lock on the test's database on a connection
// of its own; the queries that wait for it block until release.
func holdAdvisoryLock(t *testing.T, ts *testServer, key int) (release func()) {
	t.Helper()
	conn, err := pgx.Connect(context.Background(), ts.Pool.Config().ConnConfig.ConnString())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := conn.Exec(context.Background(), "select pg_advisory_lock($1)", key); err != nil {
		t.Fatal(err)
	}
	var once sync.Once
	release = func() { once.Do(func() { conn.Close(context.Background()) }) }
	t.Cleanup(release)
	return release
}

// The operator and /health answer at once while $dump-sql is busy.
func expectResponsive(t *testing.T, ts *testServer) {
	t.Helper()
	start := time.Now()
	ts.expect(http.StatusOK, request{method: "GET", path: "/health"})
	resp := ts.expectStream(http.StatusOK, request{method: "POST", path: "/$dump-sql", body: `{"query": "select 'operator'"}`}, nil)
	if string(resp.body) != "operator\n" {
		t.Errorf("the operator's $dump-sql: %q", resp.body)
	}
	if elapsed := time.Since(start); elapsed > time.Second {
		t.Errorf("/health and the operator's $dump-sql took %s", elapsed)
	}
}

// Item 7 (a): 110 long queries from five clients at the default limits. Eight run (two per
// client at most); every other one is refused at once, 429 when its client has its two, 503
// when all clients have eight, with Retry-After and the setting named, and PostgreSQL never
// sees more than eight $dump-sql sessions. The operator still gets through (its queries are
// outside the overall limit), and the eight finish once they can.
func TestDumpSQLConcurrencyLimits(t *testing.T) {
	ts := newTestServer(t, proxy.Config{})
	clients := dumpSQLClients(ts, 5)
	release := holdAdvisoryLock(t, ts, 4711)
	const attempts = 110
	// Each admitted query waits for the lock the test holds, as long as it holds it: a
	// pg_sleep(25) that ends when the test says so.
	query := "select pg_advisory_xact_lock_shared(4711), 'done'"

	answers := make(chan sqlAnswer, attempts)
	var wg sync.WaitGroup
	start := time.Now()
	for i := range attempts {
		wg.Add(1)
		go func() {
			defer wg.Done()
			answer, err := postSQL(context.Background(), ts, clients[i%len(clients)], query)
			if err != nil {
				answer.body = err.Error()
			}
			answers <- answer
		}()
	}
	statuses := map[int]int{}
	for range attempts - config.Default().Server.DumpSQLMaxConcurrent {
		select {
		case a := <-answers:
			statuses[a.status]++
			var setting string
			switch a.status {
			case http.StatusTooManyRequests:
				setting = "SLUICE_DUMP_SQL_PER_CLIENT"
			case http.StatusServiceUnavailable:
				setting = "SLUICE_DUMP_SQL_MAX_CONCURRENT"
			default:
				t.Fatalf("a query over the limits: status %d: %s", a.status, a.body)
			}
			if !strings.Contains(a.body, setting) || !strings.Contains(a.body, "OperationOutcome") {
				t.Errorf("status %d does not name %s in an OperationOutcome: %s", a.status, setting, a.body)
			}
			if _, err := strconv.Atoi(a.header.Get("Retry-After")); err != nil {
				t.Errorf("status %d without a Retry-After in seconds: %q", a.status, a.header.Get("Retry-After"))
			}
		case <-time.After(20 * time.Second):
			t.Fatalf("refusals so far %v: the others wait instead of being refused", statuses)
		}
	}
	t.Logf("%d refusals %v in %s", attempts-config.Default().Server.DumpSQLMaxConcurrent, statuses, time.Since(start))
	if statuses[http.StatusTooManyRequests] == 0 || statuses[http.StatusServiceUnavailable] == 0 {
		t.Errorf("want both limits to refuse some: %v", statuses)
	}
	waitFor(t, 10*time.Second, "eight $dump-sql queries waiting for the lock", func() bool {
		return dumpSQLBackends(ts, "Lock") == config.Default().Server.DumpSQLMaxConcurrent
	})
	if n := dumpSQLBackends(ts, ""); n != config.Default().Server.DumpSQLMaxConcurrent {
		t.Errorf("%d $dump-sql sessions, want %d", n, config.Default().Server.DumpSQLMaxConcurrent)
	}
	select {
	case a := <-answers:
		t.Fatalf("a ninth answer while eight run: %d %s", a.status, a.body)
	default:
	}
	expectResponsive(t, ts)

	release()
	for range config.Default().Server.DumpSQLMaxConcurrent {
		select {
		case a := <-answers:
			if a.status != http.StatusOK || a.body != "\tdone\n" || a.readErr != nil {
				t.Errorf("an admitted query: %d %v %q", a.status, a.readErr, a.body)
			}
		case <-time.After(10 * time.Second):
			t.Fatal("the admitted queries did not finish after the lock was released")
		}
	}
	wg.Wait()
	// The slots are free again.
	for _, c := range clients[:2] {
		if a, err := postSQL(context.Background(), ts, c, "select 1"); err != nil || a.status != http.StatusOK {
			t.Errorf("%s afterwards: %v %d %s", c[0], err, a.status, a.body)
		}
	}
}

// Item 7 (b): a client that sends a query with a large result and then reads nothing. The
// statement timeout alone never fires while the database waits to send; the request's
// deadline (SLUICE_DUMP_SQL_TIMEOUT, here 1s) ends it: the session is gone within the
// deadline and its grace, and what the client then reads is cut short.
func TestDumpSQLDeadlineSlowReader(t *testing.T) {
	ts := newTestServer(t, proxy.Config{DumpSQLTimeout: time.Second, MinTransferRate: -1})
	seed(ts)
	conn, err := net.Dial("tcp", strings.TrimPrefix(ts.URL, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	body := `{"query": "select i, repeat('x', 1000) from generate_series(1, 1000000) as i"}`
	fmt.Fprintf(conn, "POST /$dump-sql HTTP/1.1\r\nHost: sluice\r\nAuthorization: Basic YnVsay1jbGllbnQ6c2VjcmV0\r\n"+
		"Content-Type: application/json\r\nContent-Length: %d\r\n\r\n%s", len(body), body)
	start := time.Now()
	waitFor(t, 5*time.Second, "the query's session starts", func() bool { return dumpSQLBackends(ts, "") == 1 })
	// The deadline, its grace of a second, and a margin for a busy machine.
	waitFor(t, 4*time.Second, "the session of a query whose client stopped reading ends", func() bool { return dumpSQLBackends(ts, "") == 0 })
	t.Logf("the session ended %s after the request", time.Since(start).Round(10*time.Millisecond))

	conn.SetReadDeadline(time.Now().Add(10 * time.Second))
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatal(err)
	}
	n, err := io.Copy(io.Discard, resp.Body)
	if resp.StatusCode != http.StatusOK || !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Errorf("status %d, %d bytes, read error %v; want 200 cut short by an unexpected EOF", resp.StatusCode, n, err)
	}
	if n > 500<<20 {
		t.Errorf("%d bytes arrived after the deadline", n)
	}

	// Before the first byte, the deadline is an OperationOutcome that names the setting.
	start = time.Now()
	resp2 := ts.stream(request{method: "POST", path: "/$dump-sql", auth: bulkClient, body: `{"query": "select pg_sleep(30)"}`}, nil)
	expectOutcome(t, "pg_sleep(30) with a 1s deadline", resp2, http.StatusUnprocessableEntity)
	if !strings.Contains(string(resp2.body), "SLUICE_DUMP_SQL_TIMEOUT") {
		t.Errorf("the answer does not name the setting: %s", resp2.body)
	}
	if elapsed := time.Since(start); elapsed > 3*time.Second {
		t.Errorf("pg_sleep(30) answered after %s with a 1s deadline", elapsed)
	}
	expectResponsive(t, ts)
}

// memoryPeak resets this process's peak resident set size (the server runs in it) and returns
// a function that reads the peak since, in bytes. Without clear_refs (an old kernel), the peak
// since the process started.
func memoryPeak(t *testing.T) func() int64 {
	t.Helper()
	if err := os.WriteFile("/proc/self/clear_refs", []byte("5"), 0); err != nil {
		t.Logf("cannot reset the peak RSS: %v", err)
	}
	return func() int64 {
		status, err := os.ReadFile("/proc/self/status")
		if err != nil {
			t.Fatal(err)
		}
		for _, line := range strings.Split(string(status), "\n") {
			if value, ok := strings.CutPrefix(line, "VmHWM:"); ok {
				kb, err := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(value), "kB")), 10, 64)
				if err != nil {
					t.Fatal(err)
				}
				return kb << 10
			}
		}
		t.Fatal("no VmHWM in /proc/self/status")
		return 0
	}
}

// Item 7 (c): four rows of 250 MB at once. The server reads a row whole, so it refuses each
// from its length (SLUICE_DUMP_SQL_MAX_ROW_BYTES, here 1 MiB) before reading it: a clear 422
// each, and the server's memory stays flat (it held 1 GB before). A result larger than
// SLUICE_DUMP_SQL_MAX_BYTES is refused before its first byte, or cut there once streaming.
func TestDumpSQLRowAndResultLimits(t *testing.T) {
	ts := newTestServer(t, proxy.Config{DumpSQLMaxRowBytes: 1 << 20, DumpSQLMaxBytes: 40000, DumpSQLPerClient: 4})
	seed(ts)
	peak := memoryPeak(t)
	before := peak()
	answers := make(chan sqlAnswer, 4)
	// 250 MB rows made of 10,000-byte pieces, which PostgreSQL builds faster than
	// repeat('y', 250000000); the row the server receives is the same.
	for range 4 {
		go func() {
			answer, err := postSQL(context.Background(), ts, bulkClient, "select repeat(repeat('y', 10000), 25000)")
			if err != nil {
				answer.body = err.Error()
			}
			answers <- answer
		}()
	}
	for range 4 {
		a := <-answers
		if a.status != http.StatusUnprocessableEntity || !strings.Contains(a.body, "SLUICE_DUMP_SQL_MAX_ROW_BYTES") ||
			!strings.Contains(a.body, "limit of 1048576 bytes") {
			t.Errorf("a 250 MB row: %d %s", a.status, a.body)
		}
	}
	if grown := peak() - before; grown > 64<<20 {
		t.Errorf("the peak RSS grew by %d MB for four 250 MB rows", grown>>20)
	} else {
		t.Logf("the peak RSS grew by %d MB for four 250 MB rows", grown>>20)
	}

	// 101,000 bytes of small rows, faster than the stream's first flush: nothing was sent.
	resp := ts.stream(request{method: "POST", path: "/$dump-sql", auth: bulkClient,
		body: `{"query": "select repeat('x', 100) from generate_series(1, 1000)"}`}, nil)
	expectOutcome(t, "a result over the limit", resp, http.StatusUnprocessableEntity)
	if !strings.Contains(string(resp.body), "SLUICE_DUMP_SQL_MAX_BYTES") {
		t.Errorf("the answer does not name the setting: %s", resp.body)
	}
	// A pause after ten rows sends them (the stream flushes rows that trickle): the limit
	// then cuts the stream, at the limit.
	resp = ts.stream(request{method: "POST", path: "/$dump-sql", auth: bulkClient,
		body: `{"query": "select repeat('x', 100), case when i = 10 then pg_sleep(0.3) end from generate_series(1, 1000) as i"}`}, nil)
	if resp.StatusCode != http.StatusOK || !errors.Is(resp.readErr, io.ErrUnexpectedEOF) || len(resp.body) == 0 || len(resp.body) > 40000 {
		t.Errorf("status %d, %d bytes, read error %v; want 200, at most 40000 bytes and an unexpected EOF", resp.StatusCode, len(resp.body), resp.readErr)
	}
	// Under the limits all is well.
	ts.expectStream(http.StatusOK, request{method: "POST", path: "/$dump-sql", auth: bulkClient,
		body: `{"query": "select repeat('y', 30000)"}`}, nil)
	expectResponsive(t, ts)
}

// Item 8: two clients' queries at once. The second sees the first's session in
// pg_stat_activity but not its query text (nor any other session's), and can neither cancel
// nor terminate it; the first completes. Each request had a database role of its own,
// dropped when it ended.
func TestDumpSQLSessionsIsolated(t *testing.T) {
	ts := newTestServer(t, proxy.Config{})
	clients := dumpSQLClients(ts, 2)
	release := holdAdvisoryLock(t, ts, 4712)
	first := make(chan sqlAnswer, 1)
	go func() {
		answer, err := postSQL(context.Background(), ts, clients[0], "select current_user, pg_advisory_xact_lock_shared(4712), 'the first client''s secret query'")
		if err != nil {
			answer.body = err.Error()
		}
		first <- answer
	}()
	waitFor(t, 10*time.Second, "the first query waits for the lock", func() bool { return dumpSQLBackends(ts, "Lock") == 1 })

	second := func(query string) sqlAnswer {
		t.Helper()
		a, err := postSQL(context.Background(), ts, clients[1], query)
		if err != nil {
			t.Fatal(err)
		}
		return a
	}
	seen := second("select pid, coalesce(query, '(null)') from pg_stat_activity where pid <> pg_backend_pid()")
	if seen.status != http.StatusOK || strings.Contains(seen.body, "secret query") {
		t.Fatalf("the second client sees: %d %s", seen.status, seen.body)
	}
	for _, line := range strings.Split(strings.TrimSpace(seen.body), "\n") {
		if _, query, _ := strings.Cut(line, "\t"); query != "<insufficient privilege>" {
			t.Errorf("the second client sees a session's query: %q", line)
		}
	}
	var pid int
	if err := ts.Pool.QueryRow(context.Background(), `select pid from pg_stat_activity
		where datname = current_database() and application_name = 'sluice $dump-sql' and wait_event_type = 'Lock'`).Scan(&pid); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(seen.body, strconv.Itoa(pid)+"\t") {
		t.Errorf("the first query's session %d is not listed (the test would prove nothing): %s", pid, seen.body)
	}
	for _, signal := range []string{"pg_cancel_backend(%d)", "pg_terminate_backend(%d)", "pg_cancel_backend(pid) from pg_stat_activity where pid = %d"} {
		a := second("select " + fmt.Sprintf(signal, pid))
		if a.status != http.StatusForbidden || !strings.Contains(a.body, "OperationOutcome") {
			t.Errorf("the second client's %s: %d %s", fmt.Sprintf(signal, pid), a.status, a.body)
		}
	}
	if dumpSQLBackends(ts, "Lock") != 1 {
		t.Fatal("the first query no longer runs")
	}
	release()
	a := <-first
	role, rest, _ := strings.Cut(a.body, "\t")
	if a.status != http.StatusOK || a.readErr != nil || rest != "\tthe first client's secret query\n" || !strings.HasPrefix(role, "sluice_sql_") {
		t.Fatalf("the first query: %d %v %q", a.status, a.readErr, a.body)
	}
	if n := ts.count(fmt.Sprintf("select count(*) from pg_roles where rolname = '%s'", role)); n != 0 {
		t.Errorf("the role %s outlived its request", role)
	}
}

// A role a crashed server left behind (expired, no session) is dropped by the next request;
// the group sluice_reader itself cannot log in.
func TestDumpSQLStaleRolesDropped(t *testing.T) {
	ts := newTestServer(t, proxy.Config{})
	seed(ts)
	stale := fmt.Sprintf("sluice_sql_stale_%d", time.Now().UnixNano())
	if _, err := ts.Pool.Exec(context.Background(), fmt.Sprintf("create role %s login valid until '2001-01-01' in role %s", stale, export.DumpSQLRole)); err != nil {
		t.Fatal(err)
	}
	// A role that is not one of sluice's stays, whatever its name.
	other := fmt.Sprintf("sluice_sql_other_%d", time.Now().UnixNano())
	if _, err := ts.Pool.Exec(context.Background(), fmt.Sprintf("create role %s login valid until '2001-01-01'", other)); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ts.Pool.Exec(context.Background(), "drop role if exists "+other) })
	ts.expectStream(http.StatusOK, request{method: "POST", path: "/$dump-sql", auth: bulkClient, body: `{"query": "select 1"}`}, nil)
	if n := ts.count(fmt.Sprintf("select count(*) from pg_roles where rolname = '%s'", stale)); n != 0 {
		t.Error("a stale per-request role was not dropped")
	}
	if n := ts.count(fmt.Sprintf("select count(*) from pg_roles where rolname = '%s'", other)); n != 1 {
		t.Error("a role that is not a member of sluice_reader was dropped")
	}
	if n := ts.count("select count(*) from pg_roles where rolname = 'sluice_reader' and not rolcanlogin"); n != 1 {
		t.Error("sluice_reader can log in: every per-request role would see and signal its sessions")
	}
}

// The per-request role's password reaches PostgreSQL only as a SCRAM-SHA-256 secret
// (sluice.scram_secret), so no statement, log or audit trail holds it. The secret is checked
// here against RFC 5802 computed in Go: the test cluster trusts its logins and never asks for
// the password.
func TestDumpSQLScramSecret(t *testing.T) {
	ts := newTestServer(t, proxy.Config{})
	var secret string
	if err := ts.Pool.QueryRow(context.Background(), "select sluice.scram_secret('correct horse')").Scan(&secret); err != nil {
		t.Fatal(err)
	}
	var iterations int
	var salt, storedKey, serverKey string
	if _, err := fmt.Sscanf(strings.NewReplacer("$", " ", ":", " ").Replace(secret), "SCRAM-SHA-256 %d %s %s %s", &iterations, &salt, &storedKey, &serverKey); err != nil {
		t.Fatalf("%q: %v", secret, err)
	}
	saltBytes, err := base64.StdEncoding.DecodeString(salt)
	if err != nil || len(saltBytes) != 16 {
		t.Fatalf("salt %q: %v", salt, err)
	}
	salted, err := pbkdf2.Key(sha256.New, "correct horse", saltBytes, iterations, sha256.Size)
	if err != nil {
		t.Fatal(err)
	}
	keyed := func(name string) []byte {
		mac := hmac.New(sha256.New, salted)
		mac.Write([]byte(name))
		return mac.Sum(nil)
	}
	clientKey := sha256.Sum256(keyed("Client Key"))
	if got := base64.StdEncoding.EncodeToString(clientKey[:]); got != storedKey {
		t.Errorf("StoredKey %s, want %s", storedKey, got)
	}
	if got := base64.StdEncoding.EncodeToString(keyed("Server Key")); got != serverKey {
		t.Errorf("ServerKey %s, want %s", serverKey, got)
	}
}
