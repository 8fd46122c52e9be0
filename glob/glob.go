package glob

// Match reports whether s matches the Redis glob pattern.
func Match(pattern, s string, nocase bool) bool {
	return match(pattern, s, nocase)
}

// MatchBytes is Match for byte slices; it does not allocate.
func MatchBytes(pattern, s []byte, nocase bool) bool {
	return match(pattern, s, nocase)
}

func match[T string | []byte](p, s T, nocase bool) bool {
	if len(s) == 0 {
		// Redis's loop never runs on an empty subject: only an empty
		// pattern matches it.
		return len(p) == 0
	}
	pi, si := 0, 0
	starP, starS := -1, -1 // pattern index after the last star run, and where it began in s
	for si < len(s) {
		if pi < len(p) && p[pi] == '*' {
			for pi < len(p) && p[pi] == '*' {
				pi++
			}
			if pi == len(p) {
				return true
			}
			starP, starS = pi, si
			continue
		}
		if pi < len(p) {
			if ok, next := one(p, pi, s[si], nocase); ok {
				pi = next
				si++
				continue
			}
		}
		if starP < 0 {
			return false
		}
		starS++
		si, pi = starS, starP
	}
	for pi < len(p) && p[pi] == '*' {
		pi++
	}
	return pi == len(p)
}

// one matches the single pattern element at p[pi] (not a star) against c
// and returns the index of the next element.
func one[T string | []byte](p T, pi int, c byte, nocase bool) (bool, int) {
	switch p[pi] {
	case '?':
		return true, pi + 1
	case '[':
		return class(p, pi+1, c, nocase)
	case '\\':
		if pi+1 < len(p) {
			pi++
		}
	}
	if nocase {
		return lower(p[pi]) == lower(c), pi + 1
	}
	return p[pi] == c, pi + 1
}

// class matches c against the class whose body starts at p[i], the byte
// after '['. It walks the body exactly as Redis does, including its
// handling of escapes, ranges and a missing ']'.
func class[T string | []byte](p T, i int, c byte, nocase bool) (bool, int) {
	not := i < len(p) && p[i] == '^'
	if not {
		i++
	}
	matched := false
	for {
		switch {
		case i+1 < len(p) && p[i] == '\\':
			i++
			if p[i] == c {
				matched = true
			}
		case i < len(p) && p[i] == ']':
			return matched != not, i + 1
		case i >= len(p):
			return matched != not, len(p)
		case i+2 < len(p) && p[i+1] == '-':
			start, end, x := p[i], p[i+2], c
			if start > end {
				start, end = end, start
			}
			if nocase {
				start, end, x = lower(start), lower(end), lower(x)
			}
			i += 2
			if x >= start && x <= end {
				matched = true
			}
		default:
			if nocase {
				if lower(p[i]) == lower(c) {
					matched = true
				}
			} else if p[i] == c {
				matched = true
			}
		}
		i++
	}
}

func lower(b byte) byte {
	if b >= 'A' && b <= 'Z' {
		return b + ('a' - 'A')
	}
	return b
}
