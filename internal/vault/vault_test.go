package vault

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"testing"
)

// Envelopes written by ansible-core 2.14's VaultLib.encrypt with a fixed
// salt, so Encrypt is checked byte for byte and Decrypt against Ansible.
var ansibleVectors = []struct {
	name      string
	plaintext string
	password  string
	id        string
	salt      string
	envelope  string
}{
	{
		name:      "1.1 file",
		plaintext: "secret: 42\n",
		password:  "hunter2",
		salt:      "0123456789abcdef0123456789abcdef",
		envelope: "$ANSIBLE_VAULT;1.1;AES256\n" +
			"33303331333233333334333533363337333833393631363236333634363536363330333133323333\n" +
			"3334333533363337333833393631363236333634363536360a323334663565633230363961623930\n" +
			"39383965383330666563663061653163626335373866623466313834386333653766326263323330\n" +
			"3933383830636137380a336531303061626162636164353133353462396534636365616139386366\n" +
			"3834\n",
	},
	{
		name:      "1.2 empty plaintext, short salt",
		plaintext: "",
		password:  "pw",
		id:        "dev",
		salt:      "salt",
		envelope: "$ANSIBLE_VAULT;1.2;AES256;dev\n" +
			"37333631366337340a61656461643963353061613363663336306530373663633665376137336664\n" +
			"3166373264336462343566306533666637613165386337363930333134613835630a303166626339\n" +
			"6464363766376634336330636138336636396438333135346231\n",
	},
	{
		name:      "default id stays 1.1, one full block",
		plaintext: "sixteen bytes!!!",
		password:  "p@ss w0rd",
		id:        "default",
		salt:      "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
		envelope: "$ANSIBLE_VAULT;1.1;AES256\n" +
			"37383738373837383738373837383738373837383738373837383738373837383738373837383738\n" +
			"3738373837383738373837383738373837383738373837380a303338313331366164633831313266\n" +
			"39346261643262663164336439336235313034313032343137346365333730663631336134663535\n" +
			"3335353663386564310a643561303065326232653766343339383733313338666337616234373865\n" +
			"32616465616331646462656233393664363762356366666430316336333963333734\n",
	},
}

func TestEncryptMatchesAnsible(t *testing.T) {
	t.Parallel()
	for _, tc := range ansibleVectors {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got, err := encryptSalt([]byte(tc.plaintext), NewSecret(tc.id, []byte(tc.password)), []byte(tc.salt))
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != tc.envelope {
				t.Errorf("envelope:\n%s\nwant:\n%s", got, tc.envelope)
			}
		})
	}
}

func TestDecryptAnsibleVectors(t *testing.T) {
	t.Parallel()
	for _, tc := range ansibleVectors {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			v := New(Config{}, NewSecret("other", []byte("nope")), NewSecret(tc.id, []byte(tc.password)))
			got, id, err := v.DecryptID([]byte(tc.envelope))
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != tc.plaintext {
				t.Errorf("plaintext %q, want %q", got, tc.plaintext)
			}
			wantID := tc.id
			if wantID == "" {
				wantID = DefaultID
			}
			if id != wantID {
				t.Errorf("id %q, want %q", id, wantID)
			}
		})
	}
}

func TestRoundTrip(t *testing.T) {
	t.Parallel()
	secret := NewSecret("", []byte("correct horse"))
	for _, n := range []int{0, 1, 15, 16, 17, 31, 32, 33, 1000} {
		pt := bytes.Repeat([]byte{0, 0xff, 'a'}, n)[:n]
		env, err := Encrypt(pt, secret)
		if err != nil {
			t.Fatal(err)
		}
		if !IsEncrypted(env) {
			t.Fatalf("%d bytes: Encrypt gave no envelope: %q", n, env)
		}
		for _, line := range strings.Split(strings.TrimSuffix(string(env), "\n"), "\n")[1:] {
			if len(line) > lineWidth {
				t.Fatalf("%d bytes: line of %d characters", n, len(line))
			}
		}
		got, err := New(Config{}, secret).Decrypt(env)
		if err != nil {
			t.Fatalf("%d bytes: %v", n, err)
		}
		if !bytes.Equal(got, pt) {
			t.Fatalf("%d bytes: got %x", n, got)
		}
	}
	a, _ := Encrypt([]byte("x"), secret)
	b, _ := Encrypt([]byte("x"), secret)
	if bytes.Equal(a, b) {
		t.Error("two encryptions with the same salt")
	}
}

