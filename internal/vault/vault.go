package vault

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"
)

// Secret is one vault password with its vault id. Its String and GoString
// name the id only; the password never prints, not even inside a value
// printed with %+v (it is behind a pointer, which fmt prints as an address).
type Secret struct {
	id string
	pw *password
}

// password holds a secret's bytes.
type password struct{ b []byte }

// NewSecret returns the secret pw for vault id id ("" means DefaultID). It
// keeps its own copy of pw.
func NewSecret(id string, pw []byte) Secret {
	if id == "" {
		id = DefaultID
	}
	return Secret{id: id, pw: &password{b: append([]byte(nil), pw...)}}
}

// bytes is the password; nil for the zero Secret.
func (s Secret) bytes() []byte {
	if s.pw == nil {
		return nil
	}
	return s.pw.b
}

// ID is the secret's vault id.
func (s Secret) ID() string { return s.id }

// String names the secret by its id, never its password.
func (s Secret) String() string { return "vault secret " + s.id }

// GoString names the secret by its id, never its password.
func (s Secret) GoString() string { return fmt.Sprintf("vault.Secret{id: %q}", s.id) }

// Config says how a Vault picks secrets and, for Load, where passwords come
// from. The zero Config is Ansible's default configuration.
type Config struct {
	// DefaultID is the vault id of a 1.1 envelope and of a slug without a
	// label (Ansible's vault_identity). Default "default".
	DefaultID string
	// MatchID, as Ansible's vault_id_match, makes Decrypt try only the
	// secrets whose id is the envelope's. Default false: every secret, in
	// order.
	MatchID bool
	// Prompt asks for a password, without echo, showing prompt (such as
	// "Vault password: "); io.EOF means the user pressed ctrl-d. Nil makes
	// a prompt slug fail with ErrNoPrompt.
	Prompt func(ctx context.Context, prompt string) (string, error)
	// NewPassword makes prompts ask for a new password twice, as
	// ansible-vault create and encrypt do. Default false: ask once.
	NewPassword bool
	// Resolve turns a password file path of a slug into the path to open
	// (Ansible expands ~ and $VARS and makes it absolute); nil uses it as
	// given.
	Resolve func(path string) string
	// Stderr receives what a (non-client) password script writes to its
	// standard error, which Ansible leaves on the terminal. Nil discards it.
	Stderr io.Writer
	// Warn receives Ansible's warnings while Load reads the sources (a
	// missing password file when another source worked). Nil drops them.
	Warn func(msg string)
}

// defaultID is c.DefaultID or DefaultID.
func (c Config) defaultID() string {
	if c.DefaultID != "" {
		return c.DefaultID
	}
	return DefaultID
}

// Vault decrypts and encrypts with a list of secrets. It is safe for
// concurrent use.
type Vault struct {
	cfg     Config
	mu      sync.RWMutex
	secrets []Secret
}

// New returns a Vault with secrets, tried in that order.
func New(cfg Config, secrets ...Secret) *Vault {
	return &Vault{cfg: cfg, secrets: append([]Secret(nil), secrets...)}
}

// add appends s to the secrets.
func (v *Vault) add(s Secret) {
	v.mu.Lock()
	v.secrets = append(v.secrets, s)
	v.mu.Unlock()
}

// IDs lists the vault ids of the secrets, in order, with repeats.
func (v *Vault) IDs() []string {
	v.mu.RLock()
	defer v.mu.RUnlock()
	ids := make([]string, len(v.secrets))
	for i, s := range v.secrets {
		ids[i] = s.id
	}
	return ids
}

// Decrypt returns the plaintext of the vault envelope data, a whole file or
// the text of an inline !vault value. Errors: ErrNotEncrypted, ErrFormat
// (a malformed envelope or body), ErrCipher, ErrNoSecrets, ErrDecrypt (no
// secret's HMAC matched: a wrong password).
func (v *Vault) Decrypt(data []byte) ([]byte, error) {
	pt, _, err := v.decrypt(data, "")
	return pt, err
}

// DecryptFile is Decrypt for the content of the file name: its errors name
// the file as Ansible's do ("Decryption failed (...) on name").
func (v *Vault) DecryptFile(name string, data []byte) ([]byte, error) {
	pt, _, err := v.decrypt(data, name)
	return pt, err
}

// DecryptID is Decrypt that also returns the vault id of the secret that
// decrypted data (Ansible's vault_id_used).
func (v *Vault) DecryptID(data []byte) ([]byte, string, error) {
	return v.decrypt(data, "")
}

