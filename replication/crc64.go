package replication

// crc64 is the CRC-64 RDB files end with: the Jones polynomial
// (0xad93d23594c935a9), reflected, initial value 0, no final XOR — not
// hash/crc64's ECMA or ISO, which also invert before and after.
type crc64 uint64

var crc64Table = func() (t [256]uint64) {
	const reflected = 0x95ac9329ac4bc9b5 // 0xad93d23594c935a9 bit-reversed
	for i := range t {
		c := uint64(i)
		for range 8 {
			if c&1 == 1 {
				c = c>>1 ^ reflected
			} else {
				c >>= 1
			}
		}
		t[i] = c
	}
	return t
}()

func (c *crc64) Write(p []byte) (int, error) {
	v := uint64(*c)
	for _, b := range p {
		v = crc64Table[byte(v)^b] ^ v>>8
	}
	*c = crc64(v)
	return len(p), nil
}
