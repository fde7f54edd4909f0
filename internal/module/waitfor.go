package module

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"net/netip"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/jetplay/jetplay/internal/conn"
)

// portProbeScript tries to connect to host $1 port $2 within $3 seconds
// and exits 0 when it could. It uses bash's /dev/tcp (under timeout(1) when
// there is one), else nc -z; with neither it prints NOTOOL.
const portProbeScript = `if command -v bash >/dev/null 2>&1; then
	if command -v timeout >/dev/null 2>&1; then
		exec timeout "$3" bash -c 'exec 3<>"/dev/tcp/$0/$1"' "$1" "$2" 2>/dev/null
	fi
	exec bash -c 'exec 3<>"/dev/tcp/$0/$1"' "$1" "$2" 2>/dev/null
fi
if command -v nc >/dev/null 2>&1; then exec nc -z -w "$3" "$1" "$2" </dev/null >/dev/null 2>&1; fi
echo NOTOOL
`

// procNetScript prints the kernel's TCP socket tables.
const procNetScript = `cat /proc/net/tcp /proc/net/tcp6 2>/dev/null`

// tcpStates are the socket states of /proc/net/tcp by their hex code.
var tcpStates = map[string]string{
	"01": "ESTABLISHED", "02": "SYN_SENT", "03": "SYN_RECV", "04": "FIN_WAIT1", "05": "FIN_WAIT2",
	"06": "TIME_WAIT", "07": "CLOSE", "08": "CLOSE_WAIT", "09": "LAST_ACK", "0A": "LISTEN", "0B": "CLOSING",
}

// errNoPortTool means the host has no way to test a TCP port.
var errNoPortTool = errors.New("wait_for: the host has neither bash, nc nor /proc/net/tcp to check ports with")