// DecryptString decrypts the text of an inline "!vault |" value and returns
// the plaintext as text.
func (v *Vault) DecryptString(s string) (string, error) {
	pt, _, err := v.decrypt([]byte(s), "")
	if err != nil {
		return "", err
	}
	return string(pt), nil
}

// decrypt follows Ansible's VaultLib.decrypt_and_get_vault_id; filename, if
// set, goes into the error messages.
func (v *Vault) decrypt(data []byte, filename string) ([]byte, string, error) {
	if !IsEncrypted(data) {
		if filename != "" {
			return nil, "", newError(fmt.Sprintf("%s. %s is not a vault encrypted file", ErrNotEncrypted, filename), ErrNotEncrypted)
		}
		return nil, "", ErrNotEncrypted
	}
	env, err := ParseEnvelope(data, v.cfg.defaultID())
	if err != nil {
		if filename != "" {
			msg := strings.Replace(err.Error(), "format error:", "format error in "+filename+":", 1)
			return nil, "", newError(msg, ErrFormat)
		}
		return nil, "", err
	}
	if env.Cipher != cipherAES256 {
		return nil, "", newError(env.Cipher+" "+ErrCipher.Error(), ErrCipher)
	}
	v.mu.RLock()
	secrets := v.secrets
	v.mu.RUnlock()
	if len(secrets) == 0 {
		return nil, "", ErrNoSecrets
	}
	var vt *vaultText
	for _, s := range secrets {
		if v.cfg.MatchID && (env.ID == "" || s.id != env.ID) {
			continue
		}
		if vt == nil {
			// Ansible parses the body for each secret; a format error
			// stops it at the first, before any HMAC is checked.
			p, err := parseBody(env.Body)
			if err != nil {
				return nil, "", inFile(err, filename)
			}
			vt = &p
		}
		pt, err := decryptBody(*vt, s.bytes())
		if errors.Is(err, errHMAC) {
			continue
		}
		if err != nil {
			return nil, "", inFile(err, filename)
		}
		return pt, s.id, nil
	}
	if filename != "" {
		return nil, "", newError(ErrDecrypt.Error()+" on "+filename, ErrDecrypt)
	}
	return nil, "", ErrDecrypt
}

// inFile names filename in a format error as Ansible's warning does.
func inFile(err error, filename string) error {
	if filename == "" || !errors.Is(err, ErrFormat) {
		return err
	}
	return newError("There was a vault format error in "+filename+": "+err.Error(), ErrFormat)
}

// Encrypt encrypts plaintext with the secret whose vault id is id, or with
// the first secret when id is "", as ansible-vault does with and without
// --encrypt-vault-id. The envelope is 1.2 and names the secret's id, or
// 1.1 when that id is "default". Errors: ErrNoEncryptSecret,
// ErrAlreadyEncrypted.
func (v *Vault) Encrypt(plaintext []byte, id string) ([]byte, error) {
	v.mu.RLock()
	secrets := v.secrets
	v.mu.RUnlock()
	if len(secrets) == 0 {
		return nil, ErrNoEncryptSecret
	}
	if id == "" {
		return Encrypt(plaintext, secrets[0])
	}
	for _, s := range secrets {
		if s.id == id {
			return Encrypt(plaintext, s)
		}
	}
	return nil, newError(fmt.Sprintf("Did not find a match for --encrypt-vault-id=%s in the known vault-ids %s",
		id, pyList(v.IDs())), ErrNoEncryptSecret)
}

// Encrypt returns the vault envelope of plaintext encrypted with secret,
// with a fresh random salt. Errors: ErrAlreadyEncrypted, ErrEmptyPassword.
func Encrypt(plaintext []byte, secret Secret) ([]byte, error) {
	salt, err := newSalt()
	if err != nil {
		return nil, err
	}
	return encryptSalt(plaintext, secret, salt)
}

// encryptSalt is Encrypt with a given salt.
func encryptSalt(plaintext []byte, secret Secret, salt []byte) ([]byte, error) {
	if IsEncrypted(plaintext) {
		return nil, ErrAlreadyEncrypted
	}
	if len(secret.bytes()) == 0 {
		return nil, ErrEmptyPassword
	}
	body, err := encryptBody(plaintext, secret.bytes(), salt)
	if err != nil {
		return nil, err
	}
	return formatEnvelope(body, secret.id), nil
}

// pyList prints ss as Python prints a list of str: ['a', 'b'].
func pyList(ss []string) string {
	q := make([]string, len(ss))
	for i, s := range ss {
		q[i] = "'" + strings.ReplaceAll(strings.ReplaceAll(s, `\`, `\\`), "'", `\'`) + "'"
	}
	return "[" + strings.Join(q, ", ") + "]"
}
