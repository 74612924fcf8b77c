package proxy_test

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/sluice-fhir/sluice/proxy"
)

// slowReader is an HTTP client with a tiny socket receive buffer, so the server's writes
// block as soon as the client stops reading (loopback buffers would otherwise absorb
// megabytes).
var slowReader = &http.Client{Transport: &http.Transport{
	DisableCompression: true,
	DialContext: (&net.Dialer{Control: func(network, address string, c syscall.RawConn) error {
		var err error
		c.Control(func(fd uintptr) { err = syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_RCVBUF, 4096) })
		return err
	}}).DialContext,
}}

// openSlow starts a request through slowReader and returns its response unread.
func openSlow(t *testing.T, ts *testServer, ctx context.Context, req request) *http.Response {
	t.Helper()
	r, err := http.NewRequestWithContext(ctx, req.method, ts.URL+req.path, strings.NewReader(req.body))
	if err != nil {
		t.Fatal(err)
	}
	r.SetBasicAuth(req.auth[0], req.auth[1])
	resp, err := slowReader.Do(r)
	if err != nil {
		t.Fatal(err)
	}
	return resp
}

// answersQuickly fails the test unless each request answers its status within a second.
func answersQuickly(t *testing.T, ts *testServer, checks map[string]struct {
	req  request
	want int
}) {
	t.Helper()
	for name, c := range checks {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		r, err := http.NewRequestWithContext(ctx, c.req.method, ts.URL+c.req.path, nil)
		if err != nil {
			t.Fatal(err)
		}
		switch len(c.req.auth) {
		case 0:
			r.SetBasicAuth(adminID, adminSecret)
		case 2:
			r.SetBasicAuth(c.req.auth[0], c.req.auth[1])
		}
		started := time.Now()
		resp, err := http.DefaultClient.Do(r)
		cancel()
		if err != nil {
			t.Errorf("%s: no answer within a second: %v", name, err)
			continue
		}
		resp.Body.Close()
		if resp.StatusCode != c.want {
			t.Errorf("%s: status %d, want %d", name, resp.StatusCode, c.want)
		}
		t.Logf("%s: %d in %v", name, resp.StatusCode, time.Since(started).Round(time.Millisecond))
	}
}

