package vault

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/pbkdf2"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
)

// The AES256 vault cipher: PBKDF2-HMAC-SHA256 key material, AES-256-CTR,
// HMAC-SHA256 over the ciphertext, PKCS#7 padding to the AES block size.
const (
	kdfIterations = 10000
	keyLen        = 32
	saltLen       = 32
)

// deriveKeys returns the AES key, the HMAC key and the initial counter
// block for password and salt.
func deriveKeys(password, salt []byte) (aesKey, hmacKey, iv []byte, err error) {
	dk, err := pbkdf2.Key(sha256.New, string(password), salt, kdfIterations, 2*keyLen+aes.BlockSize)
	if err != nil {
		return nil, nil, nil, fmt.Errorf("derive vault key: %w", err)
	}
	return dk[:keyLen], dk[keyLen : 2*keyLen], dk[2*keyLen:], nil
}

// encryptBody returns the hex body of an AES256 envelope for plaintext:
// hexlify(hexlify(salt) "\n" hex(hmac) "\n" hexlify(ciphertext)).
func encryptBody(plaintext, password, salt []byte) ([]byte, error) {
	aesKey, hmacKey, iv, err := deriveKeys(password, salt)
	if err != nil {
		return nil, err
	}
	block, err := aes.NewCipher(aesKey)
	if err != nil {
		return nil, fmt.Errorf("vault cipher: %w", err)
	}
	pad := aes.BlockSize - len(plaintext)%aes.BlockSize
	ct := make([]byte, len(plaintext)+pad)
	copy(ct, plaintext)
	for i := len(plaintext); i < len(ct); i++ {
		ct[i] = byte(pad)
	}
	cipher.NewCTR(block, iv).XORKeyStream(ct, ct)
	mac := hmac.New(sha256.New, hmacKey)
	mac.Write(ct)
	inner := bytes.Join([][]byte{
		hexBytes(salt),
		hexBytes(mac.Sum(nil)),
		hexBytes(ct),
	}, []byte("\n"))
	return hexBytes(inner), nil
}

// hexBytes is lower-case hex, as Python's hexlify.
func hexBytes(b []byte) []byte {
	out := make([]byte, hex.EncodedLen(len(b)))
	hex.Encode(out, b)
	return out
}

// vaultText is an AES256 body split as Ansible's parse_vaulttext does.
type vaultText struct {
	salt, macHex, ciphertext []byte
}

// parseBody unhexlifies body and splits it into salt, HMAC and ciphertext.
// Its errors are ErrFormat errors with Ansible's text.
func parseBody(body []byte) (vaultText, error) {
	inner, err := unhexlify(body)
	if err != nil {
		return vaultText{}, err
	}
	parts := bytes.SplitN(inner, []byte("\n"), 3)
	if len(parts) < 3 {
		return vaultText{}, newError(fmt.Sprintf(
			"Vault vaulttext format error: not enough values to unpack (expected 3, got %d)", len(parts)), ErrFormat)
	}
	salt, err := unhexlify(parts[0])
	if err != nil {
		return vaultText{}, err
	}
	ct, err := unhexlify(parts[2])
	if err != nil {
		return vaultText{}, err
	}
	return vaultText{salt: salt, macHex: parts[1], ciphertext: ct}, nil
}

// errHMAC means the HMAC did not match: the password is not this one.
var errHMAC = newError("HMAC verification failed: Signature did not match digest.", ErrDecrypt)

// decryptBody checks the HMAC of vt with password, in constant time, and
// only then decrypts. A mismatch is errHMAC; a malformed HMAC or padding is
// an ErrFormat error.
func decryptBody(vt vaultText, password []byte) ([]byte, error) {
	aesKey, hmacKey, iv, err := deriveKeys(password, vt.salt)
	if err != nil {
		return nil, err
	}
	mac := hmac.New(sha256.New, hmacKey)
	mac.Write(vt.ciphertext)
	want, err := unhexlify(vt.macHex)
	if err != nil {
		return nil, err
	}
	if !hmac.Equal(mac.Sum(nil), want) {
		return nil, errHMAC
	}
	block, err := aes.NewCipher(aesKey)
	if err != nil {
		return nil, fmt.Errorf("vault cipher: %w", err)
	}
	pt := make([]byte, len(vt.ciphertext))
	cipher.NewCTR(block, iv).XORKeyStream(pt, vt.ciphertext)
	return unpad(pt)
}

// unpad removes PKCS#7 padding of 16-byte blocks.
func unpad(b []byte) ([]byte, error) {
	bad := newError("Invalid padding bytes.", ErrFormat)
	if len(b) == 0 || len(b)%aes.BlockSize != 0 {
		return nil, bad
	}
	n := int(b[len(b)-1])
	if n == 0 || n > aes.BlockSize {
		return nil, bad
	}
	for _, c := range b[len(b)-n:] {
		if int(c) != n {
			return nil, bad
		}
	}
	return b[:len(b)-n], nil
}

// newSalt returns 32 random bytes, as Ansible's os.urandom(32).
func newSalt() ([]byte, error) {
	salt := make([]byte, saltLen)
	if _, err := rand.Read(salt); err != nil {
		return nil, fmt.Errorf("vault salt: %w", err)
	}
	return salt, nil
}
