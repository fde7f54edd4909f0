package vault

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// Source gives a vault password. id is the vault id the password is wanted
// for ("" when the slug had no label); a client script and a prompt show it.
// Errors read as Ansible's and never contain the password.
type Source interface {
	Password(ctx context.Context, id string) ([]byte, error)
}

// PasswordFile returns the Source for a password file as Ansible's
// get_file_vault_secret picks it: an executable file (any x bit) is a
// ScriptSource, a client script when its name without extension ends in
// "-client"; any other file is a FileSource. A missing file is an
// ErrPasswordFile error: "The vault password file <path> was not found".
func PasswordFile(path string) (Source, error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, &msgError{msg: "The vault password file " + path + " was not found",
			is: []error{ErrPasswordFile, fs.ErrNotExist}}
	}
	if st.Mode()&0o111 != 0 {
		return &ScriptSource{Path: path, Client: isClientScript(path)}, nil
	}
	return &FileSource{Path: path}, nil
}

// isClientScript reports whether name, without its extension, ends in
// "-client", as Ansible's script_is_client (Python's os.path.splitext:
// leading dots of the base name do not start an extension).
func isClientScript(name string) bool {
	base := filepath.Base(name)
	root := name
	if i := strings.LastIndexByte(base, '.'); i > 0 && strings.TrimLeft(base[:i], ".") != "" {
		root = name[:len(name)-(len(base)-i)]
	}
	return strings.HasSuffix(root, "-client")
}

// asciiSpace is the whitespace Python's bytes.strip removes.
const asciiSpace = " \t\n\r\v\f"

// FileSource reads the password from a file: its content with surrounding
// whitespace stripped, as Ansible's FileVaultSecret. A vault-encrypted
// password file is decrypted with Vault (nil: with no secrets).
type FileSource struct {
	// Path is the file to read.
	Path string
	// Vault decrypts a password file that is itself vault data; Load sets
	// it to the secrets loaded so far.
	Vault *Vault
}

// Password reads the file. Errors: ErrPasswordFile (unreadable),
// ErrEmptyPassword, and Vault's decryption errors.
func (f *FileSource) Password(_ context.Context, _ string) ([]byte, error) {
	data, err := os.ReadFile(f.Path)
	if err != nil {
		return nil, &msgError{msg: fmt.Sprintf("Could not read vault password file %s: %v", f.Path, err),
			is: []error{ErrPasswordFile}, cause: err}
	}
	data = bytes.Trim(data, asciiSpace)
	if IsEncrypted(data) {
		v := f.Vault
		if v == nil {
			v = New(Config{})
		}
		if data, err = v.DecryptFile(f.Path, data); err != nil {
			return nil, err
		}
	}
	data = bytes.Trim(data, "\r\n")
	if len(data) == 0 {
		return nil, newError("Invalid vault password was provided from file ("+f.Path+")", ErrEmptyPassword)
	}
	return data, nil
}

// clientUnknownID is the exit code of a client script that has no secret
// for the vault id.
const clientUnknownID = 2

// ScriptSource runs an executable and takes its standard output, without
// surrounding "\r" and "\n", as the password, as Ansible's
// ScriptVaultSecret. A client script (ClientScriptVaultSecret) is given
// "--vault-id <id>" when there is an id, and its exit code 2 means it has no
// secret for that id.
type ScriptSource struct {
	// Path is the executable, run without a shell.
	Path string
	// Client marks a client script.
	Client bool
	// Stderr receives a plain script's standard error (a client script's
	// goes into the error message). Nil discards it.
	Stderr io.Writer
}

// Password runs the script under ctx. Errors: ErrPasswordFile (it could not
// start or exited non-zero), ErrUnknownID, ErrEmptyPassword.
func (s *ScriptSource) Password(ctx context.Context, id string) ([]byte, error) {
	kind := "script"
	if s.Client {
		kind = "client script"
	}
	cmd := exec.CommandContext(ctx, s.Path)
	if s.Client && id != "" {
		cmd.Args = append(cmd.Args, "--vault-id", id)
	}
	var stdout, stderr bytes.Buffer
	cmd.Stdout = &stdout
	cmd.Stderr = s.Stderr
	if s.Client {
		cmd.Stderr = &stderr
	}
	err := cmd.Run()
	var exit *exec.ExitError
	switch {
	case ctx.Err() != nil:
		return nil, fmt.Errorf("vault password %s %s: %w", kind, s.Path, ctx.Err())
	case errors.As(err, &exit):
		code := exit.ExitCode()
		if !s.Client {
			return nil, &msgError{msg: fmt.Sprintf("Vault password script %s returned non-zero (%d)", s.Path, code),
				is: []error{ErrPasswordFile}, cause: err}
		}
		shown := id
		if shown == "" {
			shown = "None"
		}
		msg := strings.TrimSpace(stderr.String())
		if code == clientUnknownID {
			return nil, &msgError{msg: fmt.Sprintf("Vault password client script %s did not find a secret for vault-id=%s: %s", s.Path, shown, msg),
				is: []error{ErrPasswordFile, ErrUnknownID}, cause: err}
		}
		return nil, &msgError{msg: fmt.Sprintf("Vault password client script %s returned non-zero (%d) when getting secret for vault-id=%s: %s", s.Path, code, shown, msg),
			is: []error{ErrPasswordFile}, cause: err}
	case err != nil:
		return nil, &msgError{msg: fmt.Sprintf("Problem running vault password %s %s (%v). If this is not a script, remove the executable bit from the file.", kind, s.Path, err),
			is: []error{ErrPasswordFile}, cause: err}
	}
	pw := bytes.Trim(stdout.Bytes(), "\r\n")
	if len(pw) == 0 {
		return nil, newError("Invalid vault password was provided from script ("+s.Path+")", ErrEmptyPassword)
	}
	return pw, nil
}

// PromptSource asks for the password through Prompt, once per format, as
// Ansible's PromptVaultSecret: "%(vault_id)s" in a format is replaced by the
// vault id; every answer must be the first ("Passwords do not match").
type PromptSource struct {
	// Prompt asks without echo; io.EOF means ctrl-d.
	Prompt func(ctx context.Context, prompt string) (string, error)
	// Formats are the prompts, such as "Vault password (%(vault_id)s): ".
	Formats []string
}

// Password prompts. Errors: ErrNoPrompt, ErrEmptyPassword,
// ErrPasswordMismatch, and "EOFError (ctrl-d) on prompt for (<id>)",
// which matches io.EOF.
func (p *PromptSource) Password(ctx context.Context, id string) ([]byte, error) {
	if p.Prompt == nil {
		return nil, ErrNoPrompt
	}
	var first []byte
	for i, f := range p.Formats {
		answer, err := p.Prompt(ctx, strings.ReplaceAll(f, "%(vault_id)s", id))
		if errors.Is(err, io.EOF) {
			return nil, &msgError{msg: "EOFError (ctrl-d) on prompt for (" + id + ")", cause: io.EOF}
		}
		if err != nil {
			return nil, fmt.Errorf("vault password prompt: %w", err)
		}
		if answer == "" {
			return nil, ErrEmptyPassword
		}
		pw := bytes.Trim([]byte(answer), asciiSpace)
		if i == 0 {
			first = pw
		} else if !bytes.Equal(pw, first) {
			return nil, ErrPasswordMismatch
		}
	}
	return first, nil
}
