package proxy_test

import (
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/sluice-fhir/sluice/internal/pgtest"
	"github.com/sluice-fhir/sluice/proxy"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

// The operator credential of test servers.
const (
	adminID     = "admin"
	adminSecret = "admin-secret"
)

// testServer is a real sluice HTTP server on loopback over its own fresh database.
type testServer struct {
	URL  string
	Pool *pgxpool.Pool
	t    testing.TB
}

// newTestServer starts a server; cfg's admin credential is filled in when empty.
func newTestServer(t testing.TB, cfg proxy.Config) *testServer {
	t.Helper()
	if cfg.AdminID == "" {
		cfg.AdminID, cfg.AdminSecret = adminID, adminSecret
	}
	pool := pgtest.NewPool(t)
	api := proxy.New(pool, cfg)
	server := httptest.NewServer(api)
	t.Cleanup(func() {
		server.Close()
		api.Close()
	})
	return &testServer{URL: server.URL, Pool: pool, t: t}
}

// request is one HTTP request of a test.
type request struct {
	method, path string
	body         string
	contentType  string   // default application/json when there is a body
	auth         []string // {id, secret}; nil means the operator; {} means none
	accept       string   // the Accept header; none when empty
	bearer       string   // when set, "Authorization: Bearer <bearer>" instead of auth
}

// do sends a request and returns the response with its whole body read.
func (s *testServer) do(req request) (*http.Response, []byte) {
	s.t.Helper()
	var body io.Reader
	if req.body != "" {
		body = bytes.NewBufferString(req.body)
	}
	r, err := http.NewRequest(req.method, s.URL+req.path, body)
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
	switch {
	case req.bearer != "":
		r.Header.Set("Authorization", "Bearer "+req.bearer)
	case req.auth == nil:
		r.SetBasicAuth(adminID, adminSecret)
	case len(req.auth) == 2:
		r.SetBasicAuth(req.auth[0], req.auth[1])
	}
	resp, err := http.DefaultClient.Do(r)
	if err != nil {
		s.t.Fatal(err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		s.t.Fatal(err)
	}
	return resp, data
}

// expect sends a request and fails the test unless the status is want.
func (s *testServer) expect(want int, req request) []byte {
	s.t.Helper()
	resp, body := s.do(req)
	if resp.StatusCode != want {
		s.t.Fatalf("%s %s: status %d, want %d: %s", req.method, req.path, resp.StatusCode, want, body)
	}
	return body
}
