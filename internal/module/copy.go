package module

import (
	"context"
	"crypto/md5"  //nolint:gosec // copy returns md5sum as Ansible does: compatibility, not security
	"crypto/sha1" //nolint:gosec // Ansible's file checksum is SHA-1: compatibility, not security
	"encoding/base64"
	"encoding/hex"
	"path"
	"strings"
)

// copyChunk bounds one argv word (Linux allows 128 KiB per argument).
const copyChunk = 96 << 10

// copyScript is the copy module: $1 dest, $2 mode, $3 encoding (raw, b64,
// or remote: $5 is then a file on the host to copy), $4 force (1/0); the
// rest are chunks of the content. The content is written to a temporary
// file next to dest and moved over it only when it differs. It prints
// "changed 0|1", "tmp" (the temporary file), "moved 1" when it replaced
// dest, for remote "sums <sha1> <md5>" of the source, and "info".
const copyScript = scriptPrelude + modeSh + `dest=$1 mode=$2 enc=$3 force=$4 changed=0; shift 4
case $dest in */) ;; *) [ -d "$dest" ] && fail "jetplay: dest $dest is a directory and there is no file name to copy to" ;; esac
dir=${dest%/*}; [ "$dir" = "$dest" ] && dir=.; [ -n "$dir" ] || dir=/
[ -d "$dir" ] || fail "Destination directory $dir does not exist"
same() {
	if have cmp; then cmp -s "$1" "$2"; return; fi
	[ "$(cksum < "$1")" = "$(cksum < "$2")" ]
}
if [ "$enc" = remote ]; then
	src=$1
	[ -e "$src" ] || fail "Source $src not found"
	[ -r "$src" ] || fail "Source $src not readable"
	[ ! -d "$src" ] || fail "jetplay does not implement copying a directory with remote_src: $src"
	have sha1sum || fail "jetplay: remote_src needs sha1sum(1) on the host"
	have md5sum || fail "jetplay: remote_src needs md5sum(1) on the host"
	say sums "$(sha1sum < "$src" | cut -d' ' -f1) $(md5sum < "$src" | cut -d' ' -f1)"
fi
if [ -e "$dest" ] && [ "$force" = 0 ]; then
	:
else
	tmp="$dir/.jetplay.$$.tmp"
	say tmp "$tmp"
	case $enc in
	b64)
		have base64 || fail "jetplay: binary content needs base64(1) on the host"
		for c; do printf %s "$c"; done | base64 -d > "$tmp" || { rm -f -- "$tmp"; fail "cannot write $tmp"; } ;;
	remote) cat -- "$src" > "$tmp" || { rm -f -- "$tmp"; fail "cannot copy $src to $tmp"; } ;;
	*) for c; do printf %s "$c"; done > "$tmp" || { rm -f -- "$tmp"; fail "cannot write $tmp"; } ;;
	esac
	if [ -f "$dest" ] && same "$tmp" "$dest"; then
		rm -f -- "$tmp"
	else
		if [ -e "$dest" ]; then chmod "$(stat -L -c %a -- "$dest")" "$tmp" 2>/dev/null
		elif [ "$enc" = remote ]; then chmod "$(stat -L -c %a -- "$src")" "$tmp" 2>/dev/null; fi
		mv -f -- "$tmp" "$dest" || { rm -f -- "$tmp"; fail "failed to move $tmp to $dest"; }
		changed=1; say moved 1
	fi
fi
applymode "$mode" "$dest"
say changed $changed
printf 'info '; pathinfo "$dest"
`

