package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"runtime"
	"strconv"
	"sync"
	"syscall"
	"time"

	"sessiond/clock"
	"sessiond/config"
	"sessiond/gcpace"
	"sessiond/server"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func run(args []string, stdout, stderr io.Writer) int {
	cfg, err := config.Parse(args, stdout)
	switch {
	case errors.Is(err, config.ErrHelp), errors.Is(err, config.ErrVersion):
		return 0
	case err != nil:
		fmt.Fprintf(stderr, "sessiond: %v\n", err)
		return 1
	}
	log, closeLog, err := newLogger(cfg, stderr)
	if err != nil {
		fmt.Fprintf(stderr, "sessiond: %v\n", err)
		return 1
	}
	defer closeLog()
	// GOMAXPROCS stays the runtime's default, every core (see doc.go).
	procs := runtime.GOMAXPROCS(0)
	pacer := gcpace.Start(gcpace.DefaultHeadroom)
	defer pacer.Stop()
	for _, name := range cfg.NoEffect() {
		log.Info("directive accepted but has no effect in sessiond", "directive", name)
	}
	gcpace.SetLimit(cfg.Maxmemory())
	cfg.OnChange("maxmemory", func() { gcpace.SetLimit(cfg.Maxmemory()) })
	if cfg.Maxmemory() > 0 {
		log.Info("memory limit", "maxmemory", cfg.Maxmemory(), "maxmemory_human", server.HumanBytes(cfg.Maxmemory()),
			"maxmemory-policy", cfg.MaxmemoryPolicy(), "heap-limit", gcpace.LimitFor(cfg.Maxmemory()))
	} else {
		log.Warn("no memory limit (maxmemory 0): the dataset grows until the kernel kills the process",
			"maxmemory-policy", cfg.MaxmemoryPolicy())
	}

	srv := server.New(cfg, server.Options{Clock: clock.System{}, Logger: log})
	var listeners []net.Listener
	for _, host := range cfg.Bind() {
		host = trimOptional(host)
		addr := net.JoinHostPort(host, strconv.Itoa(cfg.Port()))
		ln, err := net.Listen("tcp", addr)
		if err != nil {
			log.Error("cannot listen", "addr", addr, "error", err)
			for _, l := range listeners {
				l.Close()
			}
			srv.Close()
			return 1
		}
		listeners = append(listeners, ln)
	}
	var wg sync.WaitGroup
	for _, ln := range listeners {
		log.Info("ready to accept connections", "addr", ln.Addr().String(), "version", config.Version, "gomaxprocs", procs)
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := srv.Serve(ln); err != nil {
				log.Error("serve failed", "error", err)
			}
		}()
	}

	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	select {
	case <-ctx.Done():
		log.Info("received signal, shutting down")
	case <-srv.ShutdownRequested():
		log.Info("SHUTDOWN received, shutting down")
	}
	srv.Close()
	wg.Wait()
	log.Info("sessiond is now ready to exit, bye bye")
	return 0
}

// trimOptional maps Redis's bind syntax to a host to listen on: a "-"
// prefix marks an address optional (we treat it as required), "*" is every
// IPv4 address and "::*" every IPv6 address.
func trimOptional(host string) string {
	if len(host) > 1 && host[0] == '-' {
		host = host[1:]
	}
	switch host {
	case "*":
		return "0.0.0.0"
	case "::*":
		return "::"
	}
	return host
}

func newLogger(cfg *config.Config, stderr io.Writer) (*slog.Logger, func(), error) {
	out, closeFn := stderr, func() {}
	if name := cfg.LogFile(); name != "" {
		f, err := os.OpenFile(name, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
		if err != nil {
			return nil, nil, fmt.Errorf("cannot open log file: %w", err)
		}
		out, closeFn = f, func() { f.Close() }
	}
	level := slog.LevelInfo
	switch cfg.LogLevel() {
	case "debug", "verbose":
		level = slog.LevelDebug
	case "warning":
		level = slog.LevelWarn
	case "nothing":
		out = io.Discard
	}
	h := slog.NewTextHandler(out, &slog.HandlerOptions{Level: level, ReplaceAttr: func(_ []string, a slog.Attr) slog.Attr {
		if a.Key == slog.TimeKey {
			a.Value = slog.StringValue(a.Value.Time().Format(time.RFC3339Nano))
		}
		return a
	}})
	return slog.New(h), closeFn, nil
}
