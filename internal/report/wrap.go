package report

import (
	"strings"
	"unicode"
)

// wrapText splits text into lines of at most width characters like Python's
// textwrap.wrap with its defaults (tabs expanded, whitespace made spaces,
// hyphenated words broken after the hyphen, long words broken).
// dropWhitespace false keeps spaces at line ends, as Display.deprecated asks.
func wrapText(text string, width int, dropWhitespace bool) []string {
	chunks := wrapChunks(expandTabs(text))
	var lines []string
	for i := 0; i < len(chunks); {
		var cur [][]rune
		n := 0
		if dropWhitespace && isSpaceChunk(chunks[i]) && len(lines) > 0 {
			i++
		}
		for i < len(chunks) && n+len(chunks[i]) <= width {
			cur = append(cur, chunks[i])
			n += len(chunks[i])
			i++
		}
		if i < len(chunks) && len(chunks[i]) > width {
			// _handle_long_word with break_long_words and break_on_hyphens.
			left := max(width-n, 1)
			c := chunks[i]
			end := left
			if len(c) > left {
				if h := lastIndex(c[:left], '-'); h > 0 && hasNonHyphen(c[:h]) {
					end = h + 1
				}
			}
			cur = append(cur, c[:end])
			chunks[i] = c[end:]
		}
		if dropWhitespace && len(cur) > 0 && isSpaceChunk(cur[len(cur)-1]) {
			cur = cur[:len(cur)-1]
		}
		if len(cur) > 0 {
			var b strings.Builder
			for _, c := range cur {
				b.WriteString(string(c))
			}
			lines = append(lines, b.String())
		}
	}
	return lines
}

func lastIndex(rs []rune, r rune) int {
	for i := len(rs) - 1; i >= 0; i-- {
		if rs[i] == r {
			return i
		}
	}
	return -1
}

func hasNonHyphen(rs []rune) bool {
	for _, r := range rs {
		if r != '-' {
			return true
		}
	}
	return false
}

func isSpaceChunk(c []rune) bool {
	return strings.TrimSpace(string(c)) == ""
}

// expandTabs is str.expandtabs(8) followed by replacing each whitespace
// character with a space (textwrap's replace_whitespace).
func expandTabs(s string) []rune {
	var out []rune
	col := 0
	for _, r := range s {
		switch r {
		case '\t':
			n := 8 - col%8
			for range n {
				out = append(out, ' ')
			}
			col += n
		case '\n', '\r':
			out = append(out, ' ')
			col = 0
		case '\v', '\f':
			out = append(out, ' ')
			col++
		default:
			out = append(out, r)
			col++
		}
	}
	return out
}

// letter is the [^\d\W] of textwrap's wordsep_re.
func letter(r rune) bool { return r == '_' || unicode.IsLetter(r) || unicode.IsMark(r) }

// wordPunct is [\w!"'&.,?].
func wordPunct(r rune) bool {
	return letter(r) || unicode.IsDigit(r) || strings.ContainsRune(`!"'&.,?`, r)
}

// wrapChunks splits text into runs of spaces and words as textwrap's
// wordsep_re does, breaking "long-hyphenated-words" after hyphens and
// splitting em-dashes ("--") between words.
func wrapChunks(t []rune) [][]rune {
	var chunks [][]rune
	at := func(i int) rune {
		if i < 0 || i >= len(t) {
			return 0
		}
		return t[i]
	}
	i := 0
	for i < len(t) {
		start := i
		if t[i] == ' ' {
			for i < len(t) && t[i] == ' ' {
				i++
			}
			chunks = append(chunks, t[start:i])
			continue
		}
		// Em-dash between words as its own chunk.
		if t[i] == '-' && at(i+1) == '-' && i > 0 && wordPunct(t[i-1]) {
			j := i
			for j < len(t) && t[j] == '-' {
				j++
			}
			if j < len(t) && (letter(t[j]) || unicode.IsDigit(t[j])) {
				chunks = append(chunks, t[i:j])
				i = j
				continue
			}
		}
		i++ // a word chunk has at least one character
		for i < len(t) && t[i] != ' ' {
			if t[i] == '-' {
				hyphenOK := (letter(at(i-1)) && letter(at(i-2))) ||
					(letter(at(i-1)) && at(i-2) == '-' && letter(at(i-3)))
				if hyphenOK && letter(at(i+1)) && (letter(at(i+2)) || (at(i+2) == '-' && letter(at(i+3)))) {
					i++
					break
				}
				if at(i+1) == '-' && wordPunct(at(i-1)) {
					j := i
					for j < len(t) && t[j] == '-' {
						j++
					}
					if j < len(t) && (letter(t[j]) || unicode.IsDigit(t[j])) {
						break
					}
				}
			}
			i++
		}
		chunks = append(chunks, t[start:i])
	}
	return chunks
}
