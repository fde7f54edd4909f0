package bus

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/jetplay/jetplay/internal/job"
)

// The payload object store holds module payloads (job.PayloadRef), each
// under the SHA-256 hex of its bytes. Setup creates or updates it with the
// stream and the buckets; Open does not touch it, so that a role with no
// access to payloads (the watcher) opens the bus as before: the first
// PutPayload or GetPayload looks it up, and creates it when it does not
// exist yet (on a server without access control, as Open creates the rest).

// payloadStore returns the payload object store, opening it on first use.
func (b *Bus) payloadStore(ctx context.Context) (jetstream.ObjectStore, error) {
	b.payMu.Lock()
	defer b.payMu.Unlock()
	if b.payloads != nil {
		return b.payloads, nil
	}
	if err := b.openPayloads(ctx, false); err != nil {
		return nil, err
	}
	return b.payloads, nil
}

// openPayloads looks up (or creates; with update, updates) the payload
// store and keeps the age and byte limits in force. The caller holds
// payMu, or is open.
func (b *Bus) openPayloads(ctx context.Context, update bool) error {
	c := jetstream.ObjectStoreConfig{
		Bucket:      job.PayloadBucket,
		Description: "jetplay module payloads, keyed by sha256",
		TTL:         b.cfg.PayloadTTL,
		MaxBytes:    b.cfg.PayloadMaxBytes,
		Storage:     jetstream.FileStorage,
		Replicas:    b.cfg.Replicas,
	}
	var obs jetstream.ObjectStore
	err := retry(ctx, b.js.Conn(), func(octx context.Context) error {
		var err error
		obs, err = b.js.ObjectStore(octx, c.Bucket)
		switch {
		case errors.Is(err, jetstream.ErrBucketNotFound):
			obs, err = b.js.CreateObjectStore(octx, c)
			if errors.Is(err, jetstream.ErrBucketExists) {
				obs, err = b.js.ObjectStore(octx, c.Bucket) // created meanwhile
			}
		case err == nil && update:
			obs, err = b.js.UpdateObjectStore(octx, c)
		}
		return err
	})
	if err != nil {
		return fmt.Errorf("open object store %s: %w", c.Bucket, err)
	}
	// Use the limits in force, whoever created the store.
	var st jetstream.ObjectStoreStatus
	err = retry(ctx, b.js.Conn(), func(octx context.Context) error {
		var err error
		st, err = obs.Status(octx)
		return err
	})
	if err != nil {
		return fmt.Errorf("open object store %s: %w", c.Bucket, err)
	}
	b.payloadTTL = st.TTL()
	b.payloadMax = c.MaxBytes
	if bs, ok := st.(*jetstream.ObjectBucketStatus); ok && bs.StreamInfo() != nil {
		b.payloadMax = bs.StreamInfo().Config.MaxBytes
	}
	b.payloads = obs
	return nil
}

// transferTimeout bounds one try of moving size bytes to or from the
// store: the usual request timeout plus a second a MiB.
func transferTimeout(size int64) time.Duration {
	return opTimeout + time.Duration(size>>20)*time.Second
}

// PutPayload stores data, the payload of module name in the given style, in
// the payload object store under its SHA-256 and returns the reference a
// task names it by (the caller sets FQN when it has one). It is idempotent:
// when an object of that hash is stored with the same size and digest, it
// uploads nothing, unless that object was stored more than half the store's
// age limit ago (then it stores it again, which renews its age, so the
// object outlives the tasks that name it).
//
// Data larger than job.MaxPayloadBytes fails with a *PayloadTooLargeError
// before anything is sent; a store that has no room left fails with a
// *PayloadStoreFullError. Both name the module and the limit. Only the
// producer role may store payloads (docs/security.md): for other roles the
// server's permissions violation is returned.
func (b *Bus) PutPayload(ctx context.Context, name string, style job.PayloadStyle, data []byte) (job.PayloadRef, error) {
	if len(data) == 0 {
		return job.PayloadRef{}, fmt.Errorf("module %s: payload is empty", name)
	}
	if int64(len(data)) > job.MaxPayloadBytes {
		return job.PayloadRef{}, &PayloadTooLargeError{Name: name, Size: int64(len(data)), Limit: job.MaxPayloadBytes}
	}
	sum := sha256.Sum256(data)
	ref := job.PayloadRef{SHA256: hex.EncodeToString(sum[:]), Size: int64(len(data)), Style: style, Name: name}
	if err := ref.Validate(); err != nil {
		return job.PayloadRef{}, fmt.Errorf("module %s: %w", name, err)
	}
	obs, err := b.payloadStore(ctx)
	if err != nil {
		return job.PayloadRef{}, err
	}
	info, err := b.payloadInfo(ctx, obs, ref)
	if err != nil && !errors.Is(err, ErrPayloadNotFound) {
		return job.PayloadRef{}, err
	}
	if err == nil && info.Size == uint64(ref.Size) && info.Digest == digest(sum[:]) &&
		(b.payloadTTL <= 0 || b.now().Sub(info.ModTime) < b.payloadTTL/2) {
		b.log.Debug().Str("module", name).Str("sha256", ref.SHA256).Msg("payload already stored")
		return ref, nil
	}
	meta := jetstream.ObjectMeta{
		Name:        job.PayloadObject(ref),
		Description: "module " + name,
		Metadata:    map[string]string{"module": name, "style": string(style)},
	}
	err = retryEach(ctx, b.js.Conn(), transferTimeout(ref.Size), func(octx context.Context) error {
		_, err := obs.Put(octx, meta, bytes.NewReader(data))
		return err
	})
	if err != nil {
		if full(err) {
			return job.PayloadRef{}, &PayloadStoreFullError{Name: name, Size: ref.Size, Limit: b.payloadMax, Err: err}
		}
		return job.PayloadRef{}, fmt.Errorf("store payload of module %s: %w", name, err)
	}
	b.log.Debug().Str("module", name).Str("sha256", ref.SHA256).Int64("size", ref.Size).Msg("payload stored")
	return ref, nil
}

