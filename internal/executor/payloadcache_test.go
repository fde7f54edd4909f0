package executor_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jetplay/jetplay/internal/bus"
	"github.com/jetplay/jetplay/internal/executor"
	"github.com/jetplay/jetplay/internal/job"
	"github.com/jetplay/jetplay/internal/natstest"
	"github.com/jetplay/jetplay/internal/payload"
)

// fakeFetcher serves payloads from a map, counting fetches; with gate set,
// each fetch waits for the gate to close (or its ctx to end).
type fakeFetcher struct {
	mu       sync.Mutex
	data     map[string][]byte // by sha256
	fail     map[string]error  // the next fetch of a sha256 fails with it
	fetches  map[string]int
	gate     chan struct{}
	canceled chan string // a fetch's ctx ended: its sha256
}

func newFakeFetcher() *fakeFetcher {
	return &fakeFetcher{data: map[string][]byte{}, fail: map[string]error{}, fetches: map[string]int{}, canceled: make(chan string, 10)}
}

func (f *fakeFetcher) add(name, content string) job.PayloadRef {
	ref := job.PayloadRef{SHA256: fmt.Sprintf("%064x", len(f.data)+1), Size: int64(len(content)), Style: job.StylePython, Name: name}
	f.mu.Lock()
	f.data[ref.SHA256] = []byte(content)
	f.mu.Unlock()
	return ref
}

func (f *fakeFetcher) count(ref job.PayloadRef) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.fetches[ref.SHA256]
}

func (f *fakeFetcher) GetPayload(ctx context.Context, ref job.PayloadRef) ([]byte, error) {
	f.mu.Lock()
	f.fetches[ref.SHA256]++
	gate := f.gate
	err := f.fail[ref.SHA256]
	delete(f.fail, ref.SHA256)
	data, ok := f.data[ref.SHA256]
	f.mu.Unlock()
	if gate != nil {
		select {
		case <-gate:
		case <-ctx.Done():
			f.canceled <- ref.SHA256
			return nil, ctx.Err()
		}
	}
	switch {
	case err != nil:
		return nil, err
	case !ok || int64(len(data)) != ref.Size:
		return nil, bus.ErrPayloadNotFound
	}
	return data, nil
}

func newCache(t *testing.T, f executor.PayloadFetcher, maxBytes int64) *executor.PayloadCache {
	t.Helper()
	c, err := executor.NewPayloadCache(executor.PayloadCacheConfig{Fetcher: f, MaxBytes: maxBytes})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// waitFor polls cond for up to 10 s.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(time.Millisecond)
	}
}

func TestPayloadCacheConcurrentGetsFetchOnce(t *testing.T) {
	t.Parallel()
	f := newFakeFetcher()
	ref := f.add("ansible.builtin.ping", "zip bytes")
	f.gate = make(chan struct{})
	c := newCache(t, f, 0)
	const n = 20
	var wg sync.WaitGroup
	got := make([][]byte, n)
	errs := make([]error, n)
	for i := range n {
		wg.Go(func() { got[i], errs[i] = c.Get(context.Background(), ref) })
	}
	// Every caller is waiting on the one fetch before it returns.
	waitFor(t, "20 waiters", func() bool { return c.Stats().Waiting == n })
	close(f.gate)
	wg.Wait()
	for i := range n {
		if errs[i] != nil || string(got[i]) != "zip bytes" {
			t.Fatalf("caller %d: %q, %v", i, got[i], errs[i])
		}
	}
	if k := f.count(ref); k != 1 {
		t.Errorf("%d fetches, want 1", k)
	}
	if _, err := c.Get(context.Background(), ref); err != nil {
		t.Fatal(err)
	}
	if s := c.Stats(); s.Fetches != 1 || s.Hits != 1 || s.Entries != 1 || s.Bytes != 9 || s.Waiting != 0 {
		t.Errorf("stats %+v", s)
	}
}

