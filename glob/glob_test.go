package glob

import (
	"strings"
	"testing"
	"time"
)

// ref is a direct recursive transcription of Redis 7.0's matcher, used as
// the oracle for Match on small inputs (it is exponential on hostile ones).
func ref(p, s string, nocase bool) bool {
	for len(p) > 0 && len(s) > 0 {
		switch p[0] {
		case '*':
			for len(p) > 1 && p[1] == '*' {
				p = p[1:]
			}
			if len(p) == 1 {
				return true
			}
			for len(s) > 0 {
				if ref(p[1:], s, nocase) {
					return true
				}
				s = s[1:]
			}
			return false
		case '?':
			s = s[1:]
		case '[':
			ok, next := class(p, 1, s[0], nocase)
			if !ok {
				return false
			}
			s = s[1:]
			p = p[next-1:]
		case '\\':
			if len(p) >= 2 {
				p = p[1:]
			}
			fallthrough
		default:
			if nocase {
				if lower(p[0]) != lower(s[0]) {
					return false
				}
			} else if p[0] != s[0] {
				return false
			}
			s = s[1:]
		}
		p = p[1:]
		if len(s) == 0 {
			for len(p) > 0 && p[0] == '*' {
				p = p[1:]
			}
			break
		}
	}
	return len(p) == 0 && len(s) == 0
}

func TestMatch(t *testing.T) {
	tests := []struct {
		p, s   string
		nocase bool
		want   bool
	}{
		{"", "", false, true},
		{"*", "", false, false}, // Redis quirk: empty subject matches only ""
		{"", "a", false, false},
		{"*", "abc", false, true},
		{"a*", "a", false, true},
		{"a*c", "abbbc", false, true},
		{"a*c", "abbbd", false, false},
		{"a?c", "abc", false, true},
		{"a?c", "ac", false, false},
		{"h[ae]llo", "hello", false, true},
		{"h[ae]llo", "hillo", false, false},
		{"h[^e]llo", "hallo", false, true},
		{"h[^e]llo", "hello", false, false},
		{"h[a-b]llo", "hbllo", false, true},
		{"h[b-a]llo", "hallo", false, true}, // reversed range is swapped
		{"[A-Z]", "q", true, true},
		{"[A-Z]", "q", false, false},
		{"HELLO", "hello", true, true},
		{"HELLO", "hello", false, false},
		{`\*`, "*", false, true},
		{`\*`, "a", false, false},
		{`a\`, `a\`, false, true},
		{`[\]]`, "]", false, true},
		{`[\A]`, "a", true, false}, // an escaped byte in a class compares exactly
		{"[]", "]", false, false},
		{"[]]", "]", false, false},
		{"[a", "a", false, true},   // unterminated class
		{"[^a", "]", false, true},  // unterminated negated class
		{"[a-]", "]", false, true}, // range a..] swallows the ']'
		{"[a-]", "a", false, true},
		{"[a-]", "-", false, false},
		{"[^]", "b", false, true},
		{"maxmemory*", "maxmemory-policy", false, true},
		{"*policy", "maxmemory-policy", false, true},
	}
	for _, tt := range tests {
		if got := Match(tt.p, tt.s, tt.nocase); got != tt.want {
			t.Errorf("Match(%q, %q, %v) = %v, want %v", tt.p, tt.s, tt.nocase, got, tt.want)
		}
		if got := MatchBytes([]byte(tt.p), []byte(tt.s), tt.nocase); got != tt.want {
			t.Errorf("MatchBytes(%q, %q, %v) = %v, want %v", tt.p, tt.s, tt.nocase, got, tt.want)
		}
		if got := ref(tt.p, tt.s, tt.nocase); got != tt.want {
			t.Errorf("ref(%q, %q, %v) = %v, want %v (test table or oracle is wrong)", tt.p, tt.s, tt.nocase, got, tt.want)
		}
	}
}

// TestHostile checks that patterns which make a recursive matcher
// exponential finish quickly. The bound is on work, not time: the loop
// below would take years with exponential backtracking, and finishes in
// milliseconds with the linear-backtrack matcher.
func TestHostile(t *testing.T) {
	s := strings.Repeat("a", 10000)
	patterns := []string{
		strings.Repeat("*a", 30) + "*b",
		strings.Repeat("a*", 50) + "b",
		strings.Repeat("*?", 40) + "b",
		strings.Repeat("*[a-z]", 40) + "[0-9]",
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		for _, p := range patterns {
			if Match(p, s, false) || Match(p, s, true) {
				t.Errorf("Match(%q, a*10000) = true, want false", p)
			}
		}
	}()
	select {
	case <-done:
	case <-time.After(time.Minute): // a generous deadlock guard, not a timing assertion
		t.Fatal("hostile patterns did not finish: matcher is not polynomial")
	}
}

func FuzzMatch(f *testing.F) {
	seeds := [][2]string{
		{"*", "abc"}, {"a*b?c", "axxbyc"}, {"[a-z]*", "q"}, {"[^a]", "b"},
		{`\[*`, "[x"}, {"[a-", "a"}, {"h[e-a]llo*", "HeLLo world"}, {"", ""},
		{"**a*?", "aaa"}, {`[\`, `\`}, {"[]]", "]"},
	}
	for _, s := range seeds {
		f.Add(s[0], s[1], false)
		f.Add(s[0], s[1], true)
	}
	f.Fuzz(func(t *testing.T, p, s string, nocase bool) {
		// The oracle is exponential on many stars; keep it to small inputs.
		if len(p) > 24 || len(s) > 24 || strings.Count(p, "*") > 6 {
			Match(p, s, nocase) // still must not panic
			return
		}
		want := ref(p, s, nocase)
		if got := Match(p, s, nocase); got != want {
			t.Fatalf("Match(%q, %q, %v) = %v, oracle says %v", p, s, nocase, got, want)
		}
		if got := MatchBytes([]byte(p), []byte(s), nocase); got != want {
			t.Fatalf("MatchBytes(%q, %q, %v) = %v, oracle says %v", p, s, nocase, got, want)
		}
	})
}
