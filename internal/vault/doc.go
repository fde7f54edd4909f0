// Package vault reads and writes Ansible Vault data as ansible-core 2.14
// does: the "$ANSIBLE_VAULT;1.1;AES256" and "$ANSIBLE_VAULT;1.2;AES256;<id>"
// envelopes, whole encrypted files and inline "!vault |" values alike.
//
// # Format
//
// An envelope is a header line and a body of hex in lines of 80 characters.
// The body, once unhexlified, is three lines: the hex salt, the hex
// HMAC-SHA256 and the hex ciphertext. The key material is PBKDF2-HMAC-SHA256
// of the password over the salt, 10000 iterations, 80 bytes: the AES-256 key,
// the HMAC key and the initial counter block of AES-256-CTR. The plaintext is
// padded with PKCS#7 (16-byte blocks) before encryption. The HMAC is checked,
// in constant time, before anything is decrypted. The cipher and the KDF are
// the standard library's (crypto/aes, crypto/cipher, crypto/hmac,
// crypto/pbkdf2).
//
// # Vault ids
//
// A Vault holds secrets, each a password with a vault id ("default" when the
// password was given without a label). A 1.2 envelope names the id it was
// encrypted for; a 1.1 envelope counts as the default id. The id is a hint,
// not part of what the HMAC covers: as Ansible does, Decrypt tries every
// secret in the order they were given (with MatchID, as Ansible's
// vault_id_match, only those whose id is the envelope's).
//
// # Password sources
//
// A Source gives a password: a file (its content with surrounding
// whitespace stripped), an executable script (its standard output; a script
// named *-client, or *-client.ext, is given --vault-id <id>), or a prompt
// through a function the caller supplies, so this package never touches a
// terminal. Load turns vault id slugs ("label@source", as --vault-id takes
// them) into a Vault the way ansible-playbook sets up its secrets; IDs
// builds the slug list from the configuration and the command line.
//
// Errors read as Ansible's ("Decryption failed (no vault secrets were found
// that could decrypt)") and match the sentinels of errors.go with
// errors.Is. No error, String or GoString ever includes a password or a
// decrypted value.
package vault