func TestPayloadCacheDoesNotKeepAFailure(t *testing.T) {
	t.Parallel()
	f := newFakeFetcher()
	ref := f.add("community.general.ini_file", "the module")
	boom := &bus.PayloadMismatchError{Ref: ref, Size: 3}
	f.fail[ref.SHA256] = boom
	f.gate = make(chan struct{})
	c := newCache(t, f, 0)
	var wg sync.WaitGroup
	errs := make([]error, 3)
	for i := range errs {
		wg.Go(func() { _, errs[i] = c.Get(context.Background(), ref) })
	}
	waitFor(t, "3 waiters", func() bool { return c.Stats().Waiting == 3 })
	close(f.gate)
	wg.Wait()
	for i, err := range errs {
		if !errors.Is(err, bus.ErrPayloadMismatch) {
			t.Errorf("caller %d: %v, want the fetch's error", i, err)
		}
	}
	// Not kept: the next Get fetches again, and succeeds.
	data, err := c.Get(context.Background(), ref)
	if err != nil || string(data) != "the module" {
		t.Fatalf("second Get: %q, %v", data, err)
	}
	if k := f.count(ref); k != 2 {
		t.Errorf("%d fetches, want 2", k)
	}
	if s := c.Stats(); s.Failures != 1 || s.Entries != 1 {
		t.Errorf("stats %+v", s)
	}
	// A ref with the held hash and another size is not served from memory.
	wrong := ref
	wrong.Size++
	if _, err := c.Get(context.Background(), wrong); !errors.Is(err, bus.ErrPayloadNotFound) {
		t.Errorf("wrong size: %v, want the fetcher's refusal", err)
	}
}

func TestPayloadCacheBoundEvictsLeastRecentlyUsed(t *testing.T) {
	t.Parallel()
	f := newFakeFetcher()
	a, b, d := f.add("a", "aaaa"), f.add("b", "bbbb"), f.add("d", "dddd")
	big := f.add("big", strings.Repeat("x", 11))
	c := newCache(t, f, 10)
	get := func(ref job.PayloadRef) {
		t.Helper()
		if _, err := c.Get(context.Background(), ref); err != nil {
			t.Fatal(err)
		}
	}
	get(a)
	get(b)
	get(a) // a is now the most recent
	get(d) // 12 bytes: b goes
	if s := c.Stats(); s.Entries != 2 || s.Bytes != 8 || s.Evictions != 1 {
		t.Fatalf("stats %+v", s)
	}
	get(a)
	get(d)
	get(b)
	if f.count(a) != 1 || f.count(d) != 1 || f.count(b) != 2 {
		t.Errorf("fetches a %d, d %d, b %d; want 1, 1, 2", f.count(a), f.count(d), f.count(b))
	}
	// Larger than the bound: returned, not kept, nothing evicted for it.
	before := c.Stats()
	get(big)
	get(big)
	if after := c.Stats(); f.count(big) != 2 || after.Entries != before.Entries || after.Evictions != before.Evictions {
		t.Errorf("big: %d fetches, stats %+v then %+v", f.count(big), before, after)
	}
}

func TestPayloadCacheCallersGivingUp(t *testing.T) {
	t.Parallel()
	f := newFakeFetcher()
	ref := f.add("slow", "slow module")
	f.gate = make(chan struct{})
	c := newCache(t, f, 0)

	// One caller gives up; the other still gets the payload.
	quitter, quit := context.WithCancel(context.Background())
	quitErr := make(chan error, 1)
	go func() { _, err := c.Get(quitter, ref); quitErr <- err }()
	stayed := make(chan []byte, 1)
	go func() { data, _ := c.Get(context.Background(), ref); stayed <- data }()
	waitFor(t, "2 waiters", func() bool { return c.Stats().Waiting == 2 })
	quit()
	if err := <-quitErr; !errors.Is(err, context.Canceled) {
		t.Fatalf("the caller that gave up: %v", err)
	}
	close(f.gate)
	if data := <-stayed; string(data) != "slow module" {
		t.Fatalf("the caller that stayed: %q", data)
	}

	// When every caller gives up, the fetch is cancelled and not kept.
	other := f.add("other", "other module")
	f.mu.Lock()
	f.gate = make(chan struct{})
	f.mu.Unlock()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { _, err := c.Get(ctx, other); done <- err }()
	waitFor(t, "1 waiter", func() bool { return c.Stats().Waiting == 1 })
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Fatalf("Get: %v", err)
	}
	select {
	case sha := <-f.canceled:
		if sha != other.SHA256 {
			t.Fatalf("cancelled fetch of %s", sha)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the fetch nobody waits for was not cancelled")
	}
	close(f.gate)
	if data, err := c.Get(context.Background(), other); err != nil || string(data) != "other module" {
		t.Fatalf("after the cancelled fetch: %q, %v", data, err)
	}
	if k := f.count(other); k != 2 {
		t.Errorf("%d fetches of other, want 2 (the cancelled one and a fresh one)", k)
	}
}

