package main

// sluice load / sluice dump against a running server, through its HTTP API; without --url,
// load runs directly on the database (direct.go). Unfinished: local files and `-` against a
// server (the $load API takes only a source URL), direct dump, and the progress bar.

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strings"

	"github.com/sluice-fhir/sluice/internal/bulk"
	"github.com/sluice-fhir/sluice/internal/config"
)

// server is where and as whom the client talks: --url/--user, else SLUICE_URL/SLUICE_USER.
type server struct{ base, user string }

func serverFlags(fs *flag.FlagSet) *server {
	s := &server{}
	fs.StringVar(&s.base, "url", os.Getenv(config.ClientURLVariable), "server base URL ("+config.ClientURLVariable+")")
	fs.StringVar(&s.user, "user", os.Getenv(config.ClientUserVariable), "id:secret for basic auth ("+config.ClientUserVariable+")")
	return s
}

func (s *server) request(ctx context.Context, method, path string, body io.Reader) (*http.Response, error) {
	if s.base == "" {
		return nil, errors.New("no server: give --url or SLUICE_URL (direct mode is not built yet)")
	}
	req, err := http.NewRequestWithContext(ctx, method, strings.TrimRight(s.base, "/")+path, body)
	if err != nil {
		return nil, err
	}
	if id, secret, ok := strings.Cut(s.user, ":"); ok {
		req.SetBasicAuth(id, secret)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != http.StatusOK {
		defer resp.Body.Close()
		msg, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
		return nil, fmt.Errorf("%s %s: %s: %s", method, path, resp.Status, bytes.TrimSpace(msg))
	}
	return resp, nil
}

func loadCommand(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("load", flag.ContinueOnError)
	s := serverFlags(fs)
	fhir := fs.Bool("fhir", false, "input is FHIR format")
	typ := fs.String("type", "", "every line is of this type")
	update := fs.Bool("update", false, "keep previous versions in history")
	onError := fs.String("on-error", "", "fail or skip (passed to the server)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() == 0 {
		return errors.New("load: give at least one FILE, URL or -")
	}
	if s.base == "" {
		if *onError != "" && *onError != "fail" {
			return errors.New("load: --on-error skip needs a server (--url) for now")
		}
		return loadDirect(ctx, bulk.Spec{ResourceType: *typ, FHIR: *fhir, Update: *update}, fs.Args())
	}
	path := "/$load"
	if *typ != "" {
		path = "/" + url.PathEscape(*typ) + path
	}
	if *fhir {
		path = "/fhir" + path
	}
	for _, src := range fs.Args() {
		if !strings.Contains(src, "://") {
			return fmt.Errorf("load %s: only URLs are supported against a server for now", src)
		}
		body := map[string]any{"source": src, "update": *update}
		if *onError != "" {
			body["on-error"] = *onError
		}
		b, _ := json.Marshal(body)
		resp, err := s.request(ctx, http.MethodPost, path, bytes.NewReader(b))
		if err != nil {
			return err
		}
		answer, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil {
			return err
		}
		fmt.Printf("%s: %s\n", src, bytes.TrimSpace(answer))
	}
	return nil
}

func dumpCommand(ctx context.Context, args []string) error {
	if len(args) == 0 || strings.HasPrefix(args[0], "-") {
		return errors.New("dump: give the type first: sluice dump T [flags]")
	}
	typ := args[0]
	fs := flag.NewFlagSet("dump", flag.ContinueOnError)
	s := serverFlags(fs)
	fhir := fs.Bool("fhir", false, "FHIR format")
	since := fs.String("since", "", "only resources created after this")
	gz := fs.Bool("gzip", false, "gzip the output")
	out := fs.String("o", "", "output file (default stdout)")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	q := url.Values{}
	if *fhir {
		q.Set("fhir", "true")
	}
	if *since != "" {
		q.Set("_since", *since)
	}
	if *gz {
		q.Set("gzip", "true")
	}
	resp, err := s.request(ctx, http.MethodGet, "/"+url.PathEscape(typ)+"/$dump?"+q.Encode(), nil)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	w := io.Writer(os.Stdout)
	if *out != "" {
		f, err := os.Create(*out)
		if err != nil {
			return err
		}
		defer f.Close()
		w = f
	}
	if _, err := io.Copy(w, resp.Body); err != nil {
		if *out != "" {
			os.Remove(*out)
		}
		return fmt.Errorf("dump %s: %w", typ, err)
	}
	return nil
}
