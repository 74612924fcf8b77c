package proxy_test

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"path"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/sluice-fhir/sluice/proxy"
)

// Issue #11, items 5, 6, 13 (source URLs) and 3 (a trickling source): what a client can make
// sluice fetch, what it tells about it, and how long a source may take. Every source here is
// on loopback; addresses elsewhere are only classified (source_policy_test.go).

// fileServer is a loopback file server that resolves dot segments the way static servers do
// and counts the requests it answers.
type fileServer struct {
	*httptest.Server
	files    map[string]string
	requests atomic.Int64
}

func newFileServer(t *testing.T, files map[string]string) *fileServer {
	s := &fileServer{files: files}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.requests.Add(1)
		content, ok := s.files[path.Clean(r.URL.Path)]
		if !ok {
			http.NotFound(w, r)
			return
		}
		io.WriteString(w, content)
	}))
	t.Cleanup(s.Close)
	return s
}

// rawServer answers every connection on loopback with answer, whatever was asked, once it
// has read the request's head.
func rawServer(t *testing.T, answer string) string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	go func() {
		for {
			conn, err := l.Accept()
			if err != nil {
				return
			}
			go func() {
				defer conn.Close()
				head := bufio.NewReader(conn)
				for {
					line, err := head.ReadString('\n')
					if err != nil || line == "\r\n" {
						break
					}
				}
				io.WriteString(conn, answer)
			}()
		}
	}()
	return "http://" + l.Addr().String()
}

// loadFails posts a $load of source as the operator and returns the 422's message.
func loadFails(t *testing.T, ts *testServer, source string) string {
	t.Helper()
	return string(ts.expect(http.StatusUnprocessableEntity, request{method: "POST", path: "/Patient/$load", body: loadBody(source, "")}))
}

// Item 5: by default a source on loopback (sluice itself, anything bound to localhost) is
// refused on the address dialled, whatever the URL spells, for $load and $import alike, and
// nothing is requested from it; SLUICE_SOURCE_ALLOW_PRIVATE opens it.
func TestSourceLoopbackRefusedByDefault(t *testing.T) {
	t.Parallel()
	files := newFileServer(t, map[string]string{"/p.ndjson": `{"id":"internal"}` + "\n"})
	port := files.URL[strings.LastIndex(files.URL, ":")+1:]
	ts := newImportServer(t, proxy.Config{})
	for _, host := range []string{"127.0.0.1", "localhost", "127.0.0.2", "0.0.0.0", "[::1]", "[::ffff:127.0.0.1]", "[::]"} {
		message := loadFails(t, ts, "http://"+host+":"+port+"/p.ndjson")
		if !strings.Contains(message, "SLUICE_SOURCE_ALLOW_PRIVATE") || strings.Contains(message, "internal") {
			t.Errorf("%s: %s", host, message)
		}
	}
	// sluice itself, through its own health check.
	if message := loadFails(t, ts, ts.URL+"/health"); !strings.Contains(message, "SLUICE_SOURCE_ALLOW_PRIVATE") {
		t.Errorf("sluice itself: %s", message)
	}
	ts.expect(http.StatusOK, request{method: "POST", path: "/$import", body: fmt.Sprintf(
		`{"id":"ssrf","inputs":[{"resourceType":"Patient","url":%q}]}`, files.URL+"/p.ndjson")})
	status := waitImport(t, ts, "ssrf")
	if in := status["inputs"].([]any)[0].(map[string]any); in["status"] != "failed" ||
		!strings.Contains(fmt.Sprint(in["error"]), "SLUICE_SOURCE_ALLOW_PRIVATE") {
		t.Errorf("$import input: %v", in)
	}
	if n := files.requests.Load(); n != 0 {
		t.Errorf("the loopback server got %d requests", n)
	}
	if n := ts.loadRows("public.patient"); n != 0 {
		t.Errorf("%d patients loaded", n)
	}
	ts.expect(http.StatusOK, request{method: "GET", path: "/health"})

	opened := newLoadServer(t, proxy.Config{})
	opened.expect(http.StatusOK, request{method: "POST", path: "/Patient/$load", body: loadBody(files.URL+"/p.ndjson", "")})
}

// Item 5: a failed fetch says what failed in sluice's words; what the other side sent (a
// banner of a service that is not HTTP, a reason phrase, an error page) is not repeated.
func TestSourceFailureQuotesNothing(t *testing.T) {
	t.Parallel()
	ts := newLoadServer(t, proxy.Config{})
	banner := rawServer(t, "SSH-2.0-OpenSSH_9.9 banner-secret\r\n")
	if message := loadFails(t, ts, banner+"/p.ndjson"); strings.Contains(message, "banner-secret") || !strings.Contains(message, "no valid HTTP answer") {
		t.Errorf("not HTTP: %s", message)
	}
	reason := rawServer(t, "HTTP/1.1 500 reason-secret\r\nContent-Length: 11\r\nConnection: close\r\n\r\nbody-secret")
	if message := loadFails(t, ts, reason+"/p.ndjson"); strings.Contains(message, "secret") || !strings.Contains(message, "answered 500 Internal Server Error") {
		t.Errorf("500: %s", message)
	}
	ts.expect(http.StatusOK, request{method: "GET", path: "/health"})
}

