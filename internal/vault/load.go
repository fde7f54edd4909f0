package vault

import (
	"context"
	"strings"
)

// The sources of a slug that are prompts, and their prompt formats, as
// Ansible's setup_vault_secrets: "prompt_ask_vault_pass" is what
// --ask-vault-pass adds and keeps the old prompt without the id.
const (
	// PromptSlug is the source of "--vault-id label@prompt".
	PromptSlug = "prompt"
	// AskVaultPassSlug is the source --ask-vault-pass adds.
	AskVaultPassSlug = "prompt_ask_vault_pass"
)

var promptFormats = map[bool]map[string][]string{
	false: {
		PromptSlug:       {"Vault password (%(vault_id)s): "},
		AskVaultPassSlug: {"Vault password: "},
	},
	true: {
		PromptSlug:       {"New vault password (%(vault_id)s): ", "Confirm new vault password (%(vault_id)s): "},
		AskVaultPassSlug: {"New Vault password: ", "Confirm New Vault password: "},
	},
}

// SplitID splits a vault id slug at its first "@" into the label and the
// source (a password file or a prompt slug); without "@" the label is ""
// and the whole slug is the source.
func SplitID(slug string) (label, source string) {
	label, source, ok := strings.Cut(slug, "@")
	if !ok {
		return "", slug
	}
	return label, source
}

// IDs returns the vault id slugs ansible-playbook loads, in its order: the
// configured identity list (vault_identity_list), the --vault-id values,
// "<defaultID>@<file>" for each password file (the --vault-password-file
// values, then the configured vault_password_file), then
// "<defaultID>@prompt_ask_vault_pass" when askVaultPass (-J or
// ask_vault_pass). defaultID "" means DefaultID.
func IDs(defaultID string, identityList, vaultIDs, passwordFiles []string, askVaultPass bool) []string {
	if defaultID == "" {
		defaultID = DefaultID
	}
	ids := append(append([]string(nil), identityList...), vaultIDs...)
	for _, f := range passwordFiles {
		ids = append(ids, defaultID+"@"+f)
	}
	if askVaultPass {
		ids = append(ids, defaultID+"@"+AskVaultPassSlug)
	}
	return ids
}

// Load reads the password of each vault id slug, in order, into a Vault,
// as ansible-playbook's setup_vault_secrets: a prompt slug asks through
// cfg.Prompt and its failure is returned; a password file that is missing
// or fails is a warning (cfg.Warn) and is skipped, and its error is
// returned only when no slug gave a secret. A password file may itself be
// vault data, decrypted with the secrets loaded before it. No slugs give a
// Vault without secrets.
func Load(ctx context.Context, cfg Config, slugs ...string) (*Vault, error) {
	v := New(cfg)
	warn := cfg.Warn
	if warn == nil {
		warn = func(string) {}
	}
	var last error
	found := false
	for _, slug := range slugs {
		label, source := SplitID(slug)
		shown := label
		if shown == "" {
			shown = "None"
		}
		id := label
		if id == "" {
			id = cfg.defaultID()
		}
		if formats, ok := promptFormats[cfg.NewPassword][source]; ok {
			src := &PromptSource{Prompt: cfg.Prompt, Formats: formats}
			pw, err := src.Password(ctx, id)
			if err != nil {
				warn("Error in vault password prompt (" + shown + "): " + err.Error())
				return nil, err
			}
			v.add(NewSecret(id, pw))
			found = true
			continue
		}
		path := source
		if cfg.Resolve != nil {
			path = cfg.Resolve(path)
		}
		src, err := PasswordFile(path)
		if err != nil {
			warn("Error getting vault password file (" + shown + "): " + err.Error())
			last = err
			continue
		}
		switch s := src.(type) {
		case *FileSource:
			s.Vault = v
		case *ScriptSource:
			s.Stderr = cfg.Stderr
		}
		pw, err := src.Password(ctx, label)
		if err != nil {
			if ctx.Err() != nil {
				return nil, err
			}
			warn("Error in vault password file loading (" + shown + "): " + err.Error())
			last = err
			continue
		}
		v.add(NewSecret(id, pw))
		found = true
	}
	if last != nil && !found {
		return nil, last
	}
	return v, nil
}
