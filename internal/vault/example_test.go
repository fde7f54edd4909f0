package vault_test

import (
	"context"
	"fmt"

	"github.com/jetplay/jetplay/internal/vault"
)

func Example() {
	secret := vault.NewSecret("dev", []byte("hunter2"))
	envelope, err := vault.Encrypt([]byte("db_password: s3cret\n"), secret)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(vault.IsEncrypted(envelope))

	v := vault.New(vault.Config{}, secret)
	plain, err := v.Decrypt(envelope)
	fmt.Printf("%q %v\n", plain, err)

	wrong := vault.New(vault.Config{}, vault.NewSecret("", []byte("hunter3")))
	_, err = wrong.DecryptFile("group_vars/all/vault.yml", envelope)
	fmt.Println(err)
	// Output:
	// true
	// "db_password: s3cret\n" <nil>
	// Decryption failed (no vault secrets were found that could decrypt) on group_vars/all/vault.yml
}

func ExampleLoad() {
	// As ansible-playbook -J --vault-id dev@prompt: two prompts, no terminal
	// here, so the answers come from a function.
	prompt := func(_ context.Context, p string) (string, error) {
		fmt.Printf("asked %q\n", p)
		return "hunter2", nil
	}
	slugs := vault.IDs("", nil, []string{"dev@prompt"}, nil, true)
	v, err := vault.Load(context.Background(), vault.Config{Prompt: prompt}, slugs...)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(slugs, v.IDs())
	// Output:
	// asked "Vault password (dev): "
	// asked "Vault password: "
	// [dev@prompt default@prompt_ask_vault_pass] [dev default]
}