// Item 6: SLUICE_SOURCE_ALLOW compares parsed locations. Userinfo that makes the allowed
// host:port a user name, dot segments (plain or encoded) that climb out of the allowed
// folder, and a folder whose name merely begins like the allowed one are refused, without a
// request; redirects are held to the same rule. What the prefix covers still loads.
func TestSourceAllowListParsed(t *testing.T) {
	t.Parallel()
	files := newFileServer(t, map[string]string{
		"/files-ok/p.ndjson":     `{"id":"ok"}` + "\n",
		"/other.ndjson":          `{"id":"other"}` + "\n",
		"/files-ok-not/p.ndjson": `{"id":"not"}` + "\n",
		"/health":                `{"id":"health"}` + "\n",
	})
	target := newFileServer(t, map[string]string{"/health": `{"id":"target"}` + "\n"})
	ts := newLoadServer(t, proxy.Config{SourceAllow: []string{files.URL + "/files-ok"}})
	host := strings.TrimPrefix(files.URL, "http://")
	for _, source := range []string{
		"http://" + host + "/files-ok@" + strings.TrimPrefix(target.URL, "http://") + "/health",
		"http://" + host + "@" + strings.TrimPrefix(target.URL, "http://") + "/health",
		files.URL + "/files-ok/../other.ndjson",
		files.URL + "/files-ok/%2e%2e/other.ndjson",
		files.URL + "/files-ok%2F..%2Fother.ndjson",
		files.URL + "/files-ok-not/p.ndjson",
	} {
		if message := loadFails(t, ts, source); !strings.Contains(message, "SLUICE_SOURCE_ALLOW") {
			t.Errorf("%s: %s", source, message)
		}
	}
	if n, m := files.requests.Load(), target.requests.Load(); n != 0 || m != 0 {
		t.Errorf("%d and %d requests made", n, m)
	}
	redirect := newFileServer(t, nil)
	redirect.Config.Handler = http.RedirectHandler(files.URL+"/files-ok/../other.ndjson", http.StatusFound)
	ts2 := newLoadServer(t, proxy.Config{SourceAllow: []string{files.URL + "/files-ok", redirect.URL}})
	if message := loadFails(t, ts2, redirect.URL+"/p.ndjson"); !strings.Contains(message, "redirected to") || !strings.Contains(message, "SLUICE_SOURCE_ALLOW") {
		t.Errorf("redirect: %s", message)
	}
	if n := ts.loadRows("public.patient") + ts2.loadRows("public.patient"); n != 0 {
		t.Errorf("%d patients loaded", n)
	}
	for _, source := range []string{files.URL + "/files-ok/p.ndjson", files.URL + "/files-ok/sub/../p.ndjson", files.URL + "/files-ok/%70.ndjson"} {
		ts.expect(http.StatusOK, request{method: "POST", path: "/Patient/$load", body: loadBody(source, "")})
	}
	if v := ts.loadValue("select string_agg(id, ',') from public.patient"); v != "ok" {
		t.Errorf("loaded %v, want only ok", v)
	}
}

