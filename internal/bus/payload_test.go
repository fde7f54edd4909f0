package bus_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/jetplay/jetplay/internal/bus"
	"github.com/jetplay/jetplay/internal/job"
	"github.com/jetplay/jetplay/internal/natstest"
)

// setupPayloads opens a bus with Open (so the payload store is created on
// first use) on a fresh server.
func setupPayloads(t *testing.T, cfg bus.Config) (*bus.Bus, jetstream.JetStream, context.Context) {
	t.Helper()
	_, _, js := natstest.Run(t)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	t.Cleanup(cancel)
	bs, err := bus.Open(ctx, js, cfg)
	if err != nil {
		t.Fatal(err)
	}
	return bs, js, ctx
}

func randomBytes(t *testing.T, n int) []byte {
	t.Helper()
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return b
}

// lastSeq is the last sequence of the payload store's stream: it grows
// with every chunk or meta message stored.
func lastSeq(t *testing.T, ctx context.Context, js jetstream.JetStream) uint64 {
	t.Helper()
	st, err := js.Stream(ctx, job.PayloadStream)
	if err != nil {
		t.Fatal(err)
	}
	info, err := st.Info(ctx)
	if err != nil {
		t.Fatal(err)
	}
	return info.State.LastSeq
}

func rawStore(t *testing.T, ctx context.Context, js jetstream.JetStream) jetstream.ObjectStore {
	t.Helper()
	obs, err := js.ObjectStore(ctx, job.PayloadBucket)
	if err != nil {
		t.Fatal(err)
	}
	return obs
}

func TestPayloadRoundTrip(t *testing.T) {
	t.Parallel()
	bs, js, ctx := setupPayloads(t, bus.Config{})
	data := randomBytes(t, 300<<10) // three chunks
	ref, err := bs.PutPayload(ctx, "community.general.ini_file", job.StylePython, data)
	if err != nil {
		t.Fatal(err)
	}
	if ref.Size != int64(len(data)) || ref.Style != job.StylePython || ref.Name != "community.general.ini_file" || len(ref.SHA256) != 64 {
		t.Fatalf("ref = %+v", ref)
	}
	if err := ref.Validate(); err != nil {
		t.Fatalf("PutPayload's ref: %v", err)
	}
	got, err := bs.GetPayload(ctx, ref)
	if err != nil || !bytes.Equal(got, data) {
		t.Fatalf("GetPayload: %d bytes, %v; want the %d put", len(got), err, len(data))
	}
	// Another process opening the bus finds the store and the object; the
	// FQN the caller adds does not change the object.
	other, err := bus.Open(ctx, js, bus.Config{})
	if err != nil {
		t.Fatal(err)
	}
	ref.FQN = "ansible_collections.community.general.plugins.modules.ini_file"
	if got, err := other.GetPayload(ctx, ref); err != nil || !bytes.Equal(got, data) {
		t.Fatalf("GetPayload on another bus: %d bytes, %v", len(got), err)
	}
	// The object is stored under its hash, with the module for operators.
	info, err := rawStore(t, ctx, js).GetInfo(ctx, ref.SHA256)
	if err != nil || info.Metadata["module"] != ref.Name || info.Metadata["style"] != "python" {
		t.Fatalf("stored object %+v, %v", info, err)
	}
}

func TestPutPayloadIsIdempotent(t *testing.T) {
	t.Parallel()
	bs, js, ctx := setupPayloads(t, bus.Config{PayloadTTL: time.Hour})
	data := []byte("#!/bin/sh\necho '{\"changed\": false}'\n")
	first, err := bs.PutPayload(ctx, "my_module", job.StyleOld, data)
	if err != nil {
		t.Fatal(err)
	}
	seq := lastSeq(t, ctx, js)
	second, err := bs.PutPayload(ctx, "my_module", job.StyleOld, data)
	if err != nil || second != first {
		t.Fatalf("second put: %+v, %v; want %+v", second, err, first)
	}
	if got := lastSeq(t, ctx, js); got != seq {
		t.Errorf("second put stored %d messages, want none", got-seq)
	}
	// Past half the store's age limit the object is stored again, which
	// renews its age; it still reads back.
	bus.SetNowForTest(bs, func() time.Time { return time.Now().Add(31 * time.Minute) })
	if _, err := bs.PutPayload(ctx, "my_module", job.StyleOld, data); err != nil {
		t.Fatal(err)
	}
	if got := lastSeq(t, ctx, js); got == seq {
		t.Error("an object older than half the age limit was not stored again")
	}
	if got, err := bs.GetPayload(ctx, first); err != nil || !bytes.Equal(got, data) {
		t.Fatalf("after the refresh: %q, %v", got, err)
	}
}