func TestNewPayloadCacheValidates(t *testing.T) {
	t.Parallel()
	if _, err := executor.NewPayloadCache(executor.PayloadCacheConfig{}); err == nil {
		t.Error("no fetcher accepted")
	}
	if _, err := executor.NewPayloadCache(executor.PayloadCacheConfig{Fetcher: newFakeFetcher(), MaxBytes: -1}); err == nil {
		t.Error("negative bound accepted")
	}
}

// TestPayloadCacheOverTheBus: the cache over the real payload store fetches
// a payload once, and refuses (without keeping it) one changed under its
// name.
func TestPayloadCacheOverTheBus(t *testing.T) {
	t.Parallel()
	_, _, js := natstest.Run(t)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	bs, err := bus.Open(ctx, js, bus.Config{})
	if err != nil {
		t.Fatal(err)
	}
	data := bytes.Repeat([]byte("PK module "), 1000)
	ref, err := bs.PutPayload(ctx, "ansible.builtin.lineinfile", job.StylePython, data)
	if err != nil {
		t.Fatal(err)
	}
	c := newCache(t, bs, 0)
	for range 3 {
		if got, err := c.Get(ctx, ref); err != nil || !bytes.Equal(got, data) {
			t.Fatalf("Get: %d bytes, %v", len(got), err)
		}
	}
	if s := c.Stats(); s.Fetches != 1 || s.Hits != 2 {
		t.Errorf("stats %+v", s)
	}
	evil := bytes.Repeat([]byte("PK evil!!! "), 1000)[:len(data)]
	ref2, err := bs.PutPayload(ctx, "ansible.builtin.copy", job.StylePython, evil[:len(evil)-1])
	if err != nil {
		t.Fatal(err)
	}
	obs, err := js.ObjectStore(ctx, job.PayloadBucket)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := obs.PutBytes(ctx, ref2.SHA256, append(evil[:len(evil)-2:len(evil)-2], 'X')); err != nil {
		t.Fatal(err)
	}
	for range 2 {
		if _, err := c.Get(ctx, ref2); !errors.Is(err, bus.ErrPayloadMismatch) {
			t.Fatalf("Get of a changed object: %v, want ErrPayloadMismatch", err)
		}
	}
	if s := c.Stats(); s.Fetches != 3 || s.Failures != 2 || s.Entries != 1 {
		t.Errorf("stats %+v", s)
	}
}

// TestPayloadStylesAreTheBuilders: the styles a task's payload ref names are
// the strings package payload builds and opens payloads with.
func TestPayloadStylesAreTheBuilders(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		wire  job.PayloadStyle
		built payload.Style
	}{
		{job.StylePython, payload.StylePython},
		{job.StyleJSONArgs, payload.StyleJSONArgs},
		{job.StyleWantJSON, payload.StyleWantJSON},
		{job.StyleOld, payload.StyleOld},
		{job.StyleBinary, payload.StyleBinary},
	} {
		if string(tt.wire) != string(tt.built) || !tt.wire.Valid() {
			t.Errorf("job style %q, payload style %q", tt.wire, tt.built)
		}
	}
	if job.PayloadStyle(payload.StylePowerShell).Valid() {
		t.Error("a PowerShell payload is valid on the wire")
	}
}
