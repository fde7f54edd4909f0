package payload

import "strings"

// The scanner reads Python source without parsing it. lexImports splits
// the source into logical lines (brackets and backslash continuations
// joined, comments and string literals skipped), each logical line into
// simple statements (split on ';' outside brackets), and keeps the import
// statements. An import is nested (Ansible's optional import) when its
// logical line is indented, or when it follows a compound statement header
// on the same line (if x: import y); otherwise it is at module level.
// Source that is not valid Python is read as far as it goes: what looks
// like an import statement is kept, anything else is ignored.

// importStmt is one import statement as written.
type importStmt struct {
	// from is true for "from M import N", false for "import N".
	from bool
	// level is the number of leading dots of a relative from import.
	level int
	// module is M of a from import ("" for "from . import N").
	module string
	// names are the dotted names of an import, or the names imported by a
	// from import ("*" for a star import); "as" names are dropped.
	names []string
	// nested is true when the statement is not at module level.
	nested bool
}

type tokKind uint8

const (
	tokName  tokKind = iota + 1 // identifier or keyword
	tokOp                       // one punctuation character, or ":="
	tokOther                    // string or number literal
)

type token struct {
	kind  tokKind
	text  string // the name or operator; empty for tokOther
	depth int    // bracket depth before the token, within its logical line
}

// compound are the keywords that open a compound statement whose body may
// follow its ':' on the same line.
var compound = map[string]bool{
	"if": true, "elif": true, "else": true, "for": true, "while": true,
	"try": true, "except": true, "finally": true, "with": true,
	"def": true, "class": true, "async": true,
}

// lexImports returns the import statements of src in source order.
func lexImports(src []byte) []importStmt {
	l := lexer{src: src}
	var out []importStmt
	for {
		toks, indented, more := l.logicalLine()
		if len(toks) > 0 {
			out = appendImports(out, toks, indented)
		}
		if !more {
			return out
		}
	}
}

type lexer struct {
	src  []byte
	pos  int
	toks []token // reused between logical lines
}

// logicalLine reads the next logical line: its tokens, whether its first
// physical line is indented, and whether more source follows.
func (l *lexer) logicalLine() (toks []token, indented, more bool) {
	l.toks = l.toks[:0]
	depth := 0
	lineStart := true // no token yet on this logical line
	col := 0          // whitespace seen at the start of the current physical line
	src := l.src
	for l.pos < len(src) {
		c := src[l.pos]
		switch {
		case c == '\n' || c == '\r':
			l.pos++
			if c == '\r' && l.pos < len(src) && src[l.pos] == '\n' {
				l.pos++
			}
			if depth == 0 && !lineStart {
				return l.toks, indented, true
			}
			col = 0
		case c == ' ' || c == '\t' || c == '\f':
			l.pos++
			col++
		case c == '#':
			for l.pos < len(src) && src[l.pos] != '\n' && src[l.pos] != '\r' {
				l.pos++
			}
		case c == '\\' && l.pos+1 < len(src) && (src[l.pos+1] == '\n' || src[l.pos+1] == '\r'):
			// A backslash continuation joins the next physical line.
			l.pos += 2
			if src[l.pos-1] == '\r' && l.pos < len(src) && src[l.pos] == '\n' {
				l.pos++
			}
			col = 1 // what follows continues the line; it is never its start
		default:
			if lineStart {
				lineStart = false
				indented = col > 0
			}
			l.token(&depth)
		}
	}
	return l.toks, indented, false
}

// token reads one token at l.pos and appends it (strings and numbers as
// tokOther).
func (l *lexer) token(depth *int) {
	src := l.src
	c := src[l.pos]
	switch {
	case c == '"' || c == '\'':
		l.skipString()
		l.add(tokOther, "", *depth)
	case isNameStart(c):
		start := l.pos
		for l.pos < len(src) && isNameByte(src[l.pos]) {
			l.pos++
		}
		word := string(src[start:l.pos])
		if l.pos < len(src) && (src[l.pos] == '"' || src[l.pos] == '\'') && isStringPrefix(word) {
			l.skipString()
			l.add(tokOther, "", *depth)
			return
		}
		l.add(tokName, word, *depth)
	case c >= '0' && c <= '9' || c == '.' && l.pos+1 < len(src) && src[l.pos+1] >= '0' && src[l.pos+1] <= '9':
		for l.pos < len(src) && (isNameByte(src[l.pos]) || src[l.pos] == '.') {
			l.pos++
		}
		l.add(tokOther, "", *depth)
	default:
		l.pos++
		switch c {
		case '(', '[', '{':
			l.add(tokOp, string(c), *depth)
			*depth++
			return
		case ')', ']', '}':
			if *depth > 0 {
				*depth--
			}
		case ':':
			if l.pos < len(src) && src[l.pos] == '=' {
				l.pos++
				l.add(tokOp, ":=", *depth)
				return
			}
		}
		l.add(tokOp, string(c), *depth)
	}
}

func (l *lexer) add(kind tokKind, text string, depth int) {
	l.toks = append(l.toks, token{kind: kind, text: text, depth: depth})
}

