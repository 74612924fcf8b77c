package main

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"
)

// sample is one timed run of one side of an operation.
type sample struct {
	dur   time.Duration
	bytes int64 // bytes moved: the source read (loads) or the output received (exports)
	rss   int64 // peak VmRSS of the sluice process during the run, in bytes (0: not sampled)
}

// timed runs f, sampling the resident memory of process pid meanwhile (pid 0: no sampling).
func timed(ctx context.Context, pid int, f func(context.Context) (int64, error)) (sample, error) {
	stop := sampleRSS(pid, 50*time.Millisecond)
	start := time.Now()
	n, err := f(ctx)
	dur := time.Since(start)
	return sample{dur: dur, bytes: n, rss: stop()}, err
}

// sampleRSS reads VmRSS of process pid every interval until the returned function is called,
// which returns the largest value seen. VmHWM would be simpler, but it only grows over the
// process's life, so it cannot tell one operation's peak from an earlier one's.
func sampleRSS(pid int, every time.Duration) (stop func() int64) {
	if pid == 0 {
		return func() int64 { return 0 }
	}
	done := make(chan struct{})
	peak := make(chan int64)
	go func() {
		var max int64
		tick := time.NewTicker(every)
		defer tick.Stop()
		for {
			if v, err := procStatus(pid, "VmRSS"); err == nil && v > max {
				max = v
			}
			select {
			case <-done:
				if v, err := procStatus(pid, "VmRSS"); err == nil && v > max {
					max = v
				}
				peak <- max
				return
			case <-tick.C:
			}
		}
	}()
	return func() int64 {
		close(done)
		return <-peak
	}
}

// procStatus returns a "kB" field of /proc/<pid>/status (VmRSS, VmHWM) in bytes.
func procStatus(pid int, field string) (int64, error) {
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		name, value, ok := strings.Cut(sc.Text(), ":")
		if ok && name == field {
			kb, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(value), " kB"), 10, 64)
			return kb * 1024, err
		}
	}
	return 0, fmt.Errorf("no %s in /proc/%d/status", field, pid)
}

// median of xs (the mean of the middle two for an even count); 0 for none.
func median(xs []float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

var newline = []byte{'\n'}

// countingWriter discards what it is given and counts bytes and newlines.
type countingWriter struct {
	bytes, lines int64
}

func (c *countingWriter) Write(p []byte) (int, error) {
	c.bytes += int64(len(p))
	c.lines += int64(bytes.Count(p, newline))
	return len(p), nil
}
