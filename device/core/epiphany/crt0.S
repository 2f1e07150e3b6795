; crt0.S: start-up of the epython core program on the Epiphany (no C library).
;
; The e-hal loader clears SRAM, writes the program, fills the workgroup configuration at 0x28
; and raises SYNC: the core starts at the reset vector (address 0).  Here: a stack at the top of
; the runtime's region of SRAM, a cleared .bss (also when the core is restarted without a
; reload), the FPU/ALU configuration the compiler expects (binary32, round to nearest, no
; exception traps; the timer fields of CONFIG are left alone), then out of the SYNC interrupt
; with every interrupt unmasked and enabled, and main().  This file also holds the interrupt
; vectors' code: the user interrupt (e_signal) that wakes an idle core, the hardware exceptions
; that platform.c reports to the host.

#include "asm.inc"

    reset_vector _epy_start

    .section .text.epy_start,"ax",@progbits
    .balign 4
    .global _epy_start
_epy_start:
    mov32 sp, __stack_top
    mov fp, #0
    ; clear .bss word by word (the linker script aligns it to 8)
    mov32 r0, __bss_start
    mov32 r1, __bss_end
    mov r2, #0
.Lclear:
    sub r3, r1, r0
    beq .Lcleared
    str r2, [r0], #1
    b .Lclear
.Lcleared:
    ; CONFIG: ARITHMODE (bits 19:17) = 0 (binary32), RMODE (bit 0) = 0 (round to nearest even),
    ; IEN/OEN/UEN (bits 3:1) = 0: keep the CTIMER fields (bits 11:4) as they are
    movfs r0, config
    mov32 r1, 0xFFF1FFF0
    and r0, r0, r1
    movts config, r0
    ; the core starts inside the SYNC interrupt (IPEND bit 0) with e-hal's IMASK (everything
    ; but SYNC masked): unmask every interrupt and leave the handler state with rti, or the
    ; user interrupt of e_signal and the exceptions would never be taken.  Only now, with a
    ; stack: a signal the host sent before the start is taken at once.
    mov32 r0, .Lrunning
    movts iret, r0
    mov r0, #0
    movts imask, r0
    rti
.Lrunning:
    gie                                 ; exceptions are taken where they happen
    mov32 r0, main
    jalr r0
.Lhalt:                                 ; main never returns; if it does, sleep for good
    gid
    idle
    b .Lhalt

; void epy_idle_wait(void): sleep until the host's e_signal (the user interrupt), unless it came
; since the last call.  The user interrupt's handler sets epy_signalled; here it is tested with
; interrupts disabled, and a signal that arrives between that test and the idle itself is taken
; at the gie just before it: the handler sees that it interrupted the idle and returns past it.
; So a signal is never lost, and an idle core costs nothing (0% host CPU under e-sim).
    .section .text.epy_idle,"ax",@progbits
    .balign 4
    .global epy_idle_wait
epy_idle_wait:
    mov32 r1, epy_signalled
    gid
    ldr r0, [r1]
    sub r0, r0, #0
    bne .Lsignalled
    gie
    .global _epy_idle_insn
_epy_idle_insn:
    idle
.Lsignalled:
    gie
    mov r0, #0
    str r0, [r1]
    rts

    .section .bss.epy_signalled,"aw",@nobits
    .balign 4
    .global epy_signalled
epy_signalled:
    .space 4

; A software exception (IVT entry 1: unaligned access, illegal instruction, FPU trap) or a memory
; fault (entry 2) never returns: epy_fault (platform.c) reports it in the mailbox and stops the
; core.  (GCC's interrupt attribute is not used for these: with -mfp-mode=round-nearest it
; fails with an internal compiler error.)
    vector ivt_entry_software_exception, _epy_software_exception
    vector ivt_entry_page_miss, _epy_memory_fault

    .section .text.epy_idle,"ax",@progbits
    .balign 4
    .global epy_software_exception
epy_software_exception:
_epy_software_exception:
    mov r0, #1                          ; EPY_FAULT_SOFTWARE_EXCEPTION (protocol.py)
    b .Lfault
    .global epy_memory_fault
epy_memory_fault:
_epy_memory_fault:
    mov r0, #2                          ; EPY_FAULT_MEMORY
.Lfault:
    mov32 r1, epy_fault
    jr r1

; Interrupts the program does not use return at once.
    unused_vector ivt_entry_timer0
    unused_vector ivt_entry_timer1
    unused_vector ivt_entry_message
    unused_vector ivt_entry_dma0
    unused_vector ivt_entry_dma1
    unused_vector ivt_entry_wand

; The user interrupt (IVT entry 9, e_signal): notes the signal and wakes the core.  Saves what it touches below
; the interrupted code's stack pointer (nothing lives there) and restores the flags.
    vector ivt_entry_swi, _epy_user_isr

    .section .text.epy_idle,"ax",@progbits
    .balign 4
_epy_user_isr:
    str r0, [sp, #-1]
    str r1, [sp, #-2]
    str r2, [sp, #-3]
    movfs r2, status
    mov32 r1, epy_signalled
    mov r0, #1
    str r0, [r1]
    movfs r0, iret
    mov32 r1, _epy_idle_insn
    sub r1, r0, r1
    bne 1f
    add r0, r0, #2                      ; skip the 16-bit idle instruction
    movts iret, r0
1:
    movts status, r2
    ldr r2, [sp, #-3]
    ldr r1, [sp, #-2]
    ldr r0, [sp, #-1]
    rti
