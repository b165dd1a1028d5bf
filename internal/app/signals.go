package app

import (
	"context"
	"os"
	"os/signal"
	"syscall"
	"time"
)

// InterruptContext turns SIGINT and SIGTERM (Ctrl-C, a cancelled workflow)
// into the two stages every command honours: the first cancels the
// returned context, so servers stop gracefully and finished files are
// kept; the second closes abort, so servers are killed at once. If the
// command has still not returned grace after the second signal, the
// process exits with ExitInfra.
func InterruptContext(grace time.Duration) (ctx context.Context, abort <-chan struct{}) {
	ctx, cancel := context.WithCancel(context.Background())
	aborted := make(chan struct{})
	signals := make(chan os.Signal, 2)
	signal.Notify(signals, os.Interrupt, syscall.SIGTERM)
	go func() {
		<-signals
		cancel()
		<-signals
		close(aborted)
		time.Sleep(grace)
		os.Exit(ExitInfra)
	}()
	return ctx, aborted
}
