package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net"
	"os"
	"strconv"
	"sync"
	"time"

	"sessiond/bench/internal/resp"
	"sessiond/bench/internal/stats"
)

// load is one fixed-rate run against one address.
type load struct {
	clients  int
	cmd      string // "get" or "set"
	size     int
	keyspace int
	rate     float64 // total requests per second
	duration time.Duration
	warmup   time.Duration
	drain    time.Duration // how long to wait for outstanding replies at the end
}

// outcome is what one run measured. Latencies are in nanoseconds.
type outcome struct {
	lat      stats.Histogram // scheduled send → reply, recorded requests only
	lag      stats.Histogram // scheduled send → write, recorded requests only
	recorded uint64          // replies to requests scheduled after warmup
	errors   uint64          // error replies
	lost     uint64          // requests with no reply when the run ended
	achieved float64         // recorded replies per second of measured time
}

// appendKeyCommand appends GET key:NNN or SET key:NNN value in RESP.
func appendKeyCommand(buf []byte, cmd string, idx int, value []byte) []byte {
	if cmd == "set" {
		buf = append(buf, "*3\r\n$3\r\nSET\r\n$16\r\nkey:"...)
	} else {
		buf = append(buf, "*2\r\n$3\r\nGET\r\n$16\r\nkey:"...)
	}
	var digits [12]byte
	for i := len(digits) - 1; i >= 0; i-- {
		digits[i] = byte('0' + idx%10)
		idx /= 10
	}
	buf = append(buf, digits[:]...)
	buf = append(buf, '\r', '\n')
	if cmd == "set" {
		buf = append(buf, '$')
		buf = strconv.AppendInt(buf, int64(len(value)), 10)
		buf = append(buf, '\r', '\n')
		buf = append(buf, value...)
		buf = append(buf, '\r', '\n')
	}
	return buf
}

// populate sets every key of the keyspace, pipelined.
func populate(addr string, keyspace, size int) error {
	c, err := resp.Dial(addr, 5*time.Second)
	if err != nil {
		return err
	}
	defer c.Close()
	value := make([]byte, size)
	for i := range value {
		value[i] = 'x'
	}
	if err := c.Pipeline(keyspace, 1000, func(buf []byte, i int) []byte {
		return appendKeyCommand(buf, "set", i, value)
	}); err != nil {
		return fmt.Errorf("populate: %v", err)
	}
	return nil
}

// run drives the load: all connections are dialled first, then the shared
// schedule starts.
func (l load) run(ctx context.Context, addr string) (*outcome, error) {
	conns := make([]net.Conn, l.clients)
	for i := range conns {
		c, err := net.DialTimeout("tcp", addr, 5*time.Second)
		if err != nil {
			for _, c := range conns[:i] {
				c.Close()
			}
			return nil, err
		}
		conns[i] = c
	}
	value := make([]byte, l.size)
	for i := range value {
		value[i] = 'v'
	}
	base := time.Now()
	start := 20 * time.Millisecond // let every goroutine get going
	measureFrom := start + l.warmup
	end := measureFrom + l.duration
	gap := float64(time.Second) / l.rate // between consecutive sends overall
	perConn := gap * float64(l.clients)  // between sends on one connection

	results := make([]*outcome, l.clients)
	lastReply := make([]time.Duration, l.clients)
	var wg sync.WaitGroup
	for k, conn := range conns {
		results[k] = &outcome{}
		sched := func(i int) time.Duration {
			return start + time.Duration(float64(k)*gap+float64(i)*perConn)
		}
		// fifo carries each sent request's scheduled time to the reader;
		// writes are capped at maxBatch requests so the writer never holds
		// more unsent entries than the channel can queue.
		const maxBatch = 256
		fifo := make(chan time.Duration, 1<<16)
		wg.Add(2)
		go func() {
			defer wg.Done()
			defer close(fifo)
			// From here on, outstanding replies have l.drain to arrive.
			defer func() { _ = conn.SetReadDeadline(time.Now().Add(l.drain)) }()
			res := results[k]
			timer := time.NewTimer(0)
			rng := rand.New(rand.NewPCG(uint64(k), uint64(base.UnixNano())))
			buf := make([]byte, 0, 64<<10)
			for i := 0; sched(i) < end; {
				now := time.Since(base)
				n := 0
				for ; sched(i) <= now && sched(i) < end && n < maxBatch; i, n = i+1, n+1 {
					buf = appendKeyCommand(buf, l.cmd, rng.IntN(l.keyspace), value)
					fifo <- sched(i)
					if sched(i) >= measureFrom {
						res.lag.Record(int64(now - sched(i)))
					}
				}
				if len(buf) > 0 {
					if _, err := conn.Write(buf); err != nil {
						return
					}
					buf = buf[:0]
				}
				if n == maxBatch {
					continue
				}
				timer.Reset(sched(i) - time.Since(base))
				select {
				case <-ctx.Done():
					return
				case <-timer.C:
				}
			}
		}()
		go func() {
			defer wg.Done()
			res := results[k]
			r := bufio.NewReaderSize(conn, 64<<10)
			for t := range fifo {
				if err := resp.Skip(r); err != nil {
					var se resp.ServerError
					if !errors.As(err, &se) {
						res.lost++
						for range fifo {
							res.lost++
						}
						return
					}
					res.errors++
				}
				now := time.Since(base)
				if t >= measureFrom {
					res.lat.Record(int64(now - t))
					res.recorded++
					lastReply[k] = now
				}
			}
		}()
	}
	// Unblock readers if the run is interrupted or the drain time passes.
	stop := context.AfterFunc(ctx, func() {
		for _, c := range conns {
			_ = c.SetReadDeadline(time.Now())
		}
	})
	wg.Wait()
	stop()
	for _, c := range conns {
		c.Close()
	}
	total := &outcome{}
	var last time.Duration
	for k, r := range results {
		total.lat.Merge(&r.lat)
		total.lag.Merge(&r.lag)
		total.recorded += r.recorded
		total.errors += r.errors
		total.lost += r.lost
		last = max(last, lastReply[k])
	}
	if last > measureFrom {
		total.achieved = float64(total.recorded) / (last - measureFrom).Seconds()
	}
	if total.lost > 0 {
		fmt.Fprintf(os.Stderr, "warning: %d requests got no reply\n", total.lost)
	}
	return total, ctx.Err()
}