// Issue 11 item 3: clients that hold bulk operations open (reading nothing) must not stop
// authentication, REST, /health or the operator; bulk requests over the limits are refused at
// once with Retry-After instead of queueing.
func TestSlowBulkClientsDoNotStopTheServer(t *testing.T) {
	// The rate check is off here: this is about the pools, not about cutting slow clients off.
	ts := newTestServer(t, proxy.Config{MinTransferRate: -1, BulkConnections: 4, BulkPerClient: 2})
	seed(ts)
	fillPatients(t, ts)
	for _, id := range []string{"other-client", "third-client"} {
		ts.expect(http.StatusCreated, request{method: "PUT", path: "/Client/" + id,
			body: `{"secret":"secret","grant_types":["basic"]}`})
		ts.expect(http.StatusCreated, request{method: "PUT", path: "/AccessPolicy/" + id + "-bulk",
			body: `{"engine":"matcho","link":[{"id":"` + id + `","resourceType":"Client"}],"matcho":{"uri":"#/\\$dump$"}}`})
	}
	otherClient, thirdClient := []string{"other-client", "secret"}, []string{"third-client", "secret"}

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	// Two clients, two stalled dumps each: as many as the old shared pool had connections.
	for _, auth := range [][]string{bulkClient, bulkClient, otherClient, otherClient} {
		resp := openSlow(t, ts, ctx, request{method: "GET", path: "/Patient/$dump", auth: auth})
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("dump: %d", resp.StatusCode)
		}
		defer resp.Body.Close()
	}
	// A client's third is over its own limit; a third client's first is over the limit of all
	// clients together, which the operator's do not count against.
	for _, c := range []struct {
		auth []string
		want int
	}{{bulkClient, http.StatusTooManyRequests}, {thirdClient, http.StatusServiceUnavailable}} {
		resp, body := ts.do(request{method: "GET", path: "/Patient/$dump", auth: c.auth})
		if resp.StatusCode != c.want || resp.Header.Get("Retry-After") == "" {
			t.Errorf("%s over the bulk limits: %d (Retry-After %q), want %d: %s", c.auth[0], resp.StatusCode, resp.Header.Get("Retry-After"), c.want, body)
		}
		if c.want == http.StatusTooManyRequests && !strings.Contains(string(body), "SLUICE_BULK_PER_CLIENT") ||
			c.want == http.StatusServiceUnavailable && !strings.Contains(string(body), "SLUICE_BULK_CONNECTIONS") {
			t.Errorf("%s: the answer does not name the setting: %s", c.auth[0], body)
		}
	}
	answersQuickly(t, ts, map[string]struct {
		req  request
		want int
	}{
		"health":                        {request{method: "GET", path: "/health", auth: []string{}}, http.StatusOK},
		"operator REST":                 {request{method: "GET", path: "/Patient/pt-1"}, http.StatusOK},
		"wrong password":                {request{method: "GET", path: "/Patient/pt-1", auth: []string{"bulk-client", "wrong"}}, http.StatusUnauthorized},
		"forbidden REST":                {request{method: "GET", path: "/Patient/pt-1", auth: bulkClient}, http.StatusForbidden},
		"operator's bulk (not counted)": {request{method: "GET", path: "/Organization/$dump"}, http.StatusOK},
	})
	// The slots come back when the clients leave.
	cancel()
	waitIdle(t, ts)
	deadline := time.Now().Add(5 * time.Second)
	for {
		resp, body := ts.do(request{method: "GET", path: "/Organization/$dump", auth: bulkClient})
		if resp.StatusCode == http.StatusOK {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("after the slow clients left: %d: %s", resp.StatusCode, body)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// Issue 11 item 3: a client that reads an export more slowly than the minimum rate is cut off
// (a truncated stream, its query and connection released) instead of holding its transaction.
func TestSlowDumpReaderIsCutOff(t *testing.T) {
	ts := newTestServer(t, proxy.Config{MinTransferRate: 256 << 10, TransferWindow: time.Second})
	seed(ts)
	fillPatients(t, ts)
	for _, path := range []string{"/Patient/$dump", "/Patient/$dump-csv"} {
		started := time.Now()
		resp := openSlow(t, ts, context.Background(), request{method: "GET", path: path, auth: bulkClient})
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("%s: %d", path, resp.StatusCode)
		}
		// About 10 kB/s, far below the minimum, until the server has let go of the export.
		fast := make(chan struct{})
		readDone := make(chan error, 1)
		go func() {
			_, err := io.Copy(io.Discard, readerFunc(func(p []byte) (int, error) {
				select {
				case <-fast:
				default:
					time.Sleep(100 * time.Millisecond)
					p = p[:min(len(p), 1024)]
				}
				return resp.Body.Read(p)
			}))
			readDone <- err
		}()
		time.Sleep(200 * time.Millisecond)
		waitIdle(t, ts) // the query and its connection are released while the client still trickles
		t.Logf("%s: the server let go after %v", path, time.Since(started).Round(100*time.Millisecond))
		// What the kernel had buffered drains; then the body ends short, not as a whole.
		close(fast)
		if err := <-readDone; !errors.Is(err, io.ErrUnexpectedEOF) {
			t.Errorf("%s: the cut-off body ended with %v, want an unexpected EOF", path, err)
		}
		resp.Body.Close()
	}
	// A client that reads at full speed still gets everything.
	resp := ts.stream(request{method: "GET", path: "/Patient/$dump", auth: bulkClient}, nil)
	if want := ts.count("select count(*) from patient"); resp.readErr != nil || strings.Count(string(resp.body), "\n") != want {
		t.Errorf("a full-speed dump: %v, %d lines, want %d", resp.readErr, strings.Count(string(resp.body), "\n"), want)
	}
}

// Issue 11 item 3: every bulk operation has a bounded duration, however its client behaves.
func TestBulkMaxDuration(t *testing.T) {
	ts := newTestServer(t, proxy.Config{MinTransferRate: -1, BulkMaxDuration: 500 * time.Millisecond})
	seed(ts)
	fillPatients(t, ts)
	// A reader that keeps reading, slowly enough to take longer than the limit.
	started := time.Now()
	resp := openSlow(t, ts, context.Background(), request{method: "GET", path: "/Patient/$dump", auth: bulkClient})
	var err error
	for err == nil && time.Since(started) < 30*time.Second {
		_, err = resp.Body.Read(make([]byte, 64<<10))
		time.Sleep(20 * time.Millisecond)
	}
	resp.Body.Close()
	if err == nil || errors.Is(err, io.EOF) {
		t.Fatalf("the dump ran %v past a limit of 500ms (read error %v)", time.Since(started), err)
	}
	t.Logf("cut after %v: %v", time.Since(started).Round(100*time.Millisecond), err)
	waitIdle(t, ts)
	// Before the first byte, the limit is an answer that names it.
	ts2 := newTestServer(t, proxy.Config{BulkMaxDuration: time.Nanosecond})
	seed(ts2)
	resp2, body := ts2.do(request{method: "GET", path: "/Patient/$dump", auth: bulkClient})
	if resp2.StatusCode != http.StatusRequestEntityTooLarge || !strings.Contains(string(body), "SLUICE_BULK_MAX_DURATION") {
		t.Errorf("a dump past its limit before the first byte: %d: %s", resp2.StatusCode, body)
	}
}

// readerFunc is an io.Reader made of a function.
type readerFunc func(p []byte) (int, error)

func (f readerFunc) Read(p []byte) (int, error) { return f(p) }
