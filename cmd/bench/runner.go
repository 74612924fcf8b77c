package main

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// result is what the runs of one operation gave.
type result struct {
	op      *operation
	sluice  []sample
	base    []sample
	ref     []sample // the reference baseline's runs, when the operation has one
	missing string   // why sluice cannot do it yet; empty when it can
	failed  string   // what went wrong; empty when nothing did
}

// measure runs the sides of an operation (sluice, the baseline, and the reference baseline when
// there is one) runs times, rotating which goes first, so slow drift on a shared machine hits
// them alike. A slow operation gets fewer runs: another run is
// started only when, at the pace of the runs so far, it would end within budget.
func (b *bench) measure(ctx context.Context, op *operation, runs int, budget time.Duration) *result {
	r := &result{op: op}
	start := time.Now()
	for i := 0; i < runs; i++ {
		if spent := time.Since(start); i > 0 && spent+spent/time.Duration(i) > budget {
			logf("  %d run(s) took %s: no more within the budget of %s", i, spent.Round(time.Second), budget)
			break
		}
		sides := []*side{&op.sluice, &op.base}
		if op.ref.run != nil {
			sides = append(sides, &op.ref)
		}
		for k := range sides {
			s := sides[(i+k)%len(sides)]
			isSluice := s == &op.sluice
			if err := s.prepare(ctx); err != nil {
				r.failed = fmt.Sprintf("preparing %s: %v", s.name, err)
				return r
			}
			pid := 0
			if s.server {
				pid = b.sluice.pid()
			}
			smp, err := timed(ctx, pid, s.run)
			var missing *missingError
			switch {
			case err != nil && isSluice && errors.As(err, &missing):
				r.missing = missing.msg
				logf("  missing: %s", r.missing)
				return r
			case err != nil:
				r.failed = fmt.Sprintf("%s: %v", s.name, err)
				if b.sluice.hasExited() {
					r.failed += fmt.Sprintf(" (sluice exited, see %s)", b.sluice.logPath)
				}
				logf("  failed: %s", r.failed)
				return r
			case isSluice:
				r.sluice = append(r.sluice, smp)
			case s == &op.base:
				r.base = append(r.base, smp)
			default:
				r.ref = append(r.ref, smp)
			}
		}
		logf("  run %d/%d: sluice %.2f s, baseline %.2f s", i+1, runs,
			r.sluice[i].dur.Seconds(), r.base[i].dur.Seconds())
	}
	return r
}

func (r *result) ok() bool { return r.missing == "" && r.failed == "" && len(r.sluice) > 0 }

// sluiceTime and baseTime are the medians of the runs.
func (r *result) sluiceTime() time.Duration { return medianDur(r.sluice) }
func (r *result) baseTime() time.Duration   { return medianDur(r.base) }

// ratio is the median over runs of baseline time / sluice time: a throughput ratio, 1.0 when
// sluice is as fast as its baseline. Each run's pair ran back to back.
func (r *result) ratio() float64 { return ratioOf(r.base, r.sluice) }

// refRatio is ratio against the reference baseline.
func (r *result) refRatio() float64 { return ratioOf(r.ref, r.sluice) }

func ratioOf(base, sluice []sample) float64 {
	var xs []float64
	for i := range min(len(sluice), len(base)) {
		xs = append(xs, base[i].dur.Seconds()/sluice[i].dur.Seconds())
	}
	return median(xs)
}

// peakRSS is the largest resident size of the sluice process seen during its runs.
func (r *result) peakRSS() int64 {
	var peak int64
	for _, s := range r.sluice {
		peak = max(peak, s.rss)
	}
	return peak
}

// met tells whether the targets hold, and which does not.
func (r *result) met() string {
	var misses []string
	if r.op.target > 0 && r.ratio() < r.op.target {
		misses = append(misses, "ratio")
	}
	if r.op.memTarget > 0 && r.op.sluice.server && r.peakRSS() > r.op.memTarget {
		misses = append(misses, "memory")
	}
	switch {
	case r.op.target == 0 && r.op.memTarget == 0:
		return "—"
	case len(misses) == 0:
		return "yes"
	case len(misses) == 1:
		return "**no** (" + misses[0] + ")"
	}
	return "**no** (ratio, memory)"
}

func medianDur(samples []sample) time.Duration {
	var xs []float64
	for _, s := range samples {
		xs = append(xs, s.dur.Seconds())
	}
	return time.Duration(median(xs) * float64(time.Second))
}

func medianBytes(samples []sample) int64 {
	var xs []float64
	for _, s := range samples {
		xs = append(xs, float64(s.bytes))
	}
	return int64(median(xs))
}
