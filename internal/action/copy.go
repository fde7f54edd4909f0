package action

import (
	"context"
	"encoding/base64"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"

	"github.com/jetplay/jetplay/internal/module"
	"github.com/jetplay/jetplay/internal/playbook"
)

// copyAction is the controller side of Ansible's copy action: a src on the
// controller is read into the arguments (copySource), then the copy module
// runs on the host as one job.
func copyAction(ctx context.Context, c *Call, e Engine) Outcome {
	if err := module.CheckArgs(c.Module, c.Args); err != nil {
		return Failed(err.Error())
	}
	if o, failed := copySource(c); failed {
		return o
	}
	return e.Run(ctx, c, c.Job())
}

// copySource reads the controller-side src of a copy task into c.Args, as
// the module expects it: its bytes base64 in _content_b64 and its name in
// _original_basename, or a directory's files (copyDirSource). A relative
// src is looked up in files/ beside the task's file and the playbook, as
// Ansible's. A vault-encrypted src is decrypted with c.Decrypt (copy's
// decrypt option, default true, is not taken). Nothing is done for content
// or remote_src. failed is true
// when the task fails with o.
func copySource(c *Call) (o Outcome, failed bool) {
	args := c.Args
	src, ok := args["src"]
	if !ok || src == nil || args["content"] != nil {
		return Outcome{}, false
	}
	if remote, _ := Bool(c.Render, args["remote_src"], nil); remote {
		return Outcome{}, false
	}
	name := fmt.Sprint(src)
	path := c.FindFile(name, "files")
	notFound := func() (Outcome, bool) {
		// Ansible's message lists where it looked.
		var searched []string
		for _, d := range []string{filepath.Dir(c.TaskFile), c.BookDir} {
			if d == "" || filepath.IsAbs(name) {
				continue
			}
			abs, _ := filepath.Abs(d)
			searched = append(searched, filepath.Join(abs, "files", name), filepath.Join(abs, name))
		}
		msg := fmt.Sprintf("Could not find or access '%s'", name)
		if len(searched) > 0 {
			msg += "\nSearched in:\n\t" + strings.Join(searched, "\n\t")
		}
		return Failed(msg + " on the Ansible Controller.\nIf you are using a module and expect the file to exist on the remote, see the remote_src option"), true
	}
	fi, err := os.Stat(path)
	if err != nil {
		return notFound()
	}
	if fi.IsDir() {
		if err := copyDirSource(name, path, args, c.Decrypt); err != nil {
			return Failed(err.Error()), true
		}
		return Outcome{}, false
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return notFound()
	}
	if data, err = playbook.Unvault(c.Decrypt, path, data); err != nil {
		return Failed(err.Error()), true
	}
	args["_content_b64"] = base64.StdEncoding.EncodeToString(data)
	if _, ok := args["_original_basename"]; !ok {
		args["_original_basename"] = filepath.Base(name)
	}
	return Outcome{}, false
}

// copyDirSource reads a controller-side directory src into args for a
// recursive copy, as Ansible's copy action walks it (local_follow: links
// to files and directories are followed): the files' relative paths and
// bytes in _dir_files, the sub directories in _dir_dirs and the absolute
// src in _src_path. As rsync, "dir" copies the directory itself (paths
// start with its name) and "dir/" its contents. A link that leads nowhere
// or back up the tree is refused. Vault-encrypted files are decrypted
// with decrypt, as Ansible's copy does by default.
func copyDirSource(name, dir string, args map[string]any, decrypt playbook.DecryptFunc) error {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return err
	}
	base := ""
	if !strings.HasSuffix(name, "/") {
		base = filepath.Base(abs)
	}
	var files, dirs []any
	var walk func(real, rel string, parents []string) error
	walk = func(real, rel string, parents []string) error {
		ents, err := os.ReadDir(real)
		if err != nil {
			return err
		}
		for _, ent := range ents {
			p, r := filepath.Join(real, ent.Name()), path.Join(rel, ent.Name())
			fi, err := os.Stat(p)
			if err != nil {
				return fmt.Errorf("jetplay does not implement copying the dangling link %s", p)
			}
			if !fi.IsDir() {
				data, err := playbook.ReadFile(decrypt, p)
				if err != nil {
					return err
				}
				files = append(files, map[string]any{"path": r, "b64": base64.StdEncoding.EncodeToString(data)})
				continue
			}
			target, err := filepath.EvalSymlinks(p)
			if err != nil {
				return err
			}
			if slices.Contains(parents, target) {
				return fmt.Errorf("jetplay does not implement copying the link %s to a directory above it", p)
			}
			dirs = append(dirs, r)
			if err := walk(target, r, append(parents, target)); err != nil {
				return err
			}
		}
		return nil
	}
	top, err := filepath.EvalSymlinks(abs)
	if err == nil {
		err = walk(top, base, []string{top})
	}
	if err != nil {
		return err
	}
	if files == nil {
		files = []any{}
	}
	if dirs == nil {
		dirs = []any{}
	}
	src := abs
	if base == "" {
		src += "/"
	}
	args["_dir_files"], args["_dir_dirs"], args["_src_path"] = files, dirs, src
	return nil
}
