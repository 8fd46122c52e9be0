package server

import (
	"strings"
)

// COMMAND DOCS describes each command's arguments as a tree, the shape
// redis-cli and client libraries read. We generate that tree from the row's
// Syntax string, written in the notation of the Redis documentation:
//
//	key value [NX | XX] [GET] [EX seconds | PX milliseconds | KEEPTTL]
//	key [key ...]
//	[username] password
//
// Upper-case words are tokens typed literally, lower-case words name
// arguments, [ ] marks an optional part, < > groups a required part, |
// separates alternatives and "X [X ...]" repeats X.

// argDoc is one node of a command's argument documentation.
type argDoc struct {
	Name     string
	Type     string // key, string, integer, double, pattern, unix-time, pure-token, oneof, block
	Token    string
	Optional bool
	Multiple bool
	Args     []*argDoc
}

// syntaxNode is the parse tree of a Syntax string before it is mapped onto
// Redis's argument shapes.
type syntaxNode struct {
	word     string          // a token or an argument name; "" for groups
	optional bool            // [ ... ]
	alts     [][]*syntaxNode // a group's alternatives
	repeat   []*syntaxNode   // "X [X ...]" collapsed: X repeated
	ellipsis bool            // the "..." marker
}

// parseSyntax turns a Syntax string into argument docs. Malformed input
// (unbalanced brackets) yields what could be parsed; it never panics.
func parseSyntax(syntax string) []*argDoc {
	p := &syntaxParser{words: lexSyntax(syntax)}
	alts := p.alternatives()
	var top []*syntaxNode
	if len(alts) == 1 {
		top = alts[0]
	} else if len(alts) > 1 {
		top = []*syntaxNode{{alts: alts}}
	}
	return docSeq(top)
}

func lexSyntax(s string) []string {
	var out []string
	var cur strings.Builder
	flush := func() {
		if cur.Len() > 0 {
			out = append(out, cur.String())
			cur.Reset()
		}
	}
	for i := 0; i < len(s); i++ {
		switch ch := s[i]; ch {
		case ' ', '\t', '\n':
			flush()
		case '[', ']', '<', '>', '|':
			flush()
			out = append(out, string(ch))
		default:
			cur.WriteByte(ch)
		}
	}
	flush()
	return out
}

type syntaxParser struct {
	words []string
	pos   int
}

// alternatives parses seq ('|' seq)* up to a closing bracket or the end.
func (p *syntaxParser) alternatives() [][]*syntaxNode {
	alts := [][]*syntaxNode{p.sequence()}
	for p.pos < len(p.words) && p.words[p.pos] == "|" {
		p.pos++
		alts = append(alts, p.sequence())
	}
	return alts
}

func (p *syntaxParser) sequence() []*syntaxNode {
	var seq []*syntaxNode
	for p.pos < len(p.words) {
		w := p.words[p.pos]
		switch w {
		case "]", ">", "|":
			return collapseRepeats(seq)
		case "[", "<":
			p.pos++
			n := &syntaxNode{optional: w == "[", alts: p.alternatives()}
			if p.pos < len(p.words) && (p.words[p.pos] == "]" || p.words[p.pos] == ">") {
				p.pos++
			}
			seq = append(seq, n)
		case "...":
			p.pos++
			seq = append(seq, &syntaxNode{ellipsis: true})
		default:
			p.pos++
			seq = append(seq, &syntaxNode{word: strings.TrimSuffix(w, "...")})
			if strings.HasSuffix(w, "...") && w != "..." {
				seq = append(seq, &syntaxNode{ellipsis: true})
			}
		}
	}
	return collapseRepeats(seq)
}

// collapseRepeats rewrites "X [X ...]" (X one or more nodes) into one
// repeat node.
func collapseRepeats(seq []*syntaxNode) []*syntaxNode {
	var out []*syntaxNode
	for _, n := range seq {
		if n.optional && len(n.alts) == 1 {
			inner := n.alts[0]
			if k := len(inner) - 1; k >= 1 && inner[k].ellipsis && k <= len(out) && sameNodes(out[len(out)-k:], inner[:k]) {
				rep := &syntaxNode{repeat: append([]*syntaxNode(nil), out[len(out)-k:]...)}
				out = append(out[:len(out)-k], rep)
				continue
			}
		}
		out = append(out, n)
	}
	return out
}

func sameNodes(a, b []*syntaxNode) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i].String() != b[i].String() {
			return false
		}
	}
	return true
}

