package conn

import (
	"net"
	"strconv"
	"strings"

	"github.com/rs/zerolog"
)

// sshArgs is what the pool understands of Target.SSHArgs (Ansible's
// ansible_ssh_common_args). Supported: ProxyJump, as "-J spec",
// "-o ProxyJump=spec", "-oProxyJump=spec" or "-o 'ProxyJump spec'", where
// spec is a comma-separated chain of [user@]host[:port] hops ("none" means
// no jump). Every jump host is checked against the same known_hosts files
// and authenticated with the same keys, agent and password as the target;
// a hop without a user logs in as SSHConfig.DefaultUser. Everything else is
// ignored with a debug log.
type sshArgs struct {
	proxyJump string // as given, "" for none
	jumps     []jumpHop
}

type jumpHop struct {
	addr string // host:port
	user string
}

func parseSSHArgs(s string, log zerolog.Logger) sshArgs {
	var out sshArgs
	words := splitWords(s)
	for i := 0; i < len(words); i++ {
		w := words[i]
		var opt string
		switch {
		case w == "-J" && i+1 < len(words):
			i++
			out.setJump(words[i], log)
			continue
		case strings.HasPrefix(w, "-J") && len(w) > 2:
			out.setJump(w[2:], log)
			continue
		case w == "-o" && i+1 < len(words):
			i++
			opt = words[i]
		case strings.HasPrefix(w, "-o") && len(w) > 2:
			opt = w[2:]
		default:
			log.Debug().Str("ssh_arg", w).Msg("ignoring unsupported ssh argument")
			continue
		}
		name, val, ok := strings.Cut(opt, "=")
		if !ok {
			name, val, _ = strings.Cut(opt, " ")
		}
		if strings.EqualFold(strings.TrimSpace(name), "ProxyJump") {
			out.setJump(strings.TrimSpace(val), log)
			continue
		}
		log.Debug().Str("ssh_option", name).Msg("ignoring unsupported ssh option")
	}
	return out
}

func (a *sshArgs) setJump(spec string, log zerolog.Logger) {
	a.proxyJump, a.jumps = "", nil
	if spec == "" || strings.EqualFold(spec, "none") {
		return
	}
	for _, hop := range strings.Split(spec, ",") {
		hop = strings.TrimPrefix(strings.TrimSpace(hop), "ssh://")
		var j jumpHop
		if u, rest, ok := strings.Cut(hop, "@"); ok {
			j.user, hop = u, rest
		}
		host, port := hop, "22"
		if h, p, err := net.SplitHostPort(hop); err == nil {
			host, port = h, p
		}
		if _, err := strconv.Atoi(port); err != nil || host == "" {
			log.Debug().Str("proxy_jump", spec).Msg("ignoring malformed ProxyJump")
			a.jumps = nil
			return
		}
		j.addr = net.JoinHostPort(strings.Trim(host, "[]"), port)
		a.jumps = append(a.jumps, j)
	}
	a.proxyJump = spec
}

// splitWords splits s like a POSIX shell would, honouring single and double
// quotes and backslashes, without any expansion.
func splitWords(s string) []string {
	var words []string
	var b strings.Builder
	in := false
	var quote rune
	esc := false
	for _, r := range s {
		switch {
		case esc:
			b.WriteRune(r)
			esc = false
		case quote == '\'':
			if r == '\'' {
				quote = 0
			} else {
				b.WriteRune(r)
			}
		case quote == '"':
			switch r {
			case '"':
				quote = 0
			case '\\':
				esc = true
			default:
				b.WriteRune(r)
			}
		case r == '\\':
			esc, in = true, true
		case r == '\'' || r == '"':
			quote, in = r, true
		case r == ' ' || r == '\t' || r == '\n':
			if in {
				words = append(words, b.String())
				b.Reset()
				in = false
			}
		default:
			b.WriteRune(r)
			in = true
		}
	}
	if in {
		words = append(words, b.String())
	}
	return words
}