func TestDecryptErrors(t *testing.T) {
	t.Parallel()
	good := ansibleVectors[0]
	body := good.envelope[len("$ANSIBLE_VAULT;1.1;AES256\n"):]
	hexOf := func(s string) string { return string(hexBytes([]byte(s))) }
	tests := []struct {
		name    string
		data    string
		file    string
		secrets []Secret
		cfg     Config
		wantErr error
		wantMsg string
	}{
		{name: "plain text", data: "a: 1\n", wantErr: ErrNotEncrypted, wantMsg: "input is not vault encrypted data"},
		{name: "plain file", data: "a: 1\n", file: "vars.yml", wantErr: ErrNotEncrypted,
			wantMsg: "input is not vault encrypted data. vars.yml is not a vault encrypted file"},
		{name: "leading space", data: " " + good.envelope, wantErr: ErrNotEncrypted},
		{name: "not ascii", data: good.envelope + "é", wantErr: ErrNotEncrypted},
		{name: "header only", data: "$ANSIBLE_VAULT\n", wantErr: ErrFormat,
			wantMsg: "Vault envelope format error: list index out of range"},
		{name: "header only in file", data: "$ANSIBLE_VAULT;1.1", file: "f", wantErr: ErrFormat,
			wantMsg: "Vault envelope format error in f: list index out of range"},
		{name: "other cipher", data: "$ANSIBLE_VAULT;1.1;AES\n" + body, wantErr: ErrCipher,
			wantMsg: "AES cipher could not be found"},
		{name: "no secrets", data: good.envelope, wantErr: ErrNoSecrets,
			wantMsg: "Attempting to decrypt but no vault secrets found"},
		{name: "wrong password", data: good.envelope, secrets: []Secret{NewSecret("", []byte("hunter3"))},
			wantErr: ErrDecrypt, wantMsg: "Decryption failed (no vault secrets were found that could decrypt)"},
		{name: "wrong password in file", data: good.envelope, file: "group_vars/all.yml",
			secrets: []Secret{NewSecret("a", []byte("x")), NewSecret("b", []byte("y"))}, wantErr: ErrDecrypt,
			wantMsg: "Decryption failed (no vault secrets were found that could decrypt) on group_vars/all.yml"},
		{name: "id match without the id", data: good.envelope, cfg: Config{MatchID: true},
			secrets: []Secret{NewSecret("dev", []byte(good.password))}, wantErr: ErrDecrypt},
		{name: "id match, empty id in header", data: "$ANSIBLE_VAULT;1.2;AES256;\n" + body, cfg: Config{MatchID: true},
			secrets: []Secret{NewSecret("", []byte(good.password))}, wantErr: ErrDecrypt},
		{name: "odd body", data: "$ANSIBLE_VAULT;1.1;AES256\nabc\n", secrets: []Secret{NewSecret("", []byte("p"))},
			wantErr: ErrFormat, wantMsg: "Vault format unhexlify error: Odd-length string"},
		{name: "odd body in file", data: "$ANSIBLE_VAULT;1.1;AES256\nabc\n", file: "x.yml", secrets: []Secret{NewSecret("", []byte("p"))},
			wantErr: ErrFormat, wantMsg: "There was a vault format error in x.yml: Vault format unhexlify error: Odd-length string"},
		{name: "spaces in body", data: "$ANSIBLE_VAULT;1.1;AES256\n" + strings.ReplaceAll(body, "\n", "  \n"),
			secrets: []Secret{NewSecret("", []byte("p"))}, wantErr: ErrFormat,
			wantMsg: "Vault format unhexlify error: Non-hexadecimal digit found"},
		{name: "one part", data: "$ANSIBLE_VAULT;1.1;AES256\n" + hexOf("abcd"), secrets: []Secret{NewSecret("", []byte("p"))},
			wantErr: ErrFormat, wantMsg: "Vault vaulttext format error: not enough values to unpack (expected 3, got 1)"},
		{name: "bad salt", data: "$ANSIBLE_VAULT;1.1;AES256\n" + hexOf("zz\nab\nab"), secrets: []Secret{NewSecret("", []byte("p"))},
			wantErr: ErrFormat, wantMsg: "Vault format unhexlify error: Non-hexadecimal digit found"},
		{name: "bad hmac hex", data: "$ANSIBLE_VAULT;1.1;AES256\n" + hexOf("ab\nxyz\nab"), secrets: []Secret{NewSecret("", []byte("p"))},
			wantErr: ErrFormat, wantMsg: "Vault format unhexlify error: Odd-length string"},
		{name: "no secret tried, no format check", data: "$ANSIBLE_VAULT;1.2;AES256;a\nabc\n", cfg: Config{MatchID: true},
			secrets: []Secret{NewSecret("b", []byte("p"))}, wantErr: ErrDecrypt},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			v := New(tc.cfg, tc.secrets...)
			var err error
			if tc.file != "" {
				_, err = v.DecryptFile(tc.file, []byte(tc.data))
			} else {
				_, err = v.Decrypt([]byte(tc.data))
			}
			if !errors.Is(err, tc.wantErr) {
				t.Fatalf("error %v, want %v", err, tc.wantErr)
			}
			if tc.wantMsg != "" && err.Error() != tc.wantMsg {
				t.Errorf("message %q, want %q", err, tc.wantMsg)
			}
		})
	}
}