// skipString skips the string literal whose opening quote is at l.pos:
// single or triple quoted; a backslash always takes the next character
// along (also in raw strings, where \" does not end the string). A single
// quoted string ends at an unescaped end of line too (Python rejects it).
func (l *lexer) skipString() {
	src := l.src
	q := src[l.pos]
	if l.pos+2 < len(src) && src[l.pos+1] == q && src[l.pos+2] == q {
		l.pos += 3
		for l.pos < len(src) {
			switch {
			case src[l.pos] == '\\':
				l.pos += 2
			case src[l.pos] == q && l.pos+2 < len(src) && src[l.pos+1] == q && src[l.pos+2] == q:
				l.pos += 3
				return
			default:
				l.pos++
			}
		}
		l.pos = len(src)
		return
	}
	l.pos++
	for l.pos < len(src) {
		switch src[l.pos] {
		case '\\':
			l.pos += 2
			if l.pos-1 < len(src) && src[l.pos-1] == '\r' && l.pos < len(src) && src[l.pos] == '\n' {
				l.pos++
			}
		case q:
			l.pos++
			return
		case '\n', '\r':
			return
		default:
			l.pos++
		}
	}
	l.pos = min(l.pos, len(src))
}

func isNameStart(c byte) bool {
	return c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= 0x80
}

func isNameByte(c byte) bool {
	return isNameStart(c) || c >= '0' && c <= '9'
}

// isStringPrefix reports whether w is a string prefix (r, u, b, f and
// their two-letter combinations, any case).
func isStringPrefix(w string) bool {
	switch strings.ToLower(w) {
	case "r", "u", "b", "f", "br", "rb", "fr", "rf":
		return true
	}
	return false
}

// appendImports appends the import statements of one logical line.
func appendImports(out []importStmt, toks []token, indented bool) []importStmt {
	nested := indented
	if toks[0].kind == tokName && compound[toks[0].text] {
		// The body, if any, follows the header's ':' at bracket depth 0.
		i := 1
		for i < len(toks) && (toks[i].kind != tokOp || toks[i].text != ":" || toks[i].depth != 0) {
			i++
		}
		if i >= len(toks)-1 {
			return out
		}
		toks, nested = toks[i+1:], true
	}
	for len(toks) > 0 {
		end := 0
		for end < len(toks) && (toks[end].kind != tokOp || toks[end].text != ";" || toks[end].depth != 0) {
			end++
		}
		if s, ok := parseImport(toks[:end]); ok {
			s.nested = nested
			out = append(out, s)
		}
		if end == len(toks) {
			break
		}
		toks = toks[end+1:]
	}
	return out
}

// parseImport reads one simple statement as an import, ok false when it is
// none (or not a well-formed one).
func parseImport(toks []token) (importStmt, bool) {
	if len(toks) < 2 || toks[0].kind != tokName {
		return importStmt{}, false
	}
	p := tokParser{toks: toks, i: 1}
	switch toks[0].text {
	case "import":
		var s importStmt
		for {
			name, ok := p.dotted()
			if !ok {
				return importStmt{}, false
			}
			s.names = append(s.names, name)
			if p.name("as") && !p.anyName() {
				return importStmt{}, false
			}
			if !p.op(",") {
				break
			}
		}
		return s, p.done()
	case "from":
		s := importStmt{from: true}
		for p.op(".") {
			s.level++
		}
		if !p.peekName("import") {
			name, ok := p.dotted()
			if !ok {
				return importStmt{}, false
			}
			s.module = name
		}
		if s.level == 0 && s.module == "" || !p.name("import") {
			return importStmt{}, false
		}
		if p.op("*") {
			s.names = []string{"*"}
			return s, p.done()
		}
		paren := p.op("(")
		for {
			if paren && p.op(")") && len(s.names) > 0 {
				return s, p.done()
			}
			n, ok := p.nameText()
			if !ok {
				return importStmt{}, false
			}
			s.names = append(s.names, n)
			if p.name("as") && !p.anyName() {
				return importStmt{}, false
			}
			if p.op(",") {
				continue
			}
			if paren && !p.op(")") {
				return importStmt{}, false
			}
			return s, p.done()
		}
	}
	return importStmt{}, false
}

type tokParser struct {
	toks []token
	i    int
}

func (p *tokParser) done() bool { return p.i == len(p.toks) }

func (p *tokParser) op(text string) bool {
	if p.i < len(p.toks) && p.toks[p.i].kind == tokOp && p.toks[p.i].text == text {
		p.i++
		return true
	}
	return false
}

func (p *tokParser) peekName(text string) bool {
	return p.i < len(p.toks) && p.toks[p.i].kind == tokName && p.toks[p.i].text == text
}

func (p *tokParser) name(text string) bool {
	if p.peekName(text) {
		p.i++
		return true
	}
	return false
}

func (p *tokParser) anyName() bool {
	_, ok := p.nameText()
	return ok
}

func (p *tokParser) nameText() (string, bool) {
	if p.i < len(p.toks) && p.toks[p.i].kind == tokName {
		p.i++
		return p.toks[p.i-1].text, true
	}
	return "", false
}

// dotted reads NAME ('.' NAME)*.
func (p *tokParser) dotted() (string, bool) {
	first, ok := p.nameText()
	if !ok {
		return "", false
	}
	parts := []string{first}
	for p.op(".") {
		n, ok := p.nameText()
		if !ok {
			return "", false
		}
		parts = append(parts, n)
	}
	return strings.Join(parts, "."), true
}