// runCopy is the copy module for content written on the host, or with
// remote_src for a file already there. The play engine reads a
// controller-side src and passes its bytes, base64, in the private argument
// _content_b64 (with src and _original_basename kept for a dest ending in
// "/"). Content without NUL bytes crosses as plain argv words; binary
// content needs base64(1) on the host.
//
// The result has Ansible's keys: new content gives the copy module's
// result (src is the temporary file the bytes went through on the host, as
// Ansible's is its upload, and diff is an empty list); content already in
// place gives the file module's result (path, and a diff of the mode when
// it changed); remote_src gives the copy module's result with the real src
// and no diff.
func runCopy(ctx context.Context, h *host, p map[string]any) (map[string]any, error) {
	dest := pstr(p, "dest")
	remote := pbool(p, "remote_src")
	var data []byte
	switch {
	case remote:
		if p["src"] == nil {
			return failed("src (or content) is required"), nil
		}
		if p["content"] != nil {
			return failed("src and content are mutually exclusive"), nil
		}
	case p["_content_b64"] != nil:
		b, err := base64.StdEncoding.DecodeString(pstr(p, "_content_b64"))
		if err != nil {
			return failed("jetplay: _content_b64 is not base64: " + err.Error()), nil
		}
		data = b
	case p["content"] != nil:
		if p["src"] != nil {
			return failed("src and content are mutually exclusive"), nil
		}
		data = []byte(pstr(p, "content"))
	case p["src"] != nil:
		return failed("jetplay: the play engine must supply the bytes of src in _content_b64"), nil
	default:
		return failed("src (or content) is required"), nil
	}
	if strings.HasSuffix(dest, "/") {
		base := cmpOr(pstr(p, "_original_basename"), path.Base(pstr(p, "src")))
		if base == "" || base == "." || base == "/" {
			return failed("can not use content with a dir as dest"), nil
		}
		dest += base
	}
	force := "1"
	if !pbool(p, "force") {
		force = "0"
	}
	var checksum, md5sum string
	var args []string
	if remote {
		args = []string{dest, modeArg(p["mode"]), "remote", force, pstr(p, "src")}
	} else {
		sum1 := sha1.Sum(data) //nolint:gosec // Ansible's checksum
		checksum = hex.EncodeToString(sum1[:])
		if want := pstr(p, "checksum"); want != "" && want != checksum {
			return failed("Copied file does not match the expected checksum. Transfer failed.", "checksum", checksum, "expected_checksum", want), nil
		}
		sum5 := md5.Sum(data) //nolint:gosec // Ansible's md5sum
		md5sum = hex.EncodeToString(sum5[:])
		enc, chunks := "raw", chunk(string(data))
		if strings.IndexByte(string(data), 0) >= 0 {
			enc, chunks = "b64", chunk(base64.StdEncoding.EncodeToString(data))
		}
		args = append([]string{dest, modeArg(p["mode"]), enc, force}, chunks...)
	}
	rep, res, bad, err := h.runReport(ctx, "copy", "changed", copyScript, args...)
	if bad != nil || err != nil {
		return bad, err
	}
	if remote {
		sums := strings.Fields(rep.kv["sums"])
		if len(sums) != 2 {
			return scriptFailure("copy", res), nil
		}
		checksum, md5sum = sums[0], sums[1]
		if want := pstr(p, "checksum"); want != "" && want != checksum {
			return failed("Copied file does not match the expected checksum. Transfer failed.", "checksum", checksum, "expected_checksum", want), nil
		}
	}
	changed := rep.kv["changed"] == "1"
	out := map[string]any{"changed": changed, "dest": dest, "checksum": checksum}
	switch {
	case remote:
		out["md5sum"], out["src"] = md5sum, pstr(p, "src")
	case rep.kv["moved"] == "1":
		out["md5sum"], out["src"], out["diff"] = md5sum, rep.kv["tmp"], []any{}
	default:
		out["path"] = dest
		before, after := map[string]any{"path": dest}, map[string]any{"path": dest}
		if m := strings.Fields(rep.kv["mode_change"]); len(m) == 2 {
			before["mode"], after["mode"] = octalMode(m[0]), octalMode(m[1])
		}
		out["diff"] = map[string]any{"before": before, "after": after}
	}
	addPathInfo(out, strings.TrimSpace(rep.kv["info"]))
	return out, nil
}

// chunk splits s into argv-sized words (at least one, possibly empty).
// Chunks are cut at byte boundaries; the script concatenates them back.
func chunk(s string) []string {
	out := []string{}
	for len(s) > copyChunk {
		out = append(out, s[:copyChunk])
		s = s[copyChunk:]
	}
	return append(out, s)
}
