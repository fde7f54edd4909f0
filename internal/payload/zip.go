package payload

import (
	"archive/zip"
	"bytes"
	"compress/flate"
	"crypto/sha256"
	"fmt"
	"hash/crc32"
	"io"
	"sort"
	"time"
)

// zipTime is every member's modification time: the earliest a zip holds,
// so that the same members always give the same bytes.
var zipTime = time.Date(1980, time.January, 1, 0, 0, 0, 0, time.UTC)

// packed is one member's content, deflated once per content hash.
type packed struct {
	crc  uint32
	size int
	data []byte // the raw deflate stream
}

func pack(content []byte) (*packed, error) {
	var buf bytes.Buffer
	fw, err := flate.NewWriter(&buf, flate.DefaultCompression)
	if err != nil {
		return nil, fmt.Errorf("deflate: %w", err)
	}
	if _, err := fw.Write(content); err != nil {
		return nil, fmt.Errorf("deflate: %w", err)
	}
	if err := fw.Close(); err != nil {
		return nil, fmt.Errorf("deflate: %w", err)
	}
	return &packed{crc: crc32.ChecksumIEEE(content), size: len(content), data: buf.Bytes()}, nil
}

// member is one file of the zip.
type member struct {
	name    string
	content []byte
	sum     [32]byte
}

func newMember(name string, content []byte) member {
	return member{name: name, content: content, sum: sha256.Sum256(content)}
}

// writeZip writes the members sorted by name, each deflated, with fixed
// times: the same members give the same bytes. get returns a member's
// packed content.
func writeZip(members []member, get func(member) (*packed, error)) ([]byte, error) {
	sort.Slice(members, func(i, j int) bool { return members[i].name < members[j].name })
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, m := range members {
		p, err := get(m)
		if err != nil {
			return nil, err
		}
		fh := &zip.FileHeader{
			Name:               m.name,
			Method:             zip.Deflate,
			Modified:           zipTime,
			CRC32:              p.crc,
			CompressedSize64:   uint64(len(p.data)),
			UncompressedSize64: uint64(p.size),
		}
		fh.SetMode(0o644)
		w, err := zw.CreateRaw(fh)
		if err != nil {
			return nil, fmt.Errorf("zip %s: %w", m.name, err)
		}
		if _, err := w.Write(p.data); err != nil {
			return nil, fmt.Errorf("zip %s: %w", m.name, err)
		}
	}
	if err := zw.Close(); err != nil {
		return nil, fmt.Errorf("zip: %w", err)
	}
	return buf.Bytes(), nil
}

// zipNames returns the member names of a zip, in its order.
func zipNames(data []byte) ([]string, error) {
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrBadZip, err)
	}
	names := make([]string, len(zr.File))
	for i, f := range zr.File {
		names[i] = f.Name
	}
	return names, nil
}

// zipMember returns the content of the zip member name, nil if there is
// none or data is no zip.
func zipMember(data []byte, name string) []byte {
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return nil
	}
	for _, f := range zr.File {
		if f.Name != name {
			continue
		}
		rc, err := f.Open()
		if err != nil {
			return nil
		}
		b, err := io.ReadAll(rc)
		if cerr := rc.Close(); err != nil || cerr != nil {
			return nil
		}
		return b
	}
	return nil
}