// String renders a node back in the Syntax notation (for comparisons).
func (n *syntaxNode) String() string {
	switch {
	case n.ellipsis:
		return "..."
	case n.word != "":
		return n.word
	case n.repeat != nil:
		s := seqString(n.repeat)
		return s + " [" + s + " ...]"
	}
	var alts []string
	for _, a := range n.alts {
		alts = append(alts, seqString(a))
	}
	if n.optional {
		return "[" + strings.Join(alts, " | ") + "]"
	}
	return "<" + strings.Join(alts, " | ") + ">"
}

func seqString(seq []*syntaxNode) string {
	var parts []string
	for _, n := range seq {
		parts = append(parts, n.String())
	}
	return strings.Join(parts, " ")
}

// isToken reports whether w is typed literally: it has letters, all upper case.
func isToken(w string) bool {
	letter := false
	for i := 0; i < len(w); i++ {
		switch c := w[i]; {
		case c >= 'a' && c <= 'z':
			return false
		case c >= 'A' && c <= 'Z':
			letter = true
		}
	}
	return letter
}

func (n *syntaxNode) isToken() bool { return n.word != "" && isToken(n.word) }

// docSeq maps a sequence: each token takes the argument nodes after it up to
// the next token or group (one: the token names that argument; none: a
// pure token; several: a block introduced by the token).
func docSeq(seq []*syntaxNode) []*argDoc {
	var out []*argDoc
	for i := 0; i < len(seq); i++ {
		n := seq[i]
		if !n.isToken() {
			out = append(out, docNode(n))
			continue
		}
		j := i + 1
		for j < len(seq) && (seq[j].word != "" && !seq[j].isToken() || seq[j].repeat != nil) {
			j++
		}
		out = append(out, docTokenRun(n.word, seq[i+1:j]))
		i = j - 1
	}
	return out
}

func docTokenRun(token string, rest []*syntaxNode) *argDoc {
	switch len(rest) {
	case 0:
		return &argDoc{Name: strings.ToLower(token), Type: "pure-token", Token: token}
	case 1:
		d := docNode(rest[0])
		d.Token = token
		return d
	}
	args := docSeq(rest)
	return &argDoc{Name: blockName(args), Type: "block", Token: token, Args: args}
}

func docNode(n *syntaxNode) *argDoc {
	switch {
	case n.word != "":
		if n.isToken() {
			return &argDoc{Name: strings.ToLower(n.word), Type: "pure-token", Token: n.word}
		}
		return &argDoc{Name: n.word, Type: argType(n.word)}
	case n.repeat != nil:
		d := docGroup(n.repeat)
		d.Multiple = true
		return d
	}
	var d *argDoc
	if len(n.alts) == 1 {
		d = docGroup(n.alts[0])
	} else {
		d = &argDoc{Type: "oneof"}
		for _, alt := range n.alts {
			d.Args = append(d.Args, docGroup(alt))
		}
		d.Name = oneofName(d.Args)
	}
	if n.optional {
		d.Optional = true
	}
	return d
}

// docGroup maps a sequence that must become one argument doc: itself when
// it maps to one node, a block otherwise.
func docGroup(seq []*syntaxNode) *argDoc {
	args := docSeq(seq)
	if len(args) == 1 {
		return args[0]
	}
	return &argDoc{Name: blockName(args), Type: "block", Args: args}
}

// oneofName names a set of alternatives the way the Redis docs name the
// common ones, else after its members.
func oneofName(alts []*argDoc) string {
	for _, a := range alts {
		switch a.Token {
		case "NX", "XX", "GT", "LT":
			return "condition"
		case "EX", "PX", "EXAT", "PXAT", "KEEPTTL", "PERSIST":
			return "expiration"
		case "ASYNC", "SYNC":
			return "async"
		}
	}
	return blockName(alts)
}

func blockName(args []*argDoc) string {
	if len(args) > 2 {
		return "arguments"
	}
	var names []string
	for _, a := range args {
		names = append(names, a.Name)
	}
	return strings.Join(names, "_")
}

// argType guesses an argument's type from its name, as the Redis docs name
// them.
func argType(name string) string {
	switch name {
	case "key", "newkey", "destination", "source", "destkey", "srckey":
		return "key"
	case "pattern":
		return "pattern"
	case "unix-time-seconds", "unix-time-milliseconds", "unix-time":
		return "unix-time"
	case "seconds", "milliseconds", "count", "timeout", "index", "db", "numkeys", "offset",
		"start", "end", "stop", "increment", "decrement", "protover", "client-id", "port",
		"length", "numreplicas", "delta", "limit":
		return "integer"
	case "score", "min", "max":
		return "double"
	}
	return "string"
}
