// Package glob matches strings against Redis glob-style patterns, the
// patterns of KEYS, SCAN MATCH, CONFIG GET and PSUBSCRIBE.
//
// It owns only the matcher. Semantics follow Redis 7.0's stringmatchlen:
// '*' matches any run of bytes, '?' any one byte, '[abc]', '[^abc]' and
// '[a-z]' a class (a reversed range such as '[z-a]' is swapped, an
// unterminated class ends at the end of the pattern), and '\' makes the
// next byte literal. Matching is on bytes, not runes. With nocase, ASCII
// letters compare case-insensitively, except a '\'-escaped byte inside a
// class, which Redis compares exactly. One quirk is kept on purpose: an
// empty subject matches only the empty pattern (Redis's KEYS and SCAN
// special-case the lone pattern "*" themselves).
//
// Invariant: the cost of one match is O(len(pattern) * len(s)) whatever
// the pattern, so a hostile pattern such as "*a*a*a*a*a*b" cannot stall
// the server. The matcher keeps a single backtrack point (the last '*'
// seen) instead of recursing: every other pattern element consumes exactly
// one byte, so retrying only from the last star is enough.
//
// Imports: the standard library only (today, nothing at all).
package glob
