package vault

import (
	"bytes"
	"errors"
	"testing"
)

// FuzzDecrypt feeds arbitrary envelopes to Decrypt: it never panics, fails
// only with the package's errors, and what it decrypts is what was
// encrypted when the input is an untouched envelope.
func FuzzDecrypt(f *testing.F) {
	for _, tc := range ansibleVectors {
		f.Add([]byte(tc.envelope))
	}
	f.Add([]byte("$ANSIBLE_VAULT;1.2;AES256;dev\n3132\n"))
	f.Add([]byte("$ANSIBLE_VAULT;1.1;AES256\n" + string(hexBytes([]byte("00\n00\n00")))))
	f.Add([]byte("$ANSIBLE_VAULT;1.1;AES256\r\n\r\n"))
	f.Add([]byte("$ANSIBLE_VAULT"))
	f.Add([]byte("a: 1"))
	// Cheap key derivation would be nicer, but the fuzz target checks the
	// real path; three secrets keep each run at a few PBKDF2 rounds.
	v := New(Config{}, NewSecret("dev", []byte("pw")), NewSecret("", []byte("hunter2")), NewSecret("x", []byte("p@ss w0rd")))
	known := map[string]string{}
	for _, tc := range ansibleVectors {
		known[tc.envelope] = tc.plaintext
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		pt, err := v.DecryptFile("fuzz.yml", data)
		if err != nil {
			for _, want := range []error{ErrNotEncrypted, ErrFormat, ErrCipher, ErrDecrypt} {
				if errors.Is(err, want) {
					return
				}
			}
			t.Fatalf("unexpected error %T: %v", err, err)
		}
		if want, ok := known[string(data)]; ok && !bytes.Equal(pt, []byte(want)) {
			t.Fatalf("decrypted %q, want %q", pt, want)
		}
	})
}
