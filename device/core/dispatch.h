/* dispatch.h: GENERATED from epython/bytecode/opcodes.py (the Handler column) by
 * `python -m epython.bytecode.gen_c`. DO NOT EDIT; a test fails when it is stale.
 * Included by interp.c only: it names interp.c's labels. */
#ifndef EPY_DISPATCH_H
#define EPY_DISPATCH_H

/* The computed-goto table of interp_run: the loop's own handler L_OP_<name> for the
 * opcodes it runs, `rare` (its label that calls step_rare) for the others. */
#define EPY_DISPATCH_TABLE(rare) { \
    [OP_NOP] = &&L_OP_NOP,                              /* loop       */ \
    [OP_POP_TOP] = &&L_OP_POP_TOP,                      /* loop       */ \
    [OP_DUP_TOP] = &&L_OP_DUP_TOP,                      /* loop       */ \
    [OP_DUP_TOP_TWO] = &&rare,                          /* rare       */ \
    [OP_ROT_TWO] = &&L_OP_ROT_TWO,                      /* loop       */ \
    [OP_ROT_THREE] = &&rare,                            /* rare       */ \
    [OP_LOAD_CONST] = &&L_OP_LOAD_CONST,                /* loop       */ \
    [OP_LOAD_NONE] = &&L_OP_LOAD_NONE,                  /* loop       */ \
    [OP_LOAD_TRUE] = &&L_OP_LOAD_TRUE,                  /* loop       */ \
    [OP_LOAD_FALSE] = &&L_OP_LOAD_FALSE,                /* loop       */ \
    [OP_LOAD_INT] = &&L_OP_LOAD_INT,                    /* loop       */ \
    [OP_LOAD_LOCAL] = &&L_OP_LOAD_LOCAL,                /* loop       */ \
    [OP_STORE_LOCAL] = &&L_OP_STORE_LOCAL,              /* loop       */ \
    [OP_LOAD_GLOBAL] = &&L_OP_LOAD_GLOBAL,              /* loop       */ \
    [OP_STORE_GLOBAL] = &&L_OP_STORE_GLOBAL,            /* loop       */ \
    [OP_UNARY_NEG] = &&rare,                            /* rare       */ \
    [OP_UNARY_POS] = &&rare,                            /* rare       */ \
    [OP_UNARY_NOT] = &&rare,                            /* rare       */ \
    [OP_UNARY_INVERT] = &&rare,                         /* rare       */ \
    [OP_BINARY_ADD] = &&L_OP_BINARY_ADD,                /* loop       */ \
    [OP_BINARY_SUB] = &&L_OP_BINARY_SUB,                /* loop       */ \
    [OP_BINARY_MUL] = &&L_OP_BINARY_MUL,                /* loop       */ \
    [OP_BINARY_TRUEDIV] = &&L_OP_BINARY_TRUEDIV,        /* loop       */ \
    [OP_BINARY_FLOORDIV] = &&L_OP_BINARY_FLOORDIV,      /* loop       */ \
    [OP_BINARY_MOD] = &&L_OP_BINARY_MOD,                /* loop       */ \
    [OP_BINARY_POW] = &&L_OP_BINARY_POW,                /* loop       */ \
    [OP_BINARY_LSHIFT] = &&L_OP_BINARY_LSHIFT,          /* loop       */ \
    [OP_BINARY_RSHIFT] = &&L_OP_BINARY_RSHIFT,          /* loop       */ \
    [OP_BINARY_AND] = &&L_OP_BINARY_AND,                /* loop       */ \
    [OP_BINARY_OR] = &&L_OP_BINARY_OR,                  /* loop       */ \
    [OP_BINARY_XOR] = &&L_OP_BINARY_XOR,                /* loop       */ \
    [OP_COMPARE_EQ] = &&L_OP_COMPARE_EQ,                /* loop       */ \
    [OP_COMPARE_NE] = &&L_OP_COMPARE_NE,                /* loop       */ \
    [OP_COMPARE_LT] = &&L_OP_COMPARE_LT,                /* loop       */ \
    [OP_COMPARE_LE] = &&L_OP_COMPARE_LE,                /* loop       */ \
    [OP_COMPARE_GT] = &&L_OP_COMPARE_GT,                /* loop       */ \
    [OP_COMPARE_GE] = &&L_OP_COMPARE_GE,                /* loop       */ \
    [OP_COMPARE_IN] = &&L_OP_COMPARE_IN,                /* loop       */ \
    [OP_COMPARE_NOT_IN] = &&L_OP_COMPARE_NOT_IN,        /* loop       */ \
    [OP_COMPARE_IS] = &&L_OP_COMPARE_IS,                /* loop       */ \
    [OP_COMPARE_IS_NOT] = &&L_OP_COMPARE_IS_NOT,        /* loop       */ \
    [OP_JUMP] = &&L_OP_JUMP,                            /* loop       */ \
    [OP_POP_JUMP_IF_FALSE] = &&L_OP_POP_JUMP_IF_FALSE,  /* loop       */ \
    [OP_POP_JUMP_IF_TRUE] = &&L_OP_POP_JUMP_IF_TRUE,    /* loop       */ \
    [OP_JUMP_IF_FALSE_OR_POP] = &&rare,                 /* rare       */ \
    [OP_JUMP_IF_TRUE_OR_POP] = &&rare,                  /* rare       */ \
    [OP_GET_ITER] = &&L_OP_GET_ITER,                    /* loop       */ \
    [OP_FOR_ITER] = &&L_OP_FOR_ITER,                    /* loop       */ \
    [OP_BUILD_TUPLE] = &&L_OP_BUILD_TUPLE,              /* loop       */ \
    [OP_BUILD_LIST] = &&L_OP_BUILD_LIST,                /* loop       */ \
    [OP_UNPACK_SEQUENCE] = &&rare,                      /* rare       */ \
    [OP_BINARY_SUBSCR] = &&L_OP_BINARY_SUBSCR,          /* loop       */ \
    [OP_STORE_SUBSCR] = &&L_OP_STORE_SUBSCR,            /* loop       */ \
    [OP_SLICE_SUBSCR] = &&rare,                         /* rare       */ \
    [OP_CALL] = &&L_OP_CALL,                            /* loop       */ \
    [OP_CALL_BUILTIN] = &&rare,                         /* rare       */ \
    [OP_RETURN_VALUE] = &&L_OP_RETURN_VALUE,            /* loop       */ \
    [OP_RAISE] = &&rare,                                /* rare       */ \
    [OP_FORMAT_VALUE] = &&rare,                         /* rare       */ \
    [OP_BUILD_STRING] = &&rare,                         /* rare       */ \
    [OP_LOAD_ATTR] = &&rare,                            /* rare       */ \
    [OP_INPLACE_ADD] = &&L_OP_INPLACE_ADD,              /* loop, rare */ \
    [OP_INPLACE_MUL] = &&L_OP_INPLACE_MUL,              /* loop, rare */ \
    [OP_BUILD_EXC] = &&rare,                            /* rare       */ \
    [OP_RAISE_VALUE] = &&rare,                          /* rare       */ \
    [OP_CHECK_EXC] = &&rare,                            /* rare       */ \
    [OP_DELETE_LOCAL] = &&rare,                         /* rare       */ \
    [OP_DELETE_GLOBAL] = &&rare,                        /* rare       */ \
}

