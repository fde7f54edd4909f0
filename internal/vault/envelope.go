package vault

import (
	"bytes"
	"encoding/hex"
	"strings"
)

// Header is the start of every vault envelope.
const Header = "$ANSIBLE_VAULT"

// DefaultID is the vault id of a password given without a label and of a
// 1.1 envelope (Ansible's vault_identity default).
const DefaultID = "default"

// cipherAES256 is the one cipher Ansible 2.14 reads and writes.
const cipherAES256 = "AES256"

// lineWidth is the width of the body lines Ansible writes.
const lineWidth = 80

// IsEncrypted reports whether data is vault data as Ansible's is_encrypted
// decides: pure ASCII and starting with "$ANSIBLE_VAULT". Leading
// whitespace is not skipped.
func IsEncrypted(data []byte) bool {
	for _, c := range data {
		if c >= 0x80 {
			return false
		}
	}
	return bytes.HasPrefix(data, []byte(Header))
}

// Envelope is a parsed vault envelope.
type Envelope struct {
	// Version is the header's format version ("1.1", "1.2"); Ansible does
	// not check it.
	Version string
	// Cipher is the header's cipher name ("AES256").
	Cipher string
	// ID is the header's vault id, or the default id when the header has
	// no fourth field.
	ID string
	// Body is the hex body with its line breaks removed.
	Body []byte
}

// ParseEnvelope splits data into its header fields and body as Ansible's
// parse_vaulttext_envelope does: the first line, stripped, is split on
// ";" (at least three fields, the fourth the vault id); the other lines are
// joined as they are. defaultID is the id when the header has none ("" means
// DefaultID). It does not check IsEncrypted. A header with fewer than three
// fields is an ErrFormat error.
func ParseEnvelope(data []byte, defaultID string) (Envelope, error) {
	if defaultID == "" {
		defaultID = DefaultID
	}
	lines := splitLines(data)
	if len(lines) == 0 {
		return Envelope{}, newError("Vault envelope format error: list index out of range", ErrFormat)
	}
	fields := bytes.Split(bytes.TrimSpace(lines[0]), []byte(";"))
	if len(fields) < 3 {
		return Envelope{}, newError("Vault envelope format error: list index out of range", ErrFormat)
	}
	env := Envelope{
		Version: string(bytes.TrimSpace(fields[1])),
		Cipher:  string(bytes.TrimSpace(fields[2])),
		ID:      defaultID,
		Body:    bytes.Join(lines[1:], nil),
	}
	if len(fields) >= 4 {
		env.ID = string(bytes.TrimSpace(fields[3]))
	}
	return env, nil
}

// splitLines splits b at "\n", "\r\n" and "\r" as Python's bytes.splitlines
// does: no empty last element after a final line break.
func splitLines(b []byte) [][]byte {
	var lines [][]byte
	for len(b) > 0 {
		i := bytes.IndexAny(b, "\r\n")
		if i < 0 {
			lines = append(lines, b)
			break
		}
		lines = append(lines, b[:i])
		if b[i] == '\r' && i+1 < len(b) && b[i+1] == '\n' {
			i++
		}
		b = b[i+1:]
	}
	return lines
}

// formatEnvelope writes body under its header in lines of 80 characters,
// with a final newline, as Ansible's format_vaulttext_envelope does: version
// 1.2 with the id in the header when id is set and not "default", else 1.1.
func formatEnvelope(body []byte, id string) []byte {
	var b bytes.Buffer
	b.WriteString(Header)
	if id != "" && id != DefaultID {
		b.WriteString(";1.2;" + cipherAES256 + ";" + id)
	} else {
		b.WriteString(";1.1;" + cipherAES256)
	}
	for i := 0; i < len(body); i += lineWidth {
		b.WriteByte('\n')
		b.Write(body[i:min(i+lineWidth, len(body))])
	}
	b.WriteByte('\n')
	return b.Bytes()
}

// FormatInline returns envelope as the YAML of an inline value, as
// ansible-vault encrypt_string prints it: "name: !vault |" (or "!vault |"
// when name is empty) and each envelope line indented by 10 spaces, without
// a final newline.
func FormatInline(envelope []byte, name string) string {
	var b strings.Builder
	if name != "" {
		b.WriteString(name + ": ")
	}
	b.WriteString("!vault |")
	for _, line := range splitLines(envelope) {
		b.WriteString("\n          ")
		b.Write(line)
	}
	return b.String()
}

// unhexlify decodes hex with Python's binascii.unhexlify errors, as
// ErrFormat errors.
func unhexlify(b []byte) ([]byte, error) {
	if len(b)%2 == 1 {
		return nil, newError("Vault format unhexlify error: Odd-length string", ErrFormat)
	}
	out := make([]byte, len(b)/2)
	if _, err := hex.Decode(out, b); err != nil {
		return nil, newError("Vault format unhexlify error: Non-hexadecimal digit found", ErrFormat)
	}
	return out, nil
}
