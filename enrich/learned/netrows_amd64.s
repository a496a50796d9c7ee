//go:build amd64 && !purego

#include "textflag.h"

// func addRowsQ64(hid []float32, q []int8, scale []float32, rows []int32, vals []float32)
//
// For each i: hid += vals[i] * scale[rows[i]] * q[rows[i]*64 : rows[i]*64+64],
// the 64 sums held in Y0-Y7 throughout. Needs AVX2 and FMA; the caller
// checks the CPU and that every row is within q and scale.
TEXT ·addRowsQ64(SB), NOSPLIT, $0-120
	MOVQ    hid_base+0(FP), DI
	MOVQ    q_base+24(FP), SI
	MOVQ    scale_base+48(FP), R8
	MOVQ    rows_base+72(FP), R9
	MOVQ    rows_len+80(FP), BX
	MOVQ    vals_base+96(FP), R10
	VMOVUPS 0(DI), Y0
	VMOVUPS 32(DI), Y1
	VMOVUPS 64(DI), Y2
	VMOVUPS 96(DI), Y3
	VMOVUPS 128(DI), Y4
	VMOVUPS 160(DI), Y5
	VMOVUPS 192(DI), Y6
	VMOVUPS 224(DI), Y7
	TESTQ   BX, BX
	JEQ     rowsDone

rowsLoop:
	MOVLQSX      (R9), AX
	VMOVSS       (R10), X8
	VMULSS       (R8)(AX*4), X8, X8
	VBROADCASTSS X8, Y8
	SHLQ         $6, AX
	ADDQ         SI, AX
	VPMOVSXBD    0(AX), Y9
	VCVTDQ2PS    Y9, Y9
	VFMADD231PS  Y9, Y8, Y0
	VPMOVSXBD    8(AX), Y10
	VCVTDQ2PS    Y10, Y10
	VFMADD231PS  Y10, Y8, Y1
	VPMOVSXBD    16(AX), Y11
	VCVTDQ2PS    Y11, Y11
	VFMADD231PS  Y11, Y8, Y2
	VPMOVSXBD    24(AX), Y12
	VCVTDQ2PS    Y12, Y12
	VFMADD231PS  Y12, Y8, Y3
	VPMOVSXBD    32(AX), Y9
	VCVTDQ2PS    Y9, Y9
	VFMADD231PS  Y9, Y8, Y4
	VPMOVSXBD    40(AX), Y10
	VCVTDQ2PS    Y10, Y10
	VFMADD231PS  Y10, Y8, Y5
	VPMOVSXBD    48(AX), Y11
	VCVTDQ2PS    Y11, Y11
	VFMADD231PS  Y11, Y8, Y6
	VPMOVSXBD    56(AX), Y12
	VCVTDQ2PS    Y12, Y12
	VFMADD231PS  Y12, Y8, Y7
	ADDQ         $4, R9
	ADDQ         $4, R10
	DECQ         BX
	JNE          rowsLoop

rowsDone:
	VMOVUPS Y0, 0(DI)
	VMOVUPS Y1, 32(DI)
	VMOVUPS Y2, 64(DI)
	VMOVUPS Y3, 96(DI)
	VMOVUPS Y4, 128(DI)
	VMOVUPS Y5, 160(DI)
	VMOVUPS Y6, 192(DI)
	VMOVUPS Y7, 224(DI)
	VZEROUPPER
	RET

// func addRowAVX(acc []float32, a float32, row []float32)
//
// acc[i] += a * row[i] for i < len(acc), eight at a time with FMA; the
// caller checks that row is as long as acc and that the CPU has AVX2
// and FMA.
TEXT ·addRowAVX(SB), NOSPLIT, $0-56
	MOVQ         acc_base+0(FP), DI
	MOVQ         acc_len+8(FP), CX
	VBROADCASTSS a+24(FP), Y0
	MOVQ         row_base+32(FP), SI

eights:
	CMPQ        CX, $8
	JLT         ones
	VMOVUPS     (SI), Y1
	VFMADD213PS (DI), Y0, Y1
	VMOVUPS     Y1, (DI)
	ADDQ        $32, SI
	ADDQ        $32, DI
	SUBQ        $8, CX
	JMP         eights

ones:
	TESTQ       CX, CX
	JEQ         done
	VMOVSS      (SI), X1
	VFMADD213SS (DI), X0, X1
	VMOVSS      X1, (DI)
	ADDQ        $4, SI
	ADDQ        $4, DI
	DECQ        CX
	JMP         ones

done:
	VZEROUPPER
	RET

