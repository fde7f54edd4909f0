package payload

import (
	"bytes"
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/jetplay/jetplay/internal/collection"
	"github.com/rs/zerolog"
)

// DefaultAnsibleVersion is the ansible-core version jetplay behaves as: the
// default of Config.AnsibleVersion and Internal.Version.
const DefaultAnsibleVersion = "2.14.18"

// Config configures a Builder.
type Config struct {
	// Finder locates module_utils. Required.
	Finder Finder
	// AnsibleVersion is __version__ of the ansible package the zip
	// synthesizes. Default DefaultAnsibleVersion.
	AnsibleVersion string
	// Logger receives a debug line per zip built (zero value: discarded).
	Logger zerolog.Logger
}

func (c Config) validate() error {
	if c.Finder == nil {
		return errors.New("payload: Config.Finder is required")
	}
	return nil
}

// Builder builds module payloads. It is safe for concurrent use. It keeps,
// for its lifetime and without bound, each file's import statements and
// deflated content by content hash and each zip by the hashes of its
// members, so that a module is scanned, compressed and zipped once
// however many tasks run it.
type Builder struct {
	finder  Finder
	version string
	log     zerolog.Logger

	mu      sync.Mutex
	imports map[[32]byte][]importStmt
	packs   map[[32]byte]*packed
	zips    map[[32]byte]*blob
}

// New returns a Builder, or the error of an invalid Config.
func New(cfg Config) (*Builder, error) {
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	return &Builder{
		finder:  cfg.Finder,
		version: cmp.Or(cfg.AnsibleVersion, DefaultAnsibleVersion),
		log:     cfg.Logger.With().Str("component", "payload").Logger(),
		imports: map[[32]byte][]importStmt{},
		packs:   map[[32]byte]*packed{},
		zips:    map[[32]byte]*blob{},
	}, nil
}

// Module is a module file to build.
type Module struct {
	// Name is the module name the task gives (ping, ansible.builtin.ping,
	// community.general.ufw): the wrapper's temporary directory is named
	// after it, and a module without FQN runs as ansible.modules.<Name>.
	Name string
	// FQN is the Python name the module runs as: ansible.modules.<x> for
	// ansible-core's, ansible_collections.<ns>.<coll>.plugins.modules.<x>
	// for a collection's (see FQN). "" means ansible.modules.<Name>, what
	// Ansible uses for library/ and role modules.
	FQN string
	// Source is the file's content.
	Source []byte
}

// Build returns the payload of m: for a new-style Python module the
// AnsiballZ zip of the module and its module_utils closure, found as
// ansible-core 2.14's recursive_finder finds it; for the other styles the
// file itself. A PowerShell module is ErrPowerShell. A required
// module_util found nowhere is a *MissingError; errors of the Finder other
// than ErrNotFound are returned wrapped.
func (b *Builder) Build(ctx context.Context, m Module) (*Payload, error) {
	fqn := cmp.Or(m.FQN, "ansible.modules."+m.Name)
	style := Detect(m.Source)
	p := &Payload{Name: m.Name, FQN: fqn, Style: style}
	switch style {
	case StylePowerShell:
		return nil, fmt.Errorf("module %s: %w", m.Name, ErrPowerShell)
	case StylePython:
	default:
		p.blob = newBlob(m.Source)
		return p.fill(), nil
	}
	src := m.Source
	if bytes.Contains(src, markerCommon) {
		src = bytes.ReplaceAll(src, markerCommon, commonImportLine)
	}
	members, deps, err := b.closure(ctx, fqn, src)
	if err != nil {
		return nil, fmt.Errorf("module %s: %w", m.Name, err)
	}
	p.Deprecations = deps
	key := closureKey(fqn, members)
	b.mu.Lock()
	bl := b.zips[key]
	b.mu.Unlock()
	if bl == nil {
		data, err := writeZip(members, b.pack)
		if err != nil {
			return nil, fmt.Errorf("module %s: %w", m.Name, err)
		}
		names := make([]string, len(members))
		for i, mb := range members {
			names[i] = mb.name
		}
		bl = newBlob(data)
		bl.members = names
		bl.srcOnce.Do(func() { bl.src = src })
		b.mu.Lock()
		if prev := b.zips[key]; prev != nil {
			bl = prev
		} else {
			b.zips[key] = bl
		}
		b.mu.Unlock()
		b.log.Debug().Str("module", m.Name).Str("fqn", fqn).Int("members", len(names)).
			Int("bytes", len(data)).Str("sha256", bl.sum).Msg("built payload zip")
	}
	p.blob = bl
	return p.fill(), nil
}