/* The opcodes only step_rare runs: the switch build of the loop sends them there. */
#define EPY_CASES_RARE \
    case OP_DUP_TOP_TWO: case OP_ROT_THREE: case OP_UNARY_NEG: case OP_UNARY_POS: \
    case OP_UNARY_NOT: case OP_UNARY_INVERT: case OP_JUMP_IF_FALSE_OR_POP: \
    case OP_JUMP_IF_TRUE_OR_POP: case OP_UNPACK_SEQUENCE: case OP_SLICE_SUBSCR: \
    case OP_CALL_BUILTIN: case OP_RAISE: case OP_FORMAT_VALUE: case OP_BUILD_STRING: \
    case OP_LOAD_ATTR: case OP_BUILD_EXC: case OP_RAISE_VALUE: case OP_CHECK_EXC: \
    case OP_DELETE_LOCAL: case OP_DELETE_GLOBAL:

/* The opcodes step_rare never sees (the loop runs them whole). */
#define EPY_CASES_LOOP_ONLY \
    case OP_NOP: case OP_POP_TOP: case OP_DUP_TOP: case OP_ROT_TWO: case OP_LOAD_CONST: \
    case OP_LOAD_NONE: case OP_LOAD_TRUE: case OP_LOAD_FALSE: case OP_LOAD_INT: \
    case OP_LOAD_LOCAL: case OP_STORE_LOCAL: case OP_LOAD_GLOBAL: case OP_STORE_GLOBAL: \
    case OP_BINARY_ADD: case OP_BINARY_SUB: case OP_BINARY_MUL: case OP_BINARY_TRUEDIV: \
    case OP_BINARY_FLOORDIV: case OP_BINARY_MOD: case OP_BINARY_POW: case OP_BINARY_LSHIFT: \
    case OP_BINARY_RSHIFT: case OP_BINARY_AND: case OP_BINARY_OR: case OP_BINARY_XOR: \
    case OP_COMPARE_EQ: case OP_COMPARE_NE: case OP_COMPARE_LT: case OP_COMPARE_LE: \
    case OP_COMPARE_GT: case OP_COMPARE_GE: case OP_COMPARE_IN: case OP_COMPARE_NOT_IN: \
    case OP_COMPARE_IS: case OP_COMPARE_IS_NOT: case OP_JUMP: case OP_POP_JUMP_IF_FALSE: \
    case OP_POP_JUMP_IF_TRUE: case OP_GET_ITER: case OP_FOR_ITER: case OP_BUILD_TUPLE: \
    case OP_BUILD_LIST: case OP_BINARY_SUBSCR: case OP_STORE_SUBSCR: case OP_CALL: \
    case OP_RETURN_VALUE:

#endif /* EPY_DISPATCH_H */
