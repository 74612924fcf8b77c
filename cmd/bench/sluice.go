package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"
)

const psqlBin = "/usr/bin/psql"

// sluiceServer is a real `sluice serve` process on a fresh embedded cluster, and the ways the
// bench talks to it: HTTP as the operator, and psql on the same database.
type sluiceServer struct {
	bin     string
	env     []string
	cmd     *exec.Cmd
	exited  chan struct{} // closed when cmd has ended
	url     string        // http://127.0.0.1:<port>
	secret  string
	conn    string // psql connection string of the embedded database
	logPath string
	client  *http.Client
}

// startSluice starts sluice with its data in dataDir (emptied first) and waits until /health
// answers. workers is SLUICE_IMPORT_WORKERS.
func startSluice(ctx context.Context, bin, dataDir string, workers int) (*sluiceServer, error) {
	if err := os.RemoveAll(dataDir); err != nil {
		return nil, err
	}
	if err := os.MkdirAll(dataDir, 0o755); err != nil {
		return nil, err
	}
	addr, err := freeAddr()
	if err != nil {
		return nil, err
	}
	secret := make([]byte, 16)
	rand.Read(secret)
	s := &sluiceServer{
		url:     "http://" + addr,
		secret:  hex.EncodeToString(secret),
		conn:    fmt.Sprintf("host=%s user=postgres dbname=sluice", filepath.Join(dataDir, "pg")),
		logPath: dataDir + ".log",
		// No transparent gunzip (DisableCompression): like curl, the client reads the bytes
		// the server sends.
		client: &http.Client{Transport: &http.Transport{DisableCompression: true}},
	}
	s.env = append(slicesWithout(os.Environ(), "DATABASE_URL="),
		"SLUICE_DATA="+dataDir,
		"SLUICE_LISTEN="+addr,
		"SLUICE_ADMIN_ID=admin",
		"SLUICE_ADMIN_SECRET="+s.secret,
		fmt.Sprintf("SLUICE_IMPORT_WORKERS=%d", workers),
		"SLUICE_SOURCE_ALLOW_PRIVATE=true", // the data files are served on loopback
	)
	s.bin = bin
	return s, s.start(ctx)
}

// start runs the sluice process (on the data folder as it is) and waits until it is healthy.
func (s *sluiceServer) start(ctx context.Context) error {
	logFile, err := os.OpenFile(s.logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return err
	}
	defer logFile.Close()
	s.cmd = exec.Command(s.bin, "serve")
	s.cmd.Env = s.env
	s.cmd.Stdout, s.cmd.Stderr = logFile, logFile
	if err := s.cmd.Start(); err != nil {
		return err
	}
	exited := make(chan struct{})
	s.exited = exited
	go func() { s.cmd.Wait(); close(exited) }()
	deadline := time.Now().Add(5 * time.Minute)
	for {
		resp, err := http.Get(s.url + "/health")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		select {
		case <-exited:
			return fmt.Errorf("sluice exited while starting (see %s)", s.logPath)
		case <-ctx.Done():
			s.stop()
			return ctx.Err()
		case <-time.After(200 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			s.stop()
			return fmt.Errorf("sluice did not become healthy in 5 minutes (see %s)", s.logPath)
		}
	}
}

// hasExited tells whether the sluice process has ended.
func (s *sluiceServer) hasExited() bool {
	select {
	case <-s.exited:
		return true
	default:
		return false
	}
}

// exitsWithin tells whether the sluice process ends within d (a failure caused by someone
// stopping it shows before the process is gone: it stops its PostgreSQL first).
func (s *sluiceServer) exitsWithin(d time.Duration) bool {
	select {
	case <-s.exited:
		return true
	case <-time.After(d):
		return false
	}
}

// pid is the sluice process's id: the Go server only, not its PostgreSQL.
func (s *sluiceServer) pid() int { return s.cmd.Process.Pid }

// stop asks sluice to shut down (it stops its PostgreSQL) and waits; SIGKILL after a minute.
func (s *sluiceServer) stop() {
	s.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-s.exited:
	case <-time.After(time.Minute):
		s.cmd.Process.Kill()
		<-s.exited
	}
}

func freeAddr() (string, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer l.Close()
	return l.Addr().String(), nil
}

func slicesWithout(env []string, prefix string) []string {
	var out []string
	for _, e := range env {
		if !strings.HasPrefix(e, prefix) {
			out = append(out, e)
		}
	}
	return out
}

// missingError means sluice does not serve the operation yet (501, or no such route).
type missingError struct{ msg string }

func (e *missingError) Error() string { return e.msg }