// GetPayload fetches the payload ref names and returns its bytes after
// checking them against ref: the stored object's size before reading it,
// and the SHA-256 of what was read. A mismatch (an object changed under its
// name, or a link) fails with a *PayloadMismatchError, which wraps
// ErrPayloadMismatch; a missing object with ErrPayloadNotFound; a ref that
// is not valid (job.PayloadRef.Validate) with job.ErrBadMessage. The
// errors name the ref (module, hash, size), no job.
func (b *Bus) GetPayload(ctx context.Context, ref job.PayloadRef) ([]byte, error) {
	if err := ref.Validate(); err != nil {
		return nil, err
	}
	obs, err := b.payloadStore(ctx)
	if err != nil {
		return nil, err
	}
	info, err := b.payloadInfo(ctx, obs, ref)
	if err != nil {
		return nil, err
	}
	if info.Opts != nil && info.Opts.Link != nil {
		return nil, &PayloadMismatchError{Ref: ref, Size: int64(info.Size), Reason: "the stored object is a link"}
	}
	if info.Size != uint64(ref.Size) {
		return nil, &PayloadMismatchError{Ref: ref, Size: int64(info.Size)}
	}
	var data []byte
	err = retryEach(ctx, b.js.Conn(), transferTimeout(ref.Size), func(octx context.Context) error {
		res, err := obs.Get(octx, job.PayloadObject(ref))
		if err != nil {
			return err
		}
		defer func() { _ = res.Close() }()
		data, err = io.ReadAll(io.LimitReader(res, ref.Size+1))
		return err
	})
	switch {
	case errors.Is(err, jetstream.ErrDigestMismatch):
		return nil, &PayloadMismatchError{Ref: ref, Size: int64(info.Size), Reason: "its chunks do not match the object's own digest"}
	case errors.Is(err, jetstream.ErrObjectNotFound):
		return nil, fmt.Errorf("%w: %s", ErrPayloadNotFound, ref)
	case err != nil:
		return nil, fmt.Errorf("fetch %s: %w", ref, err)
	}
	got := sha256.Sum256(data)
	if int64(len(data)) != ref.Size || hex.EncodeToString(got[:]) != ref.SHA256 {
		return nil, &PayloadMismatchError{Ref: ref, Size: int64(len(data)), SHA256: hex.EncodeToString(got[:])}
	}
	return data, nil
}

// payloadInfo reads the stored object's meta; ErrPayloadNotFound when
// there is none (or it was deleted).
func (b *Bus) payloadInfo(ctx context.Context, obs jetstream.ObjectStore, ref job.PayloadRef) (*jetstream.ObjectInfo, error) {
	var info *jetstream.ObjectInfo
	err := retry(ctx, b.js.Conn(), func(octx context.Context) error {
		var err error
		info, err = obs.GetInfo(octx, job.PayloadObject(ref))
		return err
	})
	if errors.Is(err, jetstream.ErrObjectNotFound) {
		return nil, fmt.Errorf("%w: %s", ErrPayloadNotFound, ref)
	}
	if err != nil {
		return nil, fmt.Errorf("look up %s: %w", ref, err)
	}
	return info, nil
}

// digest is the object store's spelling of a SHA-256 (ObjectInfo.Digest).
func digest(sum []byte) string {
	return "SHA-256=" + base64.URLEncoding.EncodeToString(sum)
}

// full reports whether err is the server refusing a chunk because the
// store reached its byte limit.
func full(err error) bool {
	var api *jetstream.APIError
	if errors.As(err, &api) && strings.Contains(api.Description, "maximum bytes") {
		return true
	}
	return strings.Contains(err.Error(), "maximum bytes exceeded")
}