// runWaitFor is the wait_for module. The waiting loop runs here and each
// check is one short command on the host: a file test or read for path, a
// connect attempt (bash /dev/tcp, nc, or the listening sockets of
// /proc/net/tcp for a loopback host when neither exists) for port, and
// /proc/net/tcp for state=drained. search_regex uses Go's regexp (RE2),
// multi-line as Ansible's; it is not supported with port.
func runWaitFor(ctx context.Context, h *host, p map[string]any) (map[string]any, error) {
	hostName, path, state, msg := pstr(p, "host"), pstr(p, "path"), pstr(p, "state"), pstr(p, "msg")
	port, hasPort := p["port"].(int)
	timeout, delay, sleep, ct := pint(p, "timeout"), pint(p, "delay"), pint(p, "sleep"), pint(p, "connect_timeout")
	search, hasSearch := p["search_regex"].(string)

	var re *regexp.Regexp
	if hasSearch {
		var err error
		if re, err = regexp.Compile("(?m)" + search); err != nil {
			return failed("Invalid regular expression: " + err.Error()), nil
		}
	}
	switch {
	case hasPort && path != "":
		return failed("port and path parameter can not both be passed to wait_for", "elapsed", 0), nil
	case path != "" && state == "stopped":
		return failed("state=stopped should only be used for checking a port in the wait_for module", "elapsed", 0), nil
	case path != "" && state == "drained":
		return failed("state=drained should only be used for checking a port in the wait_for module", "elapsed", 0), nil
	case p["exclude_hosts"] != nil && state != "drained":
		return failed("exclude_hosts should only be with state=drained", "elapsed", 0), nil
	case hasPort && hasSearch:
		return failed("jetplay does not implement search_regex with port in wait_for"), nil
	}
	active := pstrs(p, "active_connection_states")
	for _, s := range active {
		if !slices.Contains(maps2vals(tcpStates), s) {
			return failed(fmt.Sprintf("unknown active_connection_state (%s) defined", s), "elapsed", 0), nil
		}
	}

	// The async deadline bounds the whole wait.
	wctx := ctx
	if h.opt.Async > 0 {
		var cancel context.CancelFunc
		wctx, cancel = context.WithTimeout(ctx, h.opt.Async)
		defer cancel()
	}
	outcome := func(err error) (map[string]any, error) {
		if ctx.Err() == nil && wctx.Err() != nil {
			return h.killed(conn.Result{}), nil
		}
		return nil, err
	}

	start := time.Now()
	elapsed := func() int { return int(time.Since(start) / time.Second) }
	if err := sleepCtx(wctx, time.Duration(delay)*time.Second); err != nil {
		return outcome(err)
	}
	end := start.Add(time.Duration(timeout) * time.Second)
	res := map[string]any{"changed": false, "state": state, "port": nil, "path": nil, "search_regex": nil,
		"match_groups": []any{}, "match_groupdict": map[string]any{}}
	if hasPort {
		res["port"] = port
	}
	if path != "" {
		res["path"] = path
	}
	if hasSearch {
		res["search_regex"] = search
	}

	// check reports whether the wait is over.
	var check func() (bool, error)
	var timeoutMsg string
	switch {
	case !hasPort && path == "" && state != "drained":
		if err := sleepCtx(wctx, time.Duration(timeout)*time.Second); err != nil {
			return outcome(err)
		}
		res["elapsed"] = elapsed()
		return res, nil
	case state == "absent" || state == "stopped":
		if hasPort {
			timeoutMsg = fmt.Sprintf("Timeout when waiting for %s:%d to stop.", hostName, port)
			check = func() (bool, error) {
				open, err := h.portOpen(wctx, hostName, port, ct)
				return !open, err
			}
		} else {
			timeoutMsg = fmt.Sprintf("Timeout when waiting for %s to be absent.", path)
			check = func() (bool, error) {
				r, err := h.script(wctx, false, `[ ! -e "$1" ]`, path)
				return r.RC == 0, err
			}
		}
	case state == "started" || state == "present":
		if hasPort {
			timeoutMsg = fmt.Sprintf("Timeout when waiting for %s:%d", hostName, port)
			check = func() (bool, error) {
				left := int(time.Until(end).Seconds() + 0.999)
				return h.portOpen(wctx, hostName, port, max(1, min(ct, left)))
			}
		} else {
			timeoutMsg = fmt.Sprintf("Timeout when waiting for file %s", path)
			if hasSearch {
				timeoutMsg = fmt.Sprintf("Timeout when waiting for search string %s in %s", search, path)
			}
			check = func() (bool, error) {
				if re == nil {
					r, err := h.script(wctx, false, `[ -e "$1" ]`, path)
					return r.RC == 0, err
				}
				r, err := h.script(wctx, false, `[ -e "$1" ] || exit 2; exec cat -- "$1"`, path)
				if err != nil || r.RC != 0 {
					return false, err
				}
				m := re.FindSubmatchIndex(r.Stdout)
				if m == nil {
					return false, nil
				}
				groups := []any{}
				dict := map[string]any{}
				for i := 1; i < len(m)/2; i++ {
					var g any
					if m[2*i] >= 0 {
						g = text(r.Stdout[m[2*i]:m[2*i+1]])
					}
					groups = append(groups, g)
					if n := re.SubexpNames()[i]; n != "" {
						dict[n] = g
					}
				}
				res["match_groups"], res["match_groupdict"] = groups, dict
				return true, nil
			}
		}
	case state == "drained":
		timeoutMsg = fmt.Sprintf("Timeout when waiting for %s:%d to drain", hostName, port)
		exclude := pstrs(p, "exclude_hosts")
		check = func() (bool, error) {
			n, err := h.activeConns(wctx, hostName, port, active, exclude)
			return n == 0, err
		}
	}

	for time.Now().Before(end) {
		done, err := check()
		if errors.Is(err, errNoPortTool) {
			return failed(err.Error(), "elapsed", elapsed()), nil
		}
		if err != nil {
			return outcome(err)
		}
		if done {
			res["elapsed"] = elapsed()
			if path != "" {
				r, err := h.script(wctx, false, pathInfoSh+`pathinfo "$1"`, path)
				if err != nil {
					return outcome(err)
				}
				addPathInfo(res, strings.TrimSpace(string(r.Stdout)))
			}
			return res, nil
		}
		if err := sleepCtx(wctx, time.Duration(sleep)*time.Second); err != nil {
			return outcome(err)
		}
	}
	return failed(cmpOr(msg, timeoutMsg), "elapsed", elapsed()), nil
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

func maps2vals(m map[string]string) []string {
	out := make([]string, 0, len(m))
	for _, v := range m {
		out = append(out, v)
	}
	return out
}

// sleepCtx waits d or until ctx is done.
func sleepCtx(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// portOpen reports whether a TCP connection to hostName:port succeeds from
// the host within ct seconds.
func (h *host) portOpen(ctx context.Context, hostName string, port, ct int) (bool, error) {
	r, err := h.script(ctx, false, portProbeScript, hostName, strconv.Itoa(port), strconv.Itoa(max(ct, 1)))
	if err != nil {
		return false, err
	}
	if strings.TrimSpace(string(r.Stdout)) != "NOTOOL" {
		return r.RC == 0, nil
	}
	// Neither bash nor nc: a loopback port is open when something listens.
	if !isLoopback(hostName) {
		return false, errNoPortTool
	}
	socks, err := h.tcpSockets(ctx)
	if err != nil {
		return false, err
	}
	for _, s := range socks {
		if s.localPort == port && s.state == "LISTEN" {
			return true, nil
		}
	}
	return false, nil
}

func isLoopback(h string) bool {
	if h == "localhost" {
		return true
	}
	a, err := netip.ParseAddr(h)
	return err == nil && (a.IsLoopback() || a.IsUnspecified())
}

// activeConns counts the host's TCP connections on local port in one of
// the active states, leaving out those from exclude.
func (h *host) activeConns(ctx context.Context, hostName string, port int, active, exclude []string) (int, error) {
	socks, err := h.tcpSockets(ctx)
	if err != nil {
		return 0, err
	}
	var want netip.Addr
	if a, err := netip.ParseAddr(hostName); err == nil && !a.IsUnspecified() {
		want = a
	}
	n := 0
	for _, s := range socks {
		if s.localPort != port || !slices.Contains(active, s.state) {
			continue
		}
		if want.IsValid() && s.local.Unmap() != want.Unmap() && !s.local.IsUnspecified() {
			continue
		}
		if slices.Contains(exclude, s.remote.Unmap().String()) {
			continue
		}
		n++
	}
	return n, nil
}

type tcpSocket struct {
	local, remote netip.Addr
	localPort     int
	state         string
}

// tcpSockets reads /proc/net/tcp and /proc/net/tcp6 of the host.
func (h *host) tcpSockets(ctx context.Context) ([]tcpSocket, error) {
	r, err := h.script(ctx, false, procNetScript)
	if err != nil {
		return nil, err
	}
	if len(r.Stdout) == 0 {
		return nil, errNoPortTool
	}
	var out []tcpSocket
	sc := bufio.NewScanner(strings.NewReader(string(r.Stdout)))
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) < 4 || f[0] == "sl" {
			continue
		}
		la, lp, ok1 := parseProcAddr(f[1])
		ra, _, ok2 := parseProcAddr(f[2])
		if !ok1 || !ok2 {
			continue
		}
		out = append(out, tcpSocket{local: la, remote: ra, localPort: lp, state: tcpStates[f[3]]})
	}
	return out, nil
}

// parseProcAddr decodes "0100007F:1F90" (IPv4) or a 32-digit IPv6 form,
// each 32-bit word in host (little-endian) order.
func parseProcAddr(s string) (netip.Addr, int, bool) {
	hexAddr, hexPort, ok := strings.Cut(s, ":")
	if !ok {
		return netip.Addr{}, 0, false
	}
	port, err := strconv.ParseUint(hexPort, 16, 16)
	if err != nil || (len(hexAddr) != 8 && len(hexAddr) != 32) {
		return netip.Addr{}, 0, false
	}
	b := make([]byte, len(hexAddr)/2)
	for i := 0; i < len(hexAddr)/8; i++ {
		w, err := strconv.ParseUint(hexAddr[8*i:8*i+8], 16, 32)
		if err != nil {
			return netip.Addr{}, 0, false
		}
		b[4*i], b[4*i+1], b[4*i+2], b[4*i+3] = byte(w), byte(w>>8), byte(w>>16), byte(w>>24)
	}
	a, _ := netip.AddrFromSlice(b)
	return a, int(port), true
}