// func addDenseRowsAVX(acc []float32, arena []uint16, recs []int32, vals []float32, weightsAt, chunks int)
//
// For each i, with the record r starting at word recs[i] of arena:
// acc[0:8*chunks] += vals[i] * (r's scale) * (r's int8 weights), read from
// weightsAt words into r, eight at a time. The scale is the float32 at
// word recScale (2).
//
// The sums stay in registers: a pass over the records covers up to 12
// groups of eight classes in Y0-Y11, in steps of 4 groups, so a pass's
// last step may read up to 3 groups (24 bytes) past a record's weights
// and add garbage to sums it then writes up to 24 floats past
// acc[8*chunks]. The caller leaves that much room after the last record
// and in acc. Each class's sum takes the records in order, one rounding
// per record, as adding them one at a time would.
TEXT ·addDenseRowsAVX(SB), NOSPLIT, $0-112
	MOVQ  acc_base+0(FP), DI
	MOVQ  arena_base+24(FP), SI
	MOVQ  recs_base+48(FP), R9
	MOVQ  recs_len+56(FP), BX
	MOVQ  vals_base+72(FP), R10
	MOVQ  weightsAt+96(FP), DX
	MOVQ  chunks+104(FP), CX
	SHLQ  $1, DX
	TESTQ BX, BX
	JEQ   denseDone
	TESTQ CX, CX
	JLE   denseDone

densePass:
	VMOVUPS 0(DI), Y0
	VMOVUPS 32(DI), Y1
	VMOVUPS 64(DI), Y2
	VMOVUPS 96(DI), Y3
	CMPQ    CX, $4
	JLE     denseLoaded
	VMOVUPS 128(DI), Y4
	VMOVUPS 160(DI), Y5
	VMOVUPS 192(DI), Y6
	VMOVUPS 224(DI), Y7
	CMPQ    CX, $8
	JLE     denseLoaded
	VMOVUPS 256(DI), Y8
	VMOVUPS 288(DI), Y9
	VMOVUPS 320(DI), Y10
	VMOVUPS 352(DI), Y11

denseLoaded:
	XORQ R8, R8

denseRow:
	MOVLQSX      (R9)(R8*4), AX
	LEAQ         (SI)(AX*2), AX
	VMOVSS       (R10)(R8*4), X12
	VMULSS       4(AX), X12, X12
	VBROADCASTSS X12, Y12
	ADDQ         DX, AX
	VPMOVSXBD    0(AX), Y13
	VCVTDQ2PS    Y13, Y13
	VFMADD231PS  Y13, Y12, Y0
	VPMOVSXBD    8(AX), Y14
	VCVTDQ2PS    Y14, Y14
	VFMADD231PS  Y14, Y12, Y1
	VPMOVSXBD    16(AX), Y13
	VCVTDQ2PS    Y13, Y13
	VFMADD231PS  Y13, Y12, Y2
	VPMOVSXBD    24(AX), Y14
	VCVTDQ2PS    Y14, Y14
	VFMADD231PS  Y14, Y12, Y3
	CMPQ         CX, $4
	JLE          denseNext
	VPMOVSXBD    32(AX), Y13
	VCVTDQ2PS    Y13, Y13
	VFMADD231PS  Y13, Y12, Y4
	VPMOVSXBD    40(AX), Y14
	VCVTDQ2PS    Y14, Y14
	VFMADD231PS  Y14, Y12, Y5
	VPMOVSXBD    48(AX), Y13
	VCVTDQ2PS    Y13, Y13
	VFMADD231PS  Y13, Y12, Y6
	VPMOVSXBD    56(AX), Y14
	VCVTDQ2PS    Y14, Y14
	VFMADD231PS  Y14, Y12, Y7
	CMPQ         CX, $8
	JLE          denseNext
	VPMOVSXBD    64(AX), Y13
	VCVTDQ2PS    Y13, Y13
	VFMADD231PS  Y13, Y12, Y8
	VPMOVSXBD    72(AX), Y14
	VCVTDQ2PS    Y14, Y14
	VFMADD231PS  Y14, Y12, Y9
	VPMOVSXBD    80(AX), Y13
	VCVTDQ2PS    Y13, Y13
	VFMADD231PS  Y13, Y12, Y10
	VPMOVSXBD    88(AX), Y14
	VCVTDQ2PS    Y14, Y14
	VFMADD231PS  Y14, Y12, Y11

denseNext:
	INCQ R8
	CMPQ R8, BX
	JLT  denseRow

	VMOVUPS Y0, 0(DI)
	VMOVUPS Y1, 32(DI)
	VMOVUPS Y2, 64(DI)
	VMOVUPS Y3, 96(DI)
	CMPQ    CX, $4
	JLE     denseStored
	VMOVUPS Y4, 128(DI)
	VMOVUPS Y5, 160(DI)
	VMOVUPS Y6, 192(DI)
	VMOVUPS Y7, 224(DI)
	CMPQ    CX, $8
	JLE     denseStored
	VMOVUPS Y8, 256(DI)
	VMOVUPS Y9, 288(DI)
	VMOVUPS Y10, 320(DI)
	VMOVUPS Y11, 352(DI)

denseStored:
	ADDQ $384, DI
	ADDQ $96, DX
	SUBQ $12, CX
	JG   densePass

denseDone:
	VZEROUPPER
	RET
