package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestMedian(t *testing.T) {
	for _, c := range []struct {
		in   []float64
		want float64
	}{
		{nil, 0},
		{[]float64{3}, 3},
		{[]float64{5, 1, 3}, 3},
		{[]float64{4, 1, 3, 2}, 2.5},
	} {
		if got := median(c.in); got != c.want {
			t.Errorf("median(%v) = %v, want %v", c.in, got, c.want)
		}
	}
}

func TestRatioIsMedianOfPairs(t *testing.T) {
	s := func(sec float64) sample { return sample{dur: time.Duration(sec * float64(time.Second))} }
	r := &result{
		op:     &operation{target: 0.8},
		sluice: []sample{s(2), s(4), s(1)},
		base:   []sample{s(1), s(4), s(1)},
	}
	if got := r.ratio(); got != 1 {
		t.Errorf("ratio = %v, want 1 (pairs 0.5, 1, 1)", got)
	}
	if got := r.met(); got != "yes" {
		t.Errorf("met = %q, want yes", got)
	}
}

func TestThousands(t *testing.T) {
	for in, want := range map[int64]string{0: "0", 999: "999", 1000: "1,000", 384730: "384,730", -1234567: "-1,234,567"} {
		if got := thousands(in); got != want {
			t.Errorf("thousands(%d) = %q, want %q", in, got, want)
		}
	}
}

func TestUpdateBenchmarksKeepsTheOtherSection(t *testing.T) {
	path := filepath.Join(t.TempDir(), "BENCHMARKS.md")
	if err := updateBenchmarks(path, "run", "## Last run\n\nrun table"); err != nil {
		t.Fatal(err)
	}
	if err := updateBenchmarks(path, "scaling", "## Scaling\n\nscaling table"); err != nil {
		t.Fatal(err)
	}
	if err := updateBenchmarks(path, "run", "## Last run\n\nnewer run table"); err != nil {
		t.Fatal(err)
	}
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	doc := string(raw)
	if !strings.HasPrefix(doc, "# Benchmarks") || !strings.Contains(doc, "newer run table") ||
		strings.Contains(doc, "\nrun table") || !strings.Contains(doc, "scaling table") {
		t.Errorf("unexpected document:\n%s", doc)
	}
}

// The fit of workersModel: with T(0) = 1.0 s and T(1) = 0.6 s, the workers split P = 0.8 s and
// S = 0.2 s is serial, so 16 processes give 1 / (0.2 + 0.05) = 4.0x and the limit is 5.0x.
func TestWorkersModel(t *testing.T) {
	row := func(name string, workers int, seconds float64) *result {
		return &result{op: &operation{name: name, workers: workers}, sluice: []sample{{dur: time.Duration(seconds * float64(time.Second))}}}
	}
	got := workersModel([]*result{row("to FHIR: Claim, 0 workers", 0, 1.0), row("to FHIR: Claim, 1 worker", 1, 0.6), row("to FHIR: Claim, 2 workers", 2, 0.55)})
	want := "| to FHIR: Claim | 20% | 2.5x | 4.0x | 5.0x |"
	if !strings.Contains(got, want) {
		t.Errorf("got\n%s\nwant a row %s", got, want)
	}
}
