package main

import (
	"fmt"
	"time"
)

// minInt is an integer flag and the least value it may take.
type minInt struct {
	name         string
	value, least int
}

// checkMins returns an error naming the first flag below its least value,
// so that a command never quietly replaces or ignores what was asked.
func checkMins(flags ...minInt) error {
	for _, f := range flags {
		if f.value < f.least {
			return fmt.Errorf("--%s %d: want at least %d", f.name, f.value, f.least)
		}
	}
	return nil
}

// checkPositive returns an error naming flag when d is not above zero.
func checkPositive(flag string, d time.Duration) error {
	if d <= 0 {
		return fmt.Errorf("--%s %s: want a positive duration, such as 720h", flag, d)
	}
	return nil
}
