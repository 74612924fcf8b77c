// Command bench measures sluice's bulk operations against raw PostgreSQL COPY through psql,
// side by side, on the same data and the same database, in one run, and writes the table to
// BENCHMARKS.md. `make bench` runs it (see BENCHMARKS.md for what each row compares):
//
//	bench -sluice BIN -scaledata BIN [-scale 10] [-runs 3] [-only REGEXP] [-out BENCHMARKS.md]
//	bench -scaling -scale N ...     the same operations at N and 4N: does cost grow linearly?
//
// Everything real: a `sluice serve` process on a fresh embedded cluster, psql, and HTTP on
// loopback. Data and scratch live in .bench/ (ignored by git).
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"
)

type config struct {
	root      string // .bench
	sluice    string // the sluice binary
	scaledata string // the scaledata binary
	input     string // the data set scaledata scales
	scale     int
	runs      int
	budget    time.Duration
	scaling   bool
	only      string
	types     []string
	out       string
}

func main() {
	var cfg config
	var types string
	flag.StringVar(&cfg.root, "dir", ".bench", "folder for data and scratch")
	flag.StringVar(&cfg.sluice, "sluice", ".tools/bin/sluice", "the sluice binary")
	flag.StringVar(&cfg.scaledata, "scaledata", ".tools/bin/scaledata", "the scaledata binary")
	flag.StringVar(&cfg.input, "input", "testdata/synthea-100", "the data set to scale")
	flag.IntVar(&cfg.scale, "scale", 10, "copies of the data set (10: about 500 MB of NDJSON)")
	flag.IntVar(&cfg.runs, "runs", 3, "runs of each side of each operation")
	flag.DurationVar(&cfg.budget, "budget", 2*time.Minute, "time per operation after which it takes no more runs (it always gets one)")
	flag.BoolVar(&cfg.scaling, "scaling", false, "run at -scale and 4 times it and compare times")
	flag.StringVar(&cfg.only, "only", "", "only operations whose name matches this regexp (the file is then not written)")
	flag.StringVar(&types, "types", "ExplanationOfBenefit,Observation,Claim", "types of the per-type operations")
	flag.StringVar(&cfg.out, "out", "BENCHMARKS.md", "markdown file to update (empty: none)")
	flag.Parse()
	if flag.NArg() != 0 || cfg.scale < 1 || cfg.runs < 1 {
		flag.Usage()
		os.Exit(2)
	}
	cfg.types = strings.Split(types, ",")
	if cfg.only != "" {
		cfg.out = ""
	}
	var err error
	for _, p := range []*string{&cfg.root, &cfg.sluice, &cfg.scaledata, &cfg.input} {
		if *p, err = filepath.Abs(*p); err != nil {
			fail(err)
		}
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, cfg); err != nil {
		fail(err)
	}
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "bench:", err)
	os.Exit(1)
}

func run(ctx context.Context, cfg config) error {
	if err := os.MkdirAll(cfg.root, 0o755); err != nil {
		return err
	}
	// The embedded cluster runs as the postgres user when we are root: it must reach its folder.
	if err := os.Chmod(cfg.root, 0o755); err != nil {
		return err
	}
	section, text := "run", ""
	if !cfg.scaling {
		rep, err := runSuite(ctx, cfg, cfg.scale)
		if err != nil {
			return err
		}
		text = rep.markdown()
	} else {
		small, err := runSuite(ctx, cfg, cfg.scale)
		if err != nil {
			return err
		}
		fmt.Println(small.markdown())
		large, err := runSuite(ctx, cfg, 4*cfg.scale)
		if err != nil {
			return err
		}
		fmt.Println(large.markdown())
		section, text = "scaling", scalingMarkdown(small, large)
	}
	fmt.Println(text)
	if cfg.out == "" {
		return nil
	}
	logf("writing %s", cfg.out)
	return updateBenchmarks(cfg.out, section, text)
}