// do sends one request as the operator; body is JSON-encoded unless nil.
func (s *sluiceServer) do(ctx context.Context, method, path string, body any) (*http.Response, error) {
	var r io.Reader
	if body != nil {
		raw, err := json.Marshal(body)
		if err != nil {
			return nil, err
		}
		r = bytes.NewReader(raw)
	}
	req, err := http.NewRequestWithContext(ctx, method, s.url+path, r)
	if err != nil {
		return nil, err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	req.SetBasicAuth("admin", s.secret)
	return s.client.Do(req)
}

// call sends a request and decodes a JSON answer into out (when not nil). An answer other than
// want is an error; 404, 405 and 501 mean the route is missing (the paths the bench uses
// name known types).
func (s *sluiceServer) call(ctx context.Context, method, path string, body any, want int, out any) error {
	resp, err := s.do(ctx, method, path, body)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if err := statusError(method, path, resp, want); err != nil {
		return err
	}
	if out == nil {
		_, err = io.Copy(io.Discard, resp.Body)
		return err
	}
	return json.NewDecoder(resp.Body).Decode(out)
}

// fetch reads a whole response as curl would, discarding it, and returns what it counted.
func (s *sluiceServer) fetch(ctx context.Context, method, path string, body any) (countingWriter, error) {
	var c countingWriter
	resp, err := s.do(ctx, method, path, body)
	if err != nil {
		return c, err
	}
	defer resp.Body.Close()
	if err := statusError(method, path, resp, http.StatusOK); err != nil {
		return c, err
	}
	// A stream cut short (no terminating chunk) is an error here: io.ErrUnexpectedEOF.
	_, err = io.Copy(&c, resp.Body)
	return c, err
}

func statusError(method, path string, resp *http.Response, want int) error {
	if resp.StatusCode == want {
		return nil
	}
	raw, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
	msg := fmt.Sprintf("%s %s: %s: %s", method, path, resp.Status, outcomeText(raw))
	switch resp.StatusCode {
	case http.StatusNotFound, http.StatusMethodNotAllowed, http.StatusNotImplemented:
		return &missingError{msg}
	}
	return errors.New(msg)
}

// outcomeText is the diagnostics of an OperationOutcome, or the start of any other body.
func outcomeText(raw []byte) string {
	var oo struct {
		Issue []struct {
			Diagnostics string `json:"diagnostics"`
			Details     struct {
				Text string `json:"text"`
			} `json:"details"`
		} `json:"issue"`
	}
	if json.Unmarshal(raw, &oo) == nil && len(oo.Issue) > 0 {
		var parts []string
		for _, i := range oo.Issue {
			parts = append(parts, strings.TrimSpace(i.Diagnostics+" "+i.Details.Text))
		}
		return strings.Join(parts, "; ")
	}
	text := strings.TrimSpace(string(raw))
	if len(text) > 300 {
		text = text[:300] + "..."
	}
	return text
}

// psql runs one command (SQL, or a backslash command such as \copy) through psql on sluice's
// database and copies its output to out (nil: discarded). It returns the bytes psql wrote.
func (s *sluiceServer) psql(ctx context.Context, command string, out io.Writer) (int64, error) {
	c := &countingWriter{}
	w := io.Writer(c)
	if out != nil {
		w = io.MultiWriter(c, out)
	}
	cmd := exec.CommandContext(ctx, psqlBin, "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", s.conn, "-c", command)
	var stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = w, &stderr
	if err := cmd.Run(); err != nil {
		return c.bytes, fmt.Errorf("psql -c %q: %v: %s", shorten(command, 120), err, strings.TrimSpace(stderr.String()))
	}
	return c.bytes, nil
}

// psqlScript runs a script of several commands (psql's own included) through psql, given on
// its standard input, as psql does; output as for psql.
func (s *sluiceServer) psqlScript(ctx context.Context, script string, out io.Writer) (int64, error) {
	c := &countingWriter{}
	w := io.Writer(c)
	if out != nil {
		w = io.MultiWriter(c, out)
	}
	cmd := exec.CommandContext(ctx, psqlBin, "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", s.conn, "-f", "-")
	var stderr bytes.Buffer
	cmd.Stdin, cmd.Stdout, cmd.Stderr = strings.NewReader(script), w, &stderr
	if err := cmd.Run(); err != nil {
		return c.bytes, fmt.Errorf("psql script %q: %v: %s", shorten(script, 160), err, strings.TrimSpace(stderr.String()))
	}
	return c.bytes, nil
}

// psqlValue runs a query and returns its output unaligned, without headers.
func (s *sluiceServer) psqlValue(ctx context.Context, query string) (string, error) {
	var out bytes.Buffer
	cmd := exec.CommandContext(ctx, psqlBin, "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-d", s.conn, "-c", query)
	var stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &stderr
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("psql -c %q: %v: %s", shorten(query, 120), err, strings.TrimSpace(stderr.String()))
	}
	return strings.TrimSpace(out.String()), nil
}

func shorten(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "..."
}
