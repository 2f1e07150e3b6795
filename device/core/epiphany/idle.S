; idle.S: the program each simulated core starts with under e-sim (EPYTHON_EHAL=esim), before
; the host loads the core program with e_load_group: sleep with interrupts enabled, so that an
; idle simulator costs no host CPU.  The reset vector branches to the loop.
#include "asm.inc"

    reset_vector _epy_sleep

    .section .text.epy_idle,"ax",@progbits
    .balign 4
_epy_sleep:
    gie
    idle
    b _epy_sleep
