package cli

import (
	"errors"
	"fmt"
	"os"

	"github.com/nats-io/nats.go"
	flag "github.com/spf13/pflag"
)

// NATSAuth are the NATS client credentials and TLS settings shared by the
// three commands, named as the nats CLI names them. The zero value connects
// without credentials and without TLS (the embedded server's in-process
// connection needs nothing). See docs/security.md.
type NATSAuth struct {
	// Creds is a credentials file (JWT and nkey seed, from nsc or an
	// operator). Env NATS_CREDS.
	Creds string
	// NKey is a file holding a user nkey seed. Env NATS_NKEY.
	NKey string
	// User and Password authenticate with a user name and password. Env
	// NATS_USER and NATS_PASSWORD.
	User     string
	Password string
	// TLSCA is the CA bundle that verifies the server's certificate; setting
	// it (or TLSCert) makes the connection require TLS. Env NATS_CA.
	TLSCA string
	// TLSCert and TLSKey are a client certificate and its key, for servers
	// that verify clients (mutual TLS). Env NATS_CERT and NATS_KEY.
	TLSCert string
	TLSKey  string
}

// ErrNATSAuth marks an invalid combination of NATS credential flags.
var ErrNATSAuth = errors.New("nats credentials")

// NATSFlags registers the NATS credential and TLS flags on fs, each with its
// environment variable as default. A password taken from the environment is
// never shown in --help.
func NATSFlags(fs *flag.FlagSet, o *NATSAuth) {
	fs.StringVar(&o.Creds, "creds", os.Getenv("NATS_CREDS"), "NATS credentials file (env NATS_CREDS)")
	fs.StringVar(&o.NKey, "nkey", os.Getenv("NATS_NKEY"), "NATS user nkey seed file (env NATS_NKEY)")
	fs.StringVar(&o.User, "nats-user", os.Getenv("NATS_USER"), "NATS user name (env NATS_USER)")
	fs.StringVar(&o.Password, "nats-password", os.Getenv("NATS_PASSWORD"), "NATS password (env NATS_PASSWORD; prefer the environment: a flag shows in ps)")
	fs.Lookup("nats-password").DefValue = "" // keep it out of --help
	fs.StringVar(&o.TLSCA, "tls-ca", os.Getenv("NATS_CA"), "CA file that verifies the NATS server's certificate; turns TLS on (env NATS_CA)")
	fs.StringVar(&o.TLSCert, "tls-cert", os.Getenv("NATS_CERT"), "client certificate file for mutual TLS (env NATS_CERT)")
	fs.StringVar(&o.TLSKey, "tls-key", os.Getenv("NATS_KEY"), "client certificate's key file (env NATS_KEY)")
}

// Options turns the settings into nats.go options. It fails with ErrNATSAuth
// when more than one way of authenticating is given, when a password comes
// without a user, when a certificate comes without its key (or the reverse),
// and when a named file cannot be read. The files are read again when
// connecting.
func (o NATSAuth) Options() ([]nats.Option, error) {
	var opts []nats.Option
	ways := 0
	for _, s := range []string{o.Creds, o.NKey, o.User} {
		if s != "" {
			ways++
		}
	}
	if ways > 1 {
		return nil, fmt.Errorf("%w: give one of --creds, --nkey and --nats-user", ErrNATSAuth)
	}
	if o.Password != "" && o.User == "" {
		return nil, fmt.Errorf("%w: --nats-password needs --nats-user", ErrNATSAuth)
	}
	if (o.TLSCert == "") != (o.TLSKey == "") {
		return nil, fmt.Errorf("%w: --tls-cert and --tls-key go together", ErrNATSAuth)
	}
	for _, f := range []struct{ flag, path string }{
		{"--creds", o.Creds}, {"--nkey", o.NKey}, {"--tls-ca", o.TLSCA}, {"--tls-cert", o.TLSCert}, {"--tls-key", o.TLSKey},
	} {
		if f.path == "" {
			continue
		}
		if _, err := os.Stat(f.path); err != nil {
			return nil, fmt.Errorf("%w: %s: %w", ErrNATSAuth, f.flag, err)
		}
	}
	switch {
	case o.Creds != "":
		opts = append(opts, nats.UserCredentials(o.Creds))
	case o.NKey != "":
		opt, err := nats.NkeyOptionFromSeed(o.NKey)
		if err != nil {
			return nil, fmt.Errorf("%w: --nkey %s: %w", ErrNATSAuth, o.NKey, err)
		}
		opts = append(opts, opt)
	case o.User != "":
		opts = append(opts, nats.UserInfo(o.User, o.Password))
	}
	if o.TLSCA != "" {
		opts = append(opts, nats.RootCAs(o.TLSCA))
	}
	if o.TLSCert != "" {
		opts = append(opts, nats.ClientCert(o.TLSCert, o.TLSKey))
	}
	return opts, nil
}

// String describes the settings without the password, so that printing or
// logging them never shows a secret.
func (o NATSAuth) String() string {
	pw := ""
	if o.Password != "" {
		pw = "[redacted]"
	}
	return fmt.Sprintf("{creds:%q nkey:%q user:%q password:%s tls-ca:%q tls-cert:%q tls-key:%q}",
		o.Creds, o.NKey, o.User, pw, o.TLSCA, o.TLSCert, o.TLSKey)
}

// GoString is String, for %#v.
func (o NATSAuth) GoString() string { return o.String() }
