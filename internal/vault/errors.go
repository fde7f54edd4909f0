package vault

import "errors"

// The error texts are Ansible's, so a message reads as ansible-playbook's.
var (
	// ErrNotEncrypted means the input does not start with the vault header
	// or is not pure ASCII.
	ErrNotEncrypted = errors.New("input is not vault encrypted data")
	// ErrAlreadyEncrypted means Encrypt was given data that is already a
	// vault envelope.
	ErrAlreadyEncrypted = errors.New("input is already encrypted")
	// ErrFormat means the envelope or its body is malformed; Ansible stops
	// on it rather than trying the next secret.
	ErrFormat = errors.New("vault format error")
	// ErrCipher means the envelope names a cipher other than AES256.
	ErrCipher = errors.New("cipher could not be found")
	// ErrNoSecrets means there is no secret to decrypt with.
	ErrNoSecrets = errors.New("Attempting to decrypt but no vault secrets found") //nolint:staticcheck // Ansible's wording
	// ErrDecrypt means no secret's HMAC matched: a wrong password.
	ErrDecrypt = errors.New("Decryption failed (no vault secrets were found that could decrypt)") //nolint:staticcheck // Ansible's wording
	// ErrNoEncryptSecret means Encrypt has no secret, or none with the
	// requested vault id.
	ErrNoEncryptSecret = errors.New("A vault password must be specified to encrypt data") //nolint:staticcheck // Ansible's wording
	// ErrEmptyPassword means a source gave an empty password.
	ErrEmptyPassword = errors.New("Invalid vault password was provided") //nolint:staticcheck // Ansible's wording
	// ErrPasswordMismatch means the confirmation prompt got another password.
	ErrPasswordMismatch = errors.New("Passwords do not match") //nolint:staticcheck // Ansible's wording
	// ErrPasswordFile means a password file is missing, unreadable, or its
	// script failed.
	ErrPasswordFile = errors.New("vault password file error")
	// ErrUnknownID means a client script exited 2: it has no secret for the
	// vault id it was given.
	ErrUnknownID = errors.New("vault id unknown to the client script")
	// ErrNoPrompt means a prompt source was used but Config.Prompt is nil.
	ErrNoPrompt = errors.New("no vault password prompt available")
)

// msgError is an error whose text is Ansible's message and which matches
// the sentinels in is with errors.Is. It also unwraps to cause, when set.
type msgError struct {
	msg   string
	is    []error
	cause error
}

func (e *msgError) Error() string { return e.msg }

func (e *msgError) Unwrap() []error {
	if e.cause == nil {
		return e.is
	}
	return append(append([]error(nil), e.is...), e.cause)
}

// newError returns an error with text msg that matches each of is.
func newError(msg string, is ...error) error { return &msgError{msg: msg, is: is} }
