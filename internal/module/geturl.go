package module

import (
	"context"
	"fmt"
	"net/url"
	"path"
	"strconv"
	"strings"
)

// getURLScript is the get_url module: $1 url kind (file or http), $2 source
// (a local path for file, the URL for http), $3 dest, $4 mode, $5 checksum
// tool ("" for none), $6 expected digest, $7 force (1/0), $8 timeout,
// $9 validate_certs (1/0), ${10} http agent. It downloads to a temporary
// file next to dest, compares sha1 digests and moves it over dest only
// when they differ.
const getURLScript = scriptPrelude + modeSh + `kind=$1 src=$2 dest=$3 mode=$4 tool=$5 want=$6 force=$7 t=$8 vc=$9 agent=${10} changed=0
have sha1sum || fail "jetplay: get_url needs sha1sum on the host"
digest() { s=$("$1" < "$2") && printf '%s' "${s%% *}"; }
if [ -d "$dest" ]; then dest="${dest%/}/$(basename -- "$src")"; fi
say dest "$dest"
if [ -e "$dest" ] && [ "$force" = 0 ] && [ -n "$tool" ]; then
	have "$tool" || fail "jetplay: $tool is not on the host"
	if [ "$(digest "$tool" "$dest")" = "$want" ]; then say exists 1; applymode "$mode" "$dest"; say changed $changed; printf 'info '; pathinfo "$dest"; exit 0; fi
fi
dir=${dest%/*}; [ "$dir" = "$dest" ] && dir=.; [ -n "$dir" ] || dir=/
[ -d "$dir" ] || fail "Destination $dir does not exist"
tmp="$dir/.jetplay.$$.tmp"
start=$(date +%s)
case $kind in
file)
	[ -e "$src" ] || fail "Request failed: <urlopen error [Errno 2] No such file or directory: '$src'>"
	cp -- "$src" "$tmp" 2>/dev/null || { rm -f -- "$tmp"; fail "Request failed: cannot read $src"; }
	say msg "OK ($(wc -c < "$tmp" | tr -d ' ') bytes)" ;;
http)
	if have curl; then
		k=; [ "$vc" = 0 ] && k=-k
		code=$(curl -sSL $k -A "$agent" --max-time "$t" -o "$tmp" -w '%{http_code}' -- "$src" 2>"$tmp.err")
		rc=$?
		err=$(cat "$tmp.err" 2>/dev/null); rm -f -- "$tmp.err"
		say status_code "$code"
		if [ $rc -ne 0 ] || [ "$code" -ge 400 ] 2>/dev/null; then rm -f -- "$tmp"; say response "$err"; fail "Request failed"; fi
	elif have wget; then
		k=; [ "$vc" = 0 ] && k=--no-check-certificate
		wget -q $k -U "$agent" -T "$t" -O "$tmp" -- "$src" 2>/dev/null || { rm -f -- "$tmp"; fail "Request failed"; }
		say status_code 200
	else
		fail "jetplay: get_url of http(s) URLs needs curl or wget on the host"
	fi
	say msg "OK ($(wc -c < "$tmp" | tr -d ' ') bytes)" ;;
esac
say elapsed $(( $(date +%s) - start ))
say checksum_src "$(digest sha1sum "$tmp")"
if [ -n "$tool" ]; then
	have "$tool" || { rm -f -- "$tmp"; fail "jetplay: $tool is not on the host"; }
	got=$(digest "$tool" "$tmp")
	[ "$got" = "$want" ] || { rm -f -- "$tmp"; fail "The checksum for $dest did not match $want; it was $got."; }
fi
if [ -e "$dest" ]; then say checksum_dest "$(digest sha1sum "$dest")"; fi
if [ -e "$dest" ] && [ "$(digest sha1sum "$dest")" = "$(digest sha1sum "$tmp")" ]; then
	rm -f -- "$tmp"
else
	[ -e "$dest" ] || chmod 0644 "$tmp"
	[ -e "$dest" ] && chmod "$(stat -L -c %a -- "$dest")" "$tmp" 2>/dev/null
	mv -f -- "$tmp" "$dest" || { rm -f -- "$tmp"; fail "failed to move $tmp to $dest"; }
	changed=1
fi
have md5sum && say md5sum "$(digest md5sum "$dest")"
applymode "$mode" "$dest"
say changed $changed
printf 'info '; pathinfo "$dest"
`

