package module

import (
	"context"
	"strconv"
	"strings"
)

// statScript is the stat module: $1 path, $2 follow (1/0), $3 checksum
// tool ("" for none), $4 get_mime (1/0), $5 get_attributes (1/0). It prints
// "exists 0" or the fields of stat(1) -c (GNU coreutils or busybox), the
// access tests, the checksum (of a regular file), and what file(1) and
// lsattr(1) say of the path itself (not following a link, as Ansible).
const statScript = scriptPrelude + `p=$1 L=
[ "$2" = 1 ] && L=-L
if [ ! -e "$p" ] && [ ! -h "$p" ]; then say exists 0; exit 0; fi
say exists 1
say raw "$(stat $L -c '%f %a %u %g %s %i %d %h %X %Y %Z %b %o %t %T' -- "$p")" || fail "cannot stat $p"
if [ "$4" = 1 ] && have file; then say mime "$(file --mime-type --mime-encoding -- "$p" 2>/dev/null)"; fi
if [ "$5" = 1 ] && have lsattr; then say attr "$(lsattr -vd -- "$p" 2>/dev/null)"; fi
say pw_name "$(stat $L -c %U -- "$p")"
say gr_name "$(stat $L -c %G -- "$p")"
[ -r "$p" ] && say readable 1
[ -w "$p" ] && say writeable 1
[ -x "$p" ] && say executable 1
if [ -h "$p" ]; then
	say lnk_source "$(readlink -f -- "$p")"
	say lnk_target "$(readlink -- "$p")"
fi
if [ -n "$3" ] && [ -f "$p" ] && [ -r "$p" ] && { [ -n "$L" ] || [ ! -h "$p" ]; }; then
	have "$3" || fail "jetplay: $3 is not on the host"
	s=$("$3" < "$p") || fail "cannot read $p"
	say checksum "${s%% *}"
fi
`

var checksumTools = map[string]string{"md5": "md5sum", "sha1": "sha1sum", "sha224": "sha224sum",
	"sha256": "sha256sum", "sha384": "sha384sum", "sha512": "sha512sum"}

// runStat is the stat module: stat: {exists, path, mode, isdir, isreg,
// islnk, ..., size, uid, gid, pw_name, gr_name, atime, mtime, ctime,
// checksum, mimetype, charset, version, attributes, attr_flags}. Times are
// whole seconds.
func runStat(ctx context.Context, h *host, p map[string]any) (map[string]any, error) {
	path := pstr(p, "path")
	follow := "0"
	if pbool(p, "follow") {
		follow = "1"
	}
	tool := ""
	if pbool(p, "get_checksum") {
		tool = checksumTools[pstr(p, "checksum_algorithm")]
	}
	rep, res, bad, err := h.runReport(ctx, "stat", "exists", statScript, path, follow, tool, flag(pbool(p, "get_mime")), flag(pbool(p, "get_attributes")))
	if bad != nil || err != nil {
		return bad, err
	}
	if rep.kv["exists"] == "0" {
		return map[string]any{"changed": false, "stat": map[string]any{"exists": false}}, nil
	}
	f := strings.Fields(rep.kv["raw"])
	if len(f) != 15 {
		return scriptFailure("stat", res), nil
	}
	num := func(i int) int64 { n, _ := strconv.ParseInt(f[i], 10, 64); return n }
	rawMode, _ := strconv.ParseUint(f[0], 16, 32)
	major, _ := strconv.ParseUint(f[13], 16, 32)
	minor, _ := strconv.ParseUint(f[14], 16, 32)
	perm := rawMode & 0o7777
	typ := rawMode & 0o170000
	st := map[string]any{
		"exists": true, "path": path, "mode": "0" + strconv.FormatUint(perm, 8),
		"isdir": typ == 0o040000, "isreg": typ == 0o100000, "islnk": typ == 0o120000,
		"isblk": typ == 0o060000, "ischr": typ == 0o020000, "isfifo": typ == 0o010000, "issock": typ == 0o140000,
		"uid": num(2), "gid": num(3), "size": num(4), "inode": num(5), "dev": num(6), "nlink": num(7),
		"atime": float64(num(8)), "mtime": float64(num(9)), "ctime": float64(num(10)),
		"blocks": num(11), "block_size": num(12), "device_type": int64(major<<8 | minor),
		"pw_name": rep.kv["pw_name"], "gr_name": rep.kv["gr_name"],
		"readable": rep.kv["readable"] == "1", "writeable": rep.kv["writeable"] == "1", "executable": rep.kv["executable"] == "1",
		"isuid": perm&0o4000 != 0, "isgid": perm&0o2000 != 0,
		"rusr": perm&0o400 != 0, "wusr": perm&0o200 != 0, "xusr": perm&0o100 != 0,
		"rgrp": perm&0o040 != 0, "wgrp": perm&0o020 != 0, "xgrp": perm&0o010 != 0,
		"roth": perm&0o004 != 0, "woth": perm&0o002 != 0, "xoth": perm&0o001 != 0,
	}
	if len(st["mode"].(string)) < 4 {
		st["mode"] = "0" + leftPad(strconv.FormatUint(perm, 8), 3)
	}
	if c, ok := rep.kv["checksum"]; ok {
		st["checksum"] = c
	}
	if v, ok := rep.kv["lnk_source"]; ok {
		st["lnk_source"], st["lnk_target"] = v, rep.kv["lnk_target"]
	}
	if pbool(p, "get_mime") {
		st["mimetype"], st["charset"] = "unknown", "unknown"
		// "path: text/plain; charset=us-ascii"
		if i := strings.LastIndexByte(rep.kv["mime"], ':'); i >= 0 {
			if typ, cs, ok := strings.Cut(rep.kv["mime"][i+1:], ";"); ok {
				if _, v, ok := strings.Cut(cs, "="); ok {
					st["mimetype"], st["charset"] = strings.TrimSpace(typ), strings.TrimSpace(v)
				}
			}
		}
	}
	if pbool(p, "get_attributes") {
		st["version"], st["attributes"], st["attr_flags"] = nil, []any{}, ""
		// "797508412 --------------e------- path"
		if f := strings.Fields(rep.kv["attr"]); len(f) >= 2 {
			flags := strings.ReplaceAll(f[1], "-", "")
			names := []any{}
			for _, c := range flags {
				if n, ok := fileAttributes[c]; ok {
					names = append(names, n)
				}
			}
			st["version"], st["attr_flags"], st["attributes"] = f[0], flags, names
		}
	}
	return map[string]any{"changed": false, "stat": st}, nil
}

// fileAttributes names lsattr's flags, as Ansible's FILE_ATTRIBUTES.
var fileAttributes = map[rune]string{
	'A': "noatime", 'a': "append", 'c': "compressed", 'C': "nocow", 'd': "nodump", 'D': "dirsync",
	'e': "extents", 'E': "encrypted", 'h': "blocksize", 'i': "immutable", 'I': "indexed", 'j': "journalled",
	'N': "inline", 's': "zero", 'S': "synchronous", 't': "notail", 'T': "blockroot", 'u': "undelete",
	'X': "compressedraw", 'Z': "compresseddirty",
}

// flag is a boolean as a script argument: "1" or "0".
func flag(b bool) string {
	if b {
		return "1"
	}
	return "0"
}

func leftPad(s string, n int) string {
	for len(s) < n {
		s = "0" + s
	}
	return s
}
