package proxy_test

import (
	"bufio"
	"context"
	"errors"
	"io"
	"net/http"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/sluice-fhir/sluice/proxy"
)

// The behaviour of exports under load and failure: flat memory, a cut stream on a late
// error, and a client that goes away.

const (
	bigRows     = 20000
	bigRowBytes = 5000
)

// fillPatients writes bigRows patients of about bigRowBytes each, straight into the table.
func fillPatients(t *testing.T, ts *testServer) {
	t.Helper()
	if _, err := ts.Pool.Exec(context.Background(), `
		insert into patient (id, txid, status, resource)
		select 'big-' || i, nextval('transaction_id_seq'), 'created',
		       jsonb_build_object('name', jsonb_build_array(jsonb_build_object('given', jsonb_build_array('P' || i))),
		                          'text', jsonb_build_object('div', repeat(md5(i::text), $1 / 32)))
		from generate_series(1, $2) as i`, bigRowBytes, bigRows); err != nil {
		t.Fatal(err)
	}
}

// countLines reads a body to its end, keeping only the number of lines and bytes.
func countLines(r io.Reader) (lines, bytes int, err error) {
	br := bufio.NewReaderSize(r, 64<<10)
	for {
		line, err := br.ReadSlice('\n')
		bytes += len(line)
		if errors.Is(err, bufio.ErrBufferFull) {
			continue
		}
		if err == io.EOF {
			return lines, bytes, nil
		}
		if err != nil {
			return lines, bytes, err
		}
		lines++
	}
}

// heapPeak samples the heap in use until stop is called, which returns the peak.
func heapPeak() (stop func() uint64) {
	var peak atomic.Uint64
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		var m runtime.MemStats
		for {
			runtime.ReadMemStats(&m)
			if m.HeapInuse > peak.Load() {
				peak.Store(m.HeapInuse)
			}
			select {
			case <-done:
				return
			case <-time.After(5 * time.Millisecond):
			}
		}
	}()
	return func() uint64 {
		close(done)
		wg.Wait()
		return peak.Load()
	}
}

// The server's memory does not grow with the size of an export (about 100 MB here). The test
// binary is the server and the client, and the client keeps only counts.
func TestDumpLargeMemoryFlat(t *testing.T) {
	ts := newTestServer(t, proxy.Config{})
	seed(ts)
	fillPatients(t, ts)
	for _, c := range []struct {
		req   request
		lines int
	}{
		{request{method: "GET", path: "/Patient/$dump", auth: bulkClient}, bigRows + 3},
		{request{method: "POST", path: "/$dump-sql?_format=ndjson", auth: bulkClient, body: `{"query": "select id, resource from patient"}`}, bigRows + 3},
		{request{method: "GET", path: "/Patient/$dump-csv", auth: bulkClient}, bigRows + 4},
	} {
		runtime.GC()
		var before runtime.MemStats
		runtime.ReadMemStats(&before)
		stop := heapPeak()
		resp := ts.open(c.req, nil)
		lines, n, err := countLines(resp.Body)
		resp.Body.Close()
		peak := stop()
		if resp.StatusCode != http.StatusOK || err != nil || lines != c.lines {
			t.Fatalf("%s: status %d, %d lines (want %d), error %v", c.req.path, resp.StatusCode, lines, c.lines, err)
		}
		if n < bigRows*bigRowBytes {
			t.Fatalf("%s: only %d bytes", c.req.path, n)
		}
		growth := int64(peak) - int64(before.HeapInuse)
		t.Logf("%s: %d MB streamed, heap in use grew by at most %d MB", c.req.path, n>>20, growth>>20)
		if growth > 48<<20 {
			t.Errorf("%s: the heap grew by %d MB while streaming %d MB: not flat", c.req.path, growth>>20, n>>20)
		}
	}
}

