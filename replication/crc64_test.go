package replication

import "testing"

// The check value Redis's own crc64 test uses: "123456789" gives
// 0xe9c6d914c4b8d9ca, written in one piece or many.
func TestCRC64(t *testing.T) {
	var c crc64
	c.Write([]byte("123456789"))
	if c != 0xe9c6d914c4b8d9ca {
		t.Fatalf("crc64(123456789) = %#x", uint64(c))
	}
	var d crc64
	for _, b := range []byte("123456789") {
		d.Write([]byte{b})
	}
	if d != c {
		t.Fatalf("bytewise %#x", uint64(d))
	}
}
