package playbook

import "strconv"

// Pos is a position in a file. Line and Col start at 1; zero means unknown.
type Pos struct {
	File string
	Line int
	Col  int
}

// String returns "file:line:col", leaving out the parts that are unknown
// ("file:line" when Col is 0, "file" when Line is 0).
func (p Pos) String() string {
	s := p.File
	if p.Line > 0 {
		s += ":" + strconv.Itoa(p.Line)
		if p.Col > 0 {
			s += ":" + strconv.Itoa(p.Col)
		}
	}
	return s
}