func TestDecryptSecretOrder(t *testing.T) {
	t.Parallel()
	// Both secrets have the password; Ansible tries them in their order,
	// whatever id the envelope names, unless vault_id_match is set.
	env, err := Encrypt([]byte("v"), NewSecret("b", []byte("same")))
	if err != nil {
		t.Fatal(err)
	}
	secrets := []Secret{NewSecret("a", []byte("same")), NewSecret("b", []byte("same"))}
	tests := []struct {
		name   string
		cfg    Config
		wantID string
	}{
		{name: "all secrets in order", wantID: "a"},
		{name: "vault_id_match", cfg: Config{MatchID: true}, wantID: "b"},
	}
	for _, tc := range tests {
		_, id, err := New(tc.cfg, secrets...).DecryptID(env)
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if id != tc.wantID {
			t.Errorf("%s: decrypted with %q, want %q", tc.name, id, tc.wantID)
		}
	}
	// A 1.1 envelope counts as the configured default id.
	env11, _ := Encrypt([]byte("v"), NewSecret("", []byte("pw")))
	v := New(Config{DefaultID: "mine", MatchID: true}, NewSecret("default", []byte("pw")), NewSecret("mine", []byte("pw")))
	if _, id, err := v.DecryptID(env11); err != nil || id != "mine" {
		t.Errorf("1.1 envelope with DefaultID mine: id %q, err %v", id, err)
	}
}

func TestEncryptChoosesSecret(t *testing.T) {
	t.Parallel()
	v := New(Config{}, NewSecret("a", []byte("pa")), NewSecret("b", []byte("pb")))
	tests := []struct {
		id         string
		wantHeader string
		wantErr    error
		wantMsg    string
	}{
		{id: "", wantHeader: "$ANSIBLE_VAULT;1.2;AES256;a"},
		{id: "b", wantHeader: "$ANSIBLE_VAULT;1.2;AES256;b"},
		{id: "c", wantErr: ErrNoEncryptSecret, wantMsg: "Did not find a match for --encrypt-vault-id=c in the known vault-ids ['a', 'b']"},
	}
	for _, tc := range tests {
		env, err := v.Encrypt([]byte("x"), tc.id)
		if !errors.Is(err, tc.wantErr) || (tc.wantMsg != "" && err.Error() != tc.wantMsg) {
			t.Fatalf("id %q: error %v, want %v", tc.id, err, tc.wantMsg)
		}
		if err != nil {
			continue
		}
		if h, _, _ := strings.Cut(string(env), "\n"); h != tc.wantHeader {
			t.Errorf("id %q: header %q, want %q", tc.id, h, tc.wantHeader)
		}
		if _, id, err := v.DecryptID(env); err != nil || id != strings.TrimPrefix(tc.wantHeader, "$ANSIBLE_VAULT;1.2;AES256;") {
			t.Errorf("id %q: decrypted by %q, %v", tc.id, id, err)
		}
	}
	if _, err := New(Config{}).Encrypt([]byte("x"), ""); !errors.Is(err, ErrNoEncryptSecret) {
		t.Errorf("no secrets: %v", err)
	}
	env, _ := v.Encrypt([]byte("x"), "")
	if _, err := v.Encrypt(env, ""); !errors.Is(err, ErrAlreadyEncrypted) {
		t.Errorf("encrypting an envelope: %v", err)
	}
	if _, err := Encrypt([]byte("x"), NewSecret("", nil)); !errors.Is(err, ErrEmptyPassword) {
		t.Errorf("empty password: %v", err)
	}
}

