package main

// sluice load without a server: the same bulk.Load the $load handler calls, over a pool of the
// database sluice serve would use (DATABASE_URL, or the embedded data folder). All sources go
// in one transaction, so an error or Ctrl-C (the context ends) writes nothing.

import (
	"bufio"
	"compress/gzip"
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/sluice-fhir/sluice/gen"
	"github.com/sluice-fhir/sluice/internal/bulk"
	"github.com/sluice-fhir/sluice/internal/config"
	"github.com/sluice-fhir/sluice/migrations"
)

func loadDirect(ctx context.Context, spec bulk.Spec, sources []string) error {
	cfg, err := config.Load(os.Getenv)
	if err != nil {
		return err
	}
	url, release, err := database(ctx, cfg)
	if err != nil {
		return err
	}
	defer release()
	if err := migrations.Up(url); err != nil {
		return err
	}
	pool, err := pgxpool.New(ctx, url)
	if err != nil {
		return err
	}
	defer pool.Close()
	q := gen.New()
	spec.Operator = true // whoever can reach the database directly is its operator
	if err := bulk.Preflight(ctx, pool, q, spec); err != nil {
		return err
	}
	limits := bulk.Limits{MaxBytes: cfg.Server.LoadMaxBytes, MaxLines: cfg.Server.LoadMaxLines}
	var results []string
	err = pgx.BeginFunc(ctx, pool, func(tx pgx.Tx) error {
		for _, name := range sources {
			src, err := openSource(ctx, name)
			if err != nil {
				return err
			}
			written, err := bulk.Load(ctx, tx, q, spec, src, limits)
			src.Close()
			if err != nil {
				return fmt.Errorf("%s: %w", name, err)
			}
			if spec.ResourceType == "" {
				results = append(results, fmt.Sprintf("%s: %s", name, written.Counts))
			} else {
				results = append(results, fmt.Sprintf(`%s: {"total":%d}`, name, written.Total))
			}
		}
		return nil
	})
	if err != nil {
		if ctx.Err() != nil {
			return fmt.Errorf("interrupted; nothing was written")
		}
		return err
	}
	for _, r := range results {
		fmt.Println(r)
	}
	return nil
}

// openSource opens a file, `-` (stdin) or an http(s) URL, gunzipping it when its bytes start
// like gzip (not by its name).
func openSource(ctx context.Context, name string) (io.ReadCloser, error) {
	var raw io.ReadCloser
	switch {
	case name == "-":
		raw = io.NopCloser(os.Stdin)
	case strings.HasPrefix(name, "http://") || strings.HasPrefix(name, "https://"):
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, name, nil)
		if err != nil {
			return nil, err
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			return nil, err
		}
		if resp.StatusCode != http.StatusOK {
			resp.Body.Close()
			return nil, fmt.Errorf("%s: %s", name, resp.Status)
		}
		raw = resp.Body
	default:
		f, err := os.Open(name)
		if err != nil {
			return nil, err
		}
		raw = f
	}
	br := bufio.NewReader(raw)
	if magic, _ := br.Peek(2); len(magic) == 2 && magic[0] == 0x1f && magic[1] == 0x8b {
		zr, err := gzip.NewReader(br)
		if err != nil {
			raw.Close()
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		return struct {
			io.Reader
			io.Closer
		}{zr, raw}, nil
	}
	return struct {
		io.Reader
		io.Closer
	}{br, raw}, nil
}