// closureKey identifies a zip by its members: the module's FQN, then each
// member's name and content hash (members sorted by name).
func closureKey(fqn string, members []member) [32]byte {
	slices.SortFunc(members, func(a, b member) int { return strings.Compare(a.name, b.name) })
	h := sha256.New()
	h.Write([]byte(fqn))
	for _, m := range members {
		h.Write([]byte{0})
		h.Write([]byte(m.name))
		h.Write([]byte{0})
		h.Write(m.sum[:])
	}
	var k [32]byte
	h.Sum(k[:0])
	return k
}

// scan returns the import statements of src, whose sha256 is sum, lexed
// once per content.
func (b *Builder) scan(sum [32]byte, src []byte) []importStmt {
	b.mu.Lock()
	st, ok := b.imports[sum]
	b.mu.Unlock()
	if ok {
		return st
	}
	st = lexImports(src)
	b.mu.Lock()
	b.imports[sum] = st
	b.mu.Unlock()
	return st
}

// pack returns m's deflated content, compressed once per content.
func (b *Builder) pack(m member) (*packed, error) {
	b.mu.Lock()
	p := b.packs[m.sum]
	b.mu.Unlock()
	if p != nil {
		return p, nil
	}
	p, err := pack(m.content)
	if err != nil {
		return nil, err
	}
	b.mu.Lock()
	b.packs[m.sum] = p
	b.mu.Unlock()
	return p, nil
}

// Payload is what runs a module: built by a Builder or opened from stored
// bytes. Its fields are shared between payloads of the same content and
// must not be modified.
type Payload struct {
	// Name is the module name the task gives.
	Name string
	// FQN is the Python name the module runs as.
	FQN string
	// Style is how the module runs.
	Style Style
	// Data is what is shipped: the zip for StylePython, the module file
	// for the other styles.
	Data []byte
	// SHA256 is the hex sha256 of Data: the payload's key in the store.
	SHA256 string
	// Members are the zip's member names, sorted; nil unless StylePython.
	Members []string
	// Deprecations are the routing deprecations met while building, for
	// the caller to display as Ansible does.
	Deprecations []collection.Deprecation

	blob *blob
}

// blob is a payload's shipped bytes with what is computed once from them.
type blob struct {
	data    []byte
	sum     string
	members []string

	once sync.Once
	b64  string

	srcOnce sync.Once
	src     []byte // the module's own file in a zip
}

func newBlob(data []byte) *blob {
	s := sha256.Sum256(data)
	return &blob{data: data, sum: hex.EncodeToString(s[:])}
}

func (bl *blob) base64() string {
	bl.once.Do(func() { bl.b64 = base64.StdEncoding.EncodeToString(bl.data) })
	return bl.b64
}

func (p *Payload) fill() *Payload {
	p.Data, p.SHA256, p.Members = p.blob.data, p.blob.sum, p.blob.members
	return p
}

// Open returns the payload of stored bytes: data is a zip Build made
// (style StylePython) or a module file (any other style). An empty fqn
// means ansible.modules.<name>. It checks that a zip is one
// (ErrBadZip); the caller checks data against the hash it expects.
func Open(name, fqn string, style Style, data []byte) (*Payload, error) {
	p := &Payload{Name: name, FQN: cmp.Or(fqn, "ansible.modules."+name), Style: style, blob: newBlob(data)}
	switch style {
	case StylePython:
		names, err := zipNames(data)
		if err != nil {
			return nil, err
		}
		slices.Sort(names)
		p.blob.members = names
	case StylePowerShell:
		return nil, fmt.Errorf("module %s: %w", name, ErrPowerShell)
	case StyleBinary, StyleJSONArgs, StyleWantJSON, StyleOld:
	default:
		return nil, fmt.Errorf("module %s: unknown payload style %q", name, style)
	}
	return p.fill(), nil
}