func TestInline(t *testing.T) {
	t.Parallel()
	// The text of an inline value from ansible-vault encrypt_string
	// --vault-id dev@F 'top', as YAML hands the block scalar over.
	const text = "$ANSIBLE_VAULT;1.2;AES256;dev\n" +
		"34353831336665333532393965373166336534643164333761636230373735323833383433623064\n" +
		"3365636431643439313339653162356232626266333630360a643964313236353138636562346330\n" +
		"35396631336561663933336530653932663439383332326365313965643237646634393963333836\n" +
		"3166356436326636370a393538386365636265666264353161623538363039313235336161643339\n" +
		"3936\n"
	v := New(Config{}, NewSecret("dev", []byte("hunter2")))
	got, err := v.DecryptString(text)
	if err != nil || got != "top" {
		t.Fatalf("DecryptString: %q, %v", got, err)
	}
	inline := FormatInline([]byte(text), "x")
	wantStart := "x: !vault |\n          $ANSIBLE_VAULT;1.2;AES256;dev\n          3435"
	if !strings.HasPrefix(inline, wantStart) || strings.HasSuffix(inline, "\n") || strings.Count(inline, "\n") != 6 {
		t.Errorf("FormatInline:\n%s", inline)
	}
	if got := FormatInline([]byte("$ANSIBLE_VAULT;1.1;AES256\nab\n"), ""); got != "!vault |\n          $ANSIBLE_VAULT;1.1;AES256\n          ab" {
		t.Errorf("FormatInline without a name: %q", got)
	}
}

func TestParseEnvelope(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		data    string
		want    Envelope
		wantErr error
	}{
		{name: "1.1", data: "$ANSIBLE_VAULT;1.1;AES256\nab\ncd\n", want: Envelope{Version: "1.1", Cipher: "AES256", ID: "default", Body: []byte("abcd")}},
		{name: "1.2 crlf and spaces", data: " $ANSIBLE_VAULT; 1.2 ;AES256; prod \r\nab\r\ncd", want: Envelope{Version: "1.2", Cipher: "AES256", ID: "prod", Body: []byte("abcd")}},
		{name: "extra fields", data: "$ANSIBLE_VAULT;9;X;id;more\n", want: Envelope{Version: "9", Cipher: "X", ID: "id", Body: []byte{}}},
		{name: "empty", data: "", wantErr: ErrFormat},
		{name: "two fields", data: "$ANSIBLE_VAULT;1.1\nab", wantErr: ErrFormat},
	}
	for _, tc := range tests {
		got, err := ParseEnvelope([]byte(tc.data), "")
		if !errors.Is(err, tc.wantErr) {
			t.Fatalf("%s: error %v, want %v", tc.name, err, tc.wantErr)
		}
		if err == nil && (got.Version != tc.want.Version || got.Cipher != tc.want.Cipher || got.ID != tc.want.ID || !bytes.Equal(got.Body, tc.want.Body)) {
			t.Errorf("%s: %+v, want %+v", tc.name, got, tc.want)
		}
	}
}

func TestIsEncrypted(t *testing.T) {
	t.Parallel()
	tests := []struct {
		data string
		want bool
	}{
		{"$ANSIBLE_VAULT;1.1;AES256\n", true},
		{"$ANSIBLE_VAULT", true},
		{"$ANSIBLE_VAUL", false},
		{"\n$ANSIBLE_VAULT;1.1;AES256\n", false},
		{"$ANSIBLE_VAULT;1.1;AES256\n\xff", false},
		{"", false},
	}
	for _, tc := range tests {
		if got := IsEncrypted([]byte(tc.data)); got != tc.want {
			t.Errorf("IsEncrypted(%q) = %v", tc.data, got)
		}
	}
}

func TestSecretNeverPrints(t *testing.T) {
	t.Parallel()
	s := NewSecret("dev", []byte("sup3rs3cret"))
	v := New(Config{}, s)
	out := fmt.Sprintf("%v %+v %#v %s %v %+v", s, s, s, s, []Secret{s}, v)
	if strings.Contains(out, "sup3rs3cret") || strings.Contains(out, "115 117 112") {
		t.Errorf("password printed: %s", out)
	}
	if !strings.Contains(out, "dev") {
		t.Errorf("id not printed: %s", out)
	}
	_, err := v.Decrypt([]byte(ansibleVectors[0].envelope))
	if err == nil || strings.Contains(err.Error(), "sup3rs3cret") {
		t.Errorf("error %v", err)
	}
}
