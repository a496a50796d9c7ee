//go:build amd64 && !purego

#include "textflag.h"

// func prefetchHomes(entries []uint64, keys []uint64, shift uint8) uint64
//
// For each key: PREFETCHT0 entries[fibHome(key, shift)], the home slot
// featTable.home computes (the constant below is fibMul, table.go).
TEXT ·prefetchHomes(SB), NOSPLIT, $0-64
	MOVQ    entries_base+0(FP), DI
	MOVQ    keys_base+24(FP), SI
	MOVQ    keys_len+32(FP), BX
	MOVBQZX shift+48(FP), CX
	MOVQ    $0x9e3779b97f4a7c15, R8
	TESTQ   BX, BX
	JEQ     homesDone

homesLoop:
	MOVQ       (SI), AX
	IMULQ      R8, AX
	SHRQ       CX, AX
	PREFETCHT0 (DI)(AX*8)
	ADDQ       $8, SI
	DECQ       BX
	JNE        homesLoop

homesDone:
	MOVQ $0, ret+56(FP)
	RET

// func prefetchRecords(arena []uint16, rec []int32, used []int32) uint64
//
// For each u of used: PREFETCHT0 arena[rec[u]]. A prefetch never faults;
// the caller passes indices within the slices anyway.
TEXT ·prefetchRecords(SB), NOSPLIT, $0-80
	MOVQ  arena_base+0(FP), DI
	MOVQ  rec_base+24(FP), SI
	MOVQ  used_base+48(FP), DX
	MOVQ  used_len+56(FP), BX
	TESTQ BX, BX
	JEQ   recordsDone

recordsLoop:
	MOVLQSX    (DX), AX
	MOVLQSX    (SI)(AX*4), AX
	PREFETCHT0 (DI)(AX*2)
	ADDQ       $4, DX
	DECQ       BX
	JNE        recordsLoop

recordsDone:
	MOVQ $0, ret+72(FP)
	RET
