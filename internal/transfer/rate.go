// Package transfer keeps bulk transfers moving: the slow-transfer rate guard shared by exports
// (a client reading) and loads (a source sending).
package transfer

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

// Guard calls onSlow once when fewer than minRate*window bytes were counted (Add) during a
// window. Windows start when the guard does; Stop ends it. A zero minRate disables the check.
type Guard struct {
	count  atomic.Int64
	ticker *time.Ticker
	done   chan struct{}
}

// NewGuard starts a Guard.
func NewGuard(minRate int64, window time.Duration, onSlow func(err error)) *Guard {
	g := &Guard{done: make(chan struct{})}
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
				onSlow(&SlowError{Moved: moved, Window: window, MinRate: minRate})
				return
			}
			last = now
		}
	}()
	return g
}

// Add counts n bytes moved.
func (g *Guard) Add(n int) { g.count.Add(int64(n)) }

// Stop ends the guard; call it once.
func (g *Guard) Stop() { close(g.done) }

// SlowError is the cause of a transfer cut off for being too slow.
type SlowError struct {
	Moved   int64 // bytes moved in the window; negative: a write to the client timed out
	Window  time.Duration
	MinRate int64
}

func (e *SlowError) Error() string {
	if e.Moved < 0 {
		return fmt.Sprintf("too slow: below the minimum of %d bytes per second (SLUICE_BULK_MIN_RATE, with %v of slack: SLUICE_BULK_RATE_WINDOW)",
			e.MinRate, e.Window)
	}
	return fmt.Sprintf("too slow: %d bytes in %v, below the minimum of %d bytes per second (SLUICE_BULK_MIN_RATE, over SLUICE_BULK_RATE_WINDOW)",
		e.Moved, e.Window, e.MinRate)
}