// An error after streaming began (the COPY cancelled on the server) cuts the chunked stream:
// the client sees an unexpected EOF, not a complete short body; the server goes on working.
func TestDumpCancelledMidStream(t *testing.T) {
	ts := newTestServer(t, proxy.Config{})
	seed(ts)
	fillPatients(t, ts)
	ctx := context.Background()
	for _, c := range []struct {
		req  request
		like string
	}{
		{request{method: "GET", path: "/Patient/$dump", auth: bulkClient}, "copy (select sluice.dump_line%"},
		{request{method: "GET", path: "/Patient/$dump?gzip=true", auth: bulkClient}, "copy (select sluice.dump_line%"},
		{request{method: "GET", path: "/Patient/$dump-csv", auth: bulkClient}, "copy (select to_json(t.id)%"},
		{request{method: "POST", path: "/$dump-sql", auth: bulkClient, body: `{"query": "select * from patient"}`}, "copy (\nselect * from patient%"},
	} {
		resp := ts.open(c.req, nil)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("%s: status %d", c.req.path, resp.StatusCode)
		}
		head := make([]byte, 1<<20)
		if _, err := io.ReadFull(resp.Body, head); err != nil {
			t.Fatalf("%s: reading the first MB: %v", c.req.path, err)
		}
		var cancelled int
		if err := ts.Pool.QueryRow(ctx, "select count(*) from pg_stat_activity, pg_cancel_backend(pid) where query like $1 and backend_type = 'client backend' and pid <> pg_backend_pid()", c.like).Scan(&cancelled); err != nil {
			t.Fatal(err)
		}
		if cancelled != 1 {
			t.Fatalf("%s: cancelled %d backends, want the export's one", c.req.path, cancelled)
		}
		rest, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if !errors.Is(err, io.ErrUnexpectedEOF) {
			t.Errorf("%s: after the cancel: %v (%d more bytes), want an unexpected EOF", c.req.path, err, len(rest))
		}
	}
	// The server and its pool are fine afterwards.
	resp := ts.expectStream(http.StatusOK, request{method: "GET", path: "/Patient/$dump?_since=2999-01-01", auth: bulkClient}, nil)
	if len(resp.body) != 0 {
		t.Errorf("%d bytes", len(resp.body))
	}
	waitIdle(t, ts)
}

// The statement timeout of $dump-sql firing mid-stream cuts the stream too.
func TestDumpSQLTimeoutMidStream(t *testing.T) {
	ts := newTestServer(t, proxy.Config{DumpSQLTimeout: time.Second})
	seed(ts)
	start := time.Now()
	resp := ts.stream(request{method: "POST", path: "/$dump-sql", auth: bulkClient,
		body: `{"query": "select i, case when i > 100 then pg_sleep(0.01) end from generate_series(1, 100000) as i"}`}, nil)
	if resp.StatusCode != http.StatusOK || !errors.Is(resp.readErr, io.ErrUnexpectedEOF) {
		t.Errorf("status %d, read error %v after %d bytes; want 200 and an unexpected EOF", resp.StatusCode, resp.readErr, len(resp.body))
	}
	if elapsed := time.Since(start); elapsed > 20*time.Second {
		t.Errorf("took %s with a 1s timeout", elapsed)
	}
}

// A client that goes away stops the query and frees the connection.
func TestDumpClientDisconnect(t *testing.T) {
	ts := newTestServer(t, proxy.Config{})
	seed(ts)
	fillPatients(t, ts)
	for _, c := range []struct {
		req   request
		first int // bytes read before leaving; 0: leave while the server has sent nothing
	}{
		{request{method: "GET", path: "/Patient/$dump", auth: bulkClient}, 256 << 10},
		{request{method: "GET", path: "/Patient/$dump-csv", auth: bulkClient}, 256 << 10},
		{request{method: "POST", path: "/$dump-sql", auth: bulkClient, body: `{"query": "select * from patient"}`}, 256 << 10},
		{request{method: "POST", path: "/$dump-sql", auth: bulkClient, body: `{"query": "select pg_sleep(60)"}`}, 0},
	} {
		ctx, cancel := context.WithCancel(context.Background())
		if c.first == 0 {
			// Nothing comes back before the query ends: leave while it runs.
			time.AfterFunc(300*time.Millisecond, cancel)
			r, err := http.NewRequestWithContext(ctx, c.req.method, ts.URL+c.req.path, strings.NewReader(c.req.body))
			if err != nil {
				t.Fatal(err)
			}
			r.SetBasicAuth(c.req.auth[0], c.req.auth[1])
			r.Header.Set("Content-Type", "application/json")
			if resp, err := rawClient.Do(r); err == nil {
				resp.Body.Close()
				t.Fatalf("%s: answered %d while the query sleeps", c.req.path, resp.StatusCode)
			}
		} else {
			resp := ts.openContext(ctx, c.req, nil)
			if _, err := io.ReadFull(resp.Body, make([]byte, c.first)); err != nil {
				t.Fatalf("%s: %v", c.req.path, err)
			}
			cancel()
			resp.Body.Close()
		}
		cancel()
		waitIdle(t, ts)
	}
}

// waitIdle waits until no export query runs and the server's pool has no connection in use.
func waitIdle(t *testing.T, ts *testServer) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for {
		busy := ts.count(`select count(*) from pg_stat_activity
			where pid <> pg_backend_pid() and datname = current_database() and state <> 'idle'`)
		acquired := ts.Pool.Stat().AcquiredConns()
		if busy == 0 && acquired == 0 {
			return
		}
		if time.Now().After(deadline) {
			rows, _ := ts.Pool.Query(context.Background(), `select usename || ' ' || state || ': ' || left(query, 80) from pg_stat_activity
				where pid <> pg_backend_pid() and datname = current_database() and state <> 'idle'`)
			for rows.Next() {
				var s string
				rows.Scan(&s)
				t.Log(s)
			}
			rows.Close()
			t.Fatalf("after 15s: %d queries still running, %d pool connections in use", busy, acquired)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
