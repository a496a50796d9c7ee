package config

import (
	"fmt"

	"github.com/dustin/go-humanize"
)

// ByteSize is a size in bytes written as a number or with a unit: 262144,
// "256KiB", "16MB".
type ByteSize int64

// UnmarshalText parses a size with or without a unit.
func (b *ByteSize) UnmarshalText(text []byte) error {
	n, err := humanize.ParseBytes(string(text))
	if err != nil {
		return fmt.Errorf("%q is not a size such as 262144, 256KiB or 16MB", text)
	}
	*b = ByteSize(n)
	return nil
}

// String writes the size with a binary unit.
func (b ByteSize) String() string { return humanize.IBytes(uint64(b)) }