// Item 13: a source URL's password and query values (a pre-signed URL's signature) appear
// neither in the answer nor in the log, whether the source answers 404, cannot be reached,
// redirects somewhere refused or trickles; an $import input's stored error is redacted too.
func TestSourceURLRedacted(t *testing.T) {
	logs := captureLog(t)
	files := newFileServer(t, nil)
	trickle := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// For 5 s at most, so that a server without a minimum rate fails the test, not hangs it.
		for end := time.Now().Add(5 * time.Second); r.Context().Err() == nil && time.Now().Before(end); {
			w.Write([]byte(" "))
			w.(http.Flusher).Flush()
			time.Sleep(100 * time.Millisecond)
		}
	}))
	defer trickle.Close()
	closed := httptest.NewServer(http.NotFoundHandler())
	closed.Close()
	signed := func(base string) string {
		return strings.Replace(base, "http://", "http://user:pass@", 1) + "/x?X-Amz-Signature=abc&X-Amz-Credential=abc"
	}
	ts := newLoadServer(t, proxy.Config{MinTransferRate: 1000, TransferWindow: time.Second})
	for _, source := range []string{signed(files.URL), signed(closed.URL), signed(trickle.URL)} {
		message := loadFails(t, ts, source)
		if strings.Contains(message, "pass") || strings.Contains(message, "abc") || !strings.Contains(message, "user:REDACTED@") ||
			!strings.Contains(message, "X-Amz-Signature=REDACTED") {
			t.Errorf("answer: %s", message)
		}
	}
	redirect := newFileServer(t, nil)
	redirect.Config.Handler = http.RedirectHandler(files.URL+"/elsewhere?sig=abc", http.StatusFound)
	allowed := newLoadServer(t, proxy.Config{SourceAllow: []string{redirect.URL}})
	if message := loadFails(t, allowed, redirect.URL+"/r?token=abc"); strings.Contains(message, "abc") || !strings.Contains(message, "sig=REDACTED") {
		t.Errorf("redirect: %s", message)
	}
	if log := logs.String(); strings.Contains(log, "pass") || strings.Contains(log, "abc") {
		t.Errorf("the log shows a secret:\n%s", log)
	}

	ts.expect(http.StatusOK, request{method: "POST", path: "/$import", body: fmt.Sprintf(
		`{"id":"signed","inputs":[{"resourceType":"Patient","url":%q}]}`, signed(files.URL))})
	status := waitImport(t, ts, "signed")
	if in := status["inputs"].([]any)[0].(map[string]any); in["status"] != "failed" ||
		strings.Contains(fmt.Sprint(in["error"]), "pass") || strings.Contains(fmt.Sprint(in["error"]), "abc") ||
		!strings.Contains(fmt.Sprint(in["error"]), "404") {
		t.Errorf("$import input error: %v", in["error"])
	}
}

// trickleSource sends one byte every 100 ms until its client goes; gone is closed then.
func trickleSource(t *testing.T) (url string, gone chan struct{}) {
	gone = make(chan struct{})
	var once sync.Once
	s := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer once.Do(func() { close(gone) })
		for {
			w.Write([]byte(" "))
			w.(http.Flusher).Flush()
			select {
			case <-r.Context().Done():
				return
			case <-time.After(100 * time.Millisecond):
			}
		}
	}))
	t.Cleanup(s.Close)
	return s.URL + "/trickle.ndjson", gone
}

// Item 3, the source side: a source that trickles (one byte per 100 ms, far below the
// configured 1000 bytes per second over 1 s windows) fails the load with 422 naming the URL
// and the setting within seconds, its connection is dropped, nothing is written, and the
// server answers /health all the while. An $import input fails the same way.
func TestSourceTrickleCutOff(t *testing.T) {
	ts := newLoadServer(t, proxy.Config{MinTransferRate: 1000, TransferWindow: time.Second})
	source, gone := trickleSource(t)

	type answer struct {
		status int
		body   string
		err    error
	}
	done := make(chan answer, 1)
	start := time.Now()
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
		defer cancel()
		req, _ := http.NewRequestWithContext(ctx, "POST", ts.URL+"/Patient/$load", strings.NewReader(loadBody(source, "")))
		req.SetBasicAuth(adminID, adminSecret)
		req.Header.Set("Content-Type", "application/json")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			done <- answer{err: err}
			return
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		done <- answer{status: resp.StatusCode, body: string(body)}
	}()
	health := &http.Client{Timeout: time.Second}
	var got answer
	for waiting := true; waiting; {
		select {
		case got = <-done:
			waiting = false
		case <-time.After(200 * time.Millisecond):
			resp, err := health.Get(ts.URL + "/health")
			if err != nil {
				t.Fatalf("/health during the load: %v", err)
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("/health during the load: %d", resp.StatusCode)
			}
		}
	}
	if got.err != nil {
		t.Fatalf("the load did not end: %v", got.err)
	}
	if took := time.Since(start); got.status != http.StatusUnprocessableEntity || !strings.Contains(got.body, source) ||
		!strings.Contains(got.body, "SLUICE_BULK_MIN_RATE") || took > 10*time.Second {
		t.Fatalf("after %v: %d %s", took, got.status, got.body)
	}
	select {
	case <-gone:
	case <-time.After(5 * time.Second):
		t.Error("the trickling source's connection is still open")
	}
	if n := ts.loadRows("public.patient"); n != 0 {
		t.Errorf("%d patients written", n)
	}
	ts.noStagingTables()

	importSource, _ := trickleSource(t)
	ts.expect(http.StatusOK, request{method: "POST", path: "/$import", body: fmt.Sprintf(
		`{"id":"trickle","inputs":[{"resourceType":"Patient","url":%q}]}`, importSource)})
	status := waitImport(t, ts, "trickle")
	if in := status["inputs"].([]any)[0].(map[string]any); in["status"] != "failed" ||
		!strings.Contains(fmt.Sprint(in["error"]), "SLUICE_BULK_MIN_RATE") {
		t.Errorf("$import input: %v", in)
	}
	ts.expect(http.StatusOK, request{method: "GET", path: "/health"})
}
