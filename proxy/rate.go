package proxy

import (
	"fmt"
	"sync/atomic"
	"time"
)

// Every bulk transfer (a client reading an export, a source feeding a load) must keep moving:
// a peer that sends or reads fewer than Config.MinTransferRate bytes per second, measured over
// each Config.TransferWindow, is cut off, so it cannot hold a connection and a transaction
// open for as long as it likes by trickling (the idle timer of a plain read deadline resets
// on every byte).

// Defaults of the transfer limits.
const (
	DefaultMinTransferRate = 16 << 10 // bytes per second
	DefaultTransferWindow  = 30 * time.Second
	DefaultBulkMaxDuration = time.Hour
)

// rateGuard calls onSlow once when fewer than minRate*window bytes were counted (add) during a
// window. Windows start when the guard does; stop ends it. A zero minRate disables the check.
type rateGuard struct {
	count  atomic.Int64
	ticker *time.Ticker
	done   chan struct{}
}

func newRateGuard(minRate int64, window time.Duration, onSlow func(err error)) *rateGuard {
	g := &rateGuard{done: make(chan struct{})}
	if minRate <= 0 || window <= 0 {
		return g
	}
	g.ticker = time.NewTicker(window)
	go func() {
		defer g.ticker.Stop()
		var last int64
		for {
			select {
			case <-g.done:
				return
			case <-g.ticker.C:
			}
			now := g.count.Load()
			if moved := now - last; float64(moved) < float64(minRate)*window.Seconds() {
				onSlow(&slowTransferError{moved: moved, window: window, minRate: minRate})
				return
			}
			last = now
		}
	}()
	return g
}

// add counts n bytes moved.
func (g *rateGuard) add(n int) { g.count.Add(int64(n)) }

// stop ends the guard; call it once.
func (g *rateGuard) stop() { close(g.done) }

// slowTransferError is the cause of a transfer cut off for being too slow.
type slowTransferError struct {
	moved   int64
	window  time.Duration
	minRate int64
}

func (e *slowTransferError) Error() string {
	if e.moved < 0 {
		return fmt.Sprintf("too slow: below the minimum of %d bytes per second (SLUICE_BULK_MIN_RATE, with %v of slack: SLUICE_BULK_RATE_WINDOW)",
			e.minRate, e.window)
	}
	return fmt.Sprintf("too slow: %d bytes in %v, below the minimum of %d bytes per second (SLUICE_BULK_MIN_RATE, over SLUICE_BULK_RATE_WINDOW)",
		e.moved, e.window, e.minRate)
}