// runGetURL is the get_url module for file://, http:// and https:// URLs.
// file:// copies a path on the host; http(s) needs curl or wget on the
// host. checksum is "<algorithm>:<hex digest>" (a checksum URL is not
// supported).
func runGetURL(ctx context.Context, h *host, p map[string]any) (map[string]any, error) {
	rawURL, dest := pstr(p, "url"), pstr(p, "dest")
	u, err := url.Parse(rawURL)
	if err != nil {
		return failed(fmt.Sprintf("Request failed: %v", err), "url", rawURL, "dest", dest), nil
	}
	kind, src := "", rawURL
	switch u.Scheme {
	case "file":
		kind, src = "file", u.Path
	case "http", "https":
		kind = "http"
	default:
		return failed(fmt.Sprintf("jetplay: get_url does not support %q URLs", u.Scheme), "url", rawURL, "dest", dest), nil
	}
	tool, want := "", ""
	if c := pstr(p, "checksum"); c != "" {
		algo, digest, ok := strings.Cut(c, ":")
		if !ok {
			return failed("The checksum parameter has to be in format <algorithm>:<checksum>", "url", rawURL, "dest", dest), nil
		}
		if strings.Contains(digest, "/") {
			return failed("jetplay does not implement checksum URLs in get_url", "url", rawURL, "dest", dest), nil
		}
		if tool = checksumTools[algo]; tool == "" {
			return failed(fmt.Sprintf("Unsupported hash algorithm: %s", algo), "url", rawURL, "dest", dest), nil
		}
		want = strings.ToLower(digest)
	}
	b := func(k string) string {
		if pbool(p, k) {
			return "1"
		}
		return "0"
	}
	if pstr(p, "dest") == "" {
		dest = path.Base(u.Path)
	}
	res, err := h.script(ctx, true, getURLScript, kind, src, dest, modeArg(p["mode"]), tool, want,
		b("force"), strconv.Itoa(pint(p, "timeout")), b("validate_certs"), pstr(p, "http_agent"))
	if err != nil {
		return nil, err
	}
	if res.TimedOut {
		return h.killed(res), nil
	}
	rep := parseReport(res)
	dest = cmpOr(rep.kv["dest"], dest)
	if rep.fail != "" {
		out := failed(rep.fail, "url", rawURL, "dest", dest)
		if v, ok := rep.kv["status_code"]; ok {
			out["status_code"], _ = strconv.Atoi(v)
		}
		if v, ok := rep.kv["response"]; ok {
			out["response"] = v
		}
		if v, ok := rep.kv["checksum_src"]; ok {
			out["checksum_src"], out["checksum_dest"], out["changed"] = v, nil, true
		}
		return out, nil
	}
	if res.RC != 0 || rep.kv["changed"] == "" {
		return scriptFailure("get_url", res), nil
	}
	out := map[string]any{"changed": rep.kv["changed"] == "1", "url": rawURL, "dest": dest}
	if rep.kv["exists"] == "1" {
		out["msg"] = "file already exists"
		out["checksum_src"], out["checksum_dest"], out["elapsed"] = nil, nil, 0
	} else {
		out["msg"] = rep.kv["msg"]
		out["elapsed"], _ = strconv.Atoi(rep.kv["elapsed"])
		out["checksum_src"] = rep.kv["checksum_src"]
		out["checksum_dest"] = nil
		if v, ok := rep.kv["checksum_dest"]; ok {
			out["checksum_dest"] = v
		}
		out["status_code"] = nil
		if v, ok := rep.kv["status_code"]; ok {
			out["status_code"], _ = strconv.Atoi(v)
		}
		if v, ok := rep.kv["md5sum"]; ok {
			out["md5sum"] = v
		}
	}
	addPathInfo(out, strings.TrimSpace(rep.kv["info"]))
	return out, nil
}
