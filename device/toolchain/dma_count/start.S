; start.S: start-up of the e_dma_copy counting program (dma_count.py), run alone on one e-sim
; core: a stack at the top of the 32 KB SRAM, main(), then the simulator's exit trap.
    .section .text.start,"ax",@progbits
    .global _start
_start:
    mov sp, %low(0x7ff0)
    movt sp, %high(0x7ff0)
    mov fp, #0
    mov r0, %low(main)
    movt r0, %high(main)
    jalr r0
    trap 3                              ; exit(r0): e-sim's exit trap ends the run