func TestGetPayloadRefusesATamperedObject(t *testing.T) {
	t.Parallel()
	bs, js, ctx := setupPayloads(t, bus.Config{})
	data := []byte("print('the module')\n")
	ref, err := bs.PutPayload(ctx, "ansible.builtin.ping", job.StylePython, data)
	if err != nil {
		t.Fatal(err)
	}
	obs := rawStore(t, ctx, js)
	tests := []struct {
		name     string
		stored   []byte
		wantRead bool // refused after reading (same size), not before
	}{
		{name: "same size", stored: []byte("print('evil modul')\n"), wantRead: true},
		{name: "other size", stored: []byte("import os; os.system('rm -rf /')\n")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if len(tt.stored) == len(data) != tt.wantRead {
				t.Fatal("bad test: sizes")
			}
			if _, err := obs.PutBytes(ctx, ref.SHA256, tt.stored); err != nil {
				t.Fatal(err)
			}
			got, err := bs.GetPayload(ctx, ref)
			if got != nil || !errors.Is(err, bus.ErrPayloadMismatch) {
				t.Fatalf("GetPayload = %q, %v; want ErrPayloadMismatch", got, err)
			}
			t.Logf("refused: %v", err)
			var mm *bus.PayloadMismatchError
			if !errors.As(err, &mm) || mm.Ref != ref || mm.Size != int64(len(tt.stored)) || (mm.SHA256 != "") != tt.wantRead {
				t.Fatalf("error %#v", err)
			}
			for _, want := range []string{"ansible.builtin.ping", ref.SHA256, fmt.Sprint(len(tt.stored))} {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error %q does not name %s", err, want)
				}
			}
			// The producer's next put sees the digest differ and repairs it.
			if _, err := bs.PutPayload(ctx, ref.Name, ref.Style, data); err != nil {
				t.Fatal(err)
			}
			if got, err := bs.GetPayload(ctx, ref); err != nil || !bytes.Equal(got, data) {
				t.Fatalf("after the repair: %q, %v", got, err)
			}
		})
	}
}

func TestPutPayloadTooLarge(t *testing.T) {
	t.Parallel()
	bs, js, ctx := setupPayloads(t, bus.Config{})
	_, err := bs.PutPayload(ctx, "big.collection.module", job.StyleBinary, make([]byte, job.MaxPayloadBytes+1))
	if !errors.Is(err, bus.ErrPayloadTooLarge) {
		t.Fatalf("err = %v, want ErrPayloadTooLarge", err)
	}
	t.Logf("refused: %v", err)
	for _, want := range []string{"big.collection.module", fmt.Sprint(job.MaxPayloadBytes)} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not name %s", err, want)
		}
	}
	// Nothing was sent: the store was not even created.
	if _, err := js.ObjectStore(ctx, job.PayloadBucket); !errors.Is(err, jetstream.ErrBucketNotFound) {
		t.Errorf("object store after a refused put: %v", err)
	}
	if _, err := bs.PutPayload(ctx, "empty", job.StyleOld, nil); err == nil || !strings.Contains(err.Error(), "empty") {
		t.Errorf("empty payload: %v", err)
	}
}

func TestPutPayloadStoreFull(t *testing.T) {
	t.Parallel()
	const limit = 512 << 10
	bs, _, ctx := setupPayloads(t, bus.Config{PayloadMaxBytes: limit})
	a, err := bs.PutPayload(ctx, "first", job.StylePython, randomBytes(t, 300<<10))
	if err != nil {
		t.Fatal(err)
	}
	data := randomBytes(t, 300<<10)
	_, err = bs.PutPayload(ctx, "second", job.StylePython, data)
	var full *bus.PayloadStoreFullError
	if !errors.Is(err, bus.ErrPayloadStoreFull) || !errors.As(err, &full) || full.Limit != limit || full.Name != "second" {
		t.Fatalf("err = %v, want PayloadStoreFullError for second with limit %d", err, limit)
	}
	t.Logf("refused: %v", err)
	for _, want := range []string{"second", fmt.Sprint(limit)} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not name %s", err, want)
		}
	}
	if _, err := bs.GetPayload(ctx, a); err != nil {
		t.Errorf("the first payload after the refusal: %v", err)
	}
}

func TestGetPayloadErrors(t *testing.T) {
	t.Parallel()
	bs, _, ctx := setupPayloads(t, bus.Config{})
	missing := job.PayloadRef{SHA256: strings.Repeat("0", 64), Size: 10, Style: job.StyleWantJSON, Name: "gone"}
	if _, err := bs.GetPayload(ctx, missing); !errors.Is(err, bus.ErrPayloadNotFound) || !strings.Contains(err.Error(), "gone") {
		t.Errorf("missing object: %v, want ErrPayloadNotFound naming the module", err)
	}
	bad := missing
	bad.Size = job.MaxPayloadBytes + 1
	if _, err := bs.GetPayload(ctx, bad); !errors.Is(err, job.ErrBadMessage) {
		t.Errorf("a ref over the limit: %v, want job.ErrBadMessage", err)
	}
}

func TestSetupCreatesThePayloadStore(t *testing.T) {
	t.Parallel()
	_, _, js := natstest.Run(t)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if _, err := bus.Setup(ctx, js, bus.Config{PayloadMaxBytes: 8 << 20, PayloadTTL: 48 * time.Hour}); err != nil {
		t.Fatal(err)
	}
	st, err := js.Stream(ctx, job.PayloadStream)
	if err != nil {
		t.Fatalf("Setup left no payload store: %v", err)
	}
	info, err := st.Info(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if c := info.Config; c.MaxBytes != 8<<20 || c.MaxAge != 48*time.Hour || c.Storage != jetstream.FileStorage {
		t.Errorf("payload store: max bytes %d, max age %v, storage %v", c.MaxBytes, c.MaxAge, c.Storage)
	}
	// Setup again updates it.
	if _, err := bus.Setup(ctx, js, bus.Config{PayloadMaxBytes: 16 << 20}); err != nil {
		t.Fatal(err)
	}
	if info, err = st.Info(ctx); err != nil || info.Config.MaxBytes != 16<<20 {
		t.Errorf("after a second Setup: max bytes %d, %v", info.Config.MaxBytes, err)
	}
}
