/* opcodes.h: GENERATED from epython/bytecode/opcodes.py, image.py and protocol.py by
 * `python -m epython.bytecode.gen_c`. DO NOT EDIT; a test fails when it is stale. */
#ifndef EPY_OPCODES_H
#define EPY_OPCODES_H

#define EPY_IMAGE_MAGIC "EPYB"
#define EPY_FORMAT_VERSION 1
#define EPY_NO_INIT 0xFFFF
#define EPY_HEADER_SIZE 24
#define EPY_GLOBAL_ENTRY_SIZE 4
#define EPY_FUNC_ENTRY_SIZE 18
#define EPY_LINE_ENTRY_SIZE 4
#define EPY_HANDLER_ENTRY_SIZE 10
#define EPY_FLAG_HANDLERS 1
#define EPY_MAX_FRAME_STACK 255

/* Opcodes: name = code,  operand format,  stack effect */
enum epy_opcode {
    OP_NOP = 0,                     /* -     do nothing */
    OP_POP_TOP = 1,                 /* -     a -> */
    OP_DUP_TOP = 2,                 /* -     a -> a a */
    OP_DUP_TOP_TWO = 3,             /* -     a b -> a b a b */
    OP_ROT_TWO = 4,                 /* -     a b -> b a */
    OP_ROT_THREE = 5,               /* -     a b c -> c a b */
    OP_LOAD_CONST = 6,              /* u16   -> K[arg] */
    OP_LOAD_NONE = 7,               /* -     -> None */
    OP_LOAD_TRUE = 8,               /* -     -> True */
    OP_LOAD_FALSE = 9,              /* -     -> False */
    OP_LOAD_INT = 10,               /* i16   -> int(arg)  (small integer immediate) */
    OP_LOAD_LOCAL = 11,             /* u8    -> L[arg]  (UnboundLocalError if unset) */
    OP_STORE_LOCAL = 12,            /* u8    a ->  L[arg] = a */
    OP_LOAD_GLOBAL = 13,            /* u16   -> G[arg] */
    OP_STORE_GLOBAL = 14,           /* u16   a ->  G[arg] = a */
    OP_UNARY_NEG = 15,              /* -     a -> -a */
    OP_UNARY_POS = 16,              /* -     a -> +a */
    OP_UNARY_NOT = 17,              /* -     a -> not a */
    OP_UNARY_INVERT = 18,           /* -     a -> ~a */
    OP_BINARY_ADD = 19,             /* -     a b -> a + b */
    OP_BINARY_SUB = 20,             /* -     a b -> a - b */
    OP_BINARY_MUL = 21,             /* -     a b -> a * b */
    OP_BINARY_TRUEDIV = 22,         /* -     a b -> a / b */
    OP_BINARY_FLOORDIV = 23,        /* -     a b -> a // b */
    OP_BINARY_MOD = 24,             /* -     a b -> a % b */
    OP_BINARY_POW = 25,             /* -     a b -> a ** b */
    OP_BINARY_LSHIFT = 26,          /* -     a b -> a << b */
    OP_BINARY_RSHIFT = 27,          /* -     a b -> a >> b */
    OP_BINARY_AND = 28,             /* -     a b -> a & b */
    OP_BINARY_OR = 29,              /* -     a b -> a | b */
    OP_BINARY_XOR = 30,             /* -     a b -> a ^ b */
    OP_COMPARE_EQ = 31,             /* -     a b -> a == b */
    OP_COMPARE_NE = 32,             /* -     a b -> a != b */
    OP_COMPARE_LT = 33,             /* -     a b -> a < b */
    OP_COMPARE_LE = 34,             /* -     a b -> a <= b */
    OP_COMPARE_GT = 35,             /* -     a b -> a > b */
    OP_COMPARE_GE = 36,             /* -     a b -> a >= b */
    OP_COMPARE_IN = 37,             /* -     a b -> a in b */
    OP_COMPARE_NOT_IN = 38,         /* -     a b -> a not in b */
    OP_COMPARE_IS = 39,             /* -     a b -> a is b  (None/True/False only) */
    OP_COMPARE_IS_NOT = 40,         /* -     a b -> a is not b */
    OP_JUMP = 41,                   /* addr  pc = arg */
    OP_POP_JUMP_IF_FALSE = 42,      /* addr  a ->  if not a: pc = arg */
    OP_POP_JUMP_IF_TRUE = 43,       /* addr  a ->  if a: pc = arg */
    OP_JUMP_IF_FALSE_OR_POP = 44,   /* addr  a -> a (and pc = arg) if not a, else a -> */
    OP_JUMP_IF_TRUE_OR_POP = 45,    /* addr  a -> a (and pc = arg) if a, else a -> */
    OP_GET_ITER = 46,               /* -     a -> iter(a)  (range, list, tuple, str, array, enumerate, zip) */
    OP_FOR_ITER = 47,               /* addr  it -> it next(it); when exhausted: it -> and pc = arg */
    OP_BUILD_TUPLE = 48,            /* u8    a1..an -> (a1, ..., an) */
    OP_BUILD_LIST = 49,             /* u8    a1..an -> [a1, ..., an] */
    OP_UNPACK_SEQUENCE = 50,        /* u8    s -> s[n-1] .. s[0]  (s[0] on top) */
    OP_BINARY_SUBSCR = 51,          /* -     a i -> a[i]  (i may be a tuple for 2-D arrays) */
    OP_STORE_SUBSCR = 52,           /* -     v a i ->  a[i] = v */
    OP_SLICE_SUBSCR = 53,           /* -     a lo hi step -> a[lo:hi:step]  (None for omitted) */
    OP_CALL = 54,                   /* u16   a1..an -> f(a1..an)  (arg: function index; n: that function's parameter count) */
    OP_CALL_BUILTIN = 55,           /* u8u8  a1..an -> b(a1..an)  (arg1: builtin id, arg2: n) */
    OP_RETURN_VALUE = 56,           /* -     a ->  return a to the caller */
    OP_RAISE = 57,                  /* u8    msg ->  raise ErrorCode(arg)(msg); msg is a str or None */
    OP_FORMAT_VALUE = 58,           /* u8    a spec -> format(a, spec)  (arg 0: str(a), 1: use spec) */
    OP_BUILD_STRING = 59,           /* u8    s1..sn -> s1 + ... + sn */
    OP_LOAD_ATTR = 60,              /* u8    a -> a.attr  (arg: attribute id, see ATTRS) */
    OP_INPLACE_ADD = 61,            /* -     a b -> a += b  (a list: extended in place by any iterable b, a itself pushed; else a + b) */
    OP_INPLACE_MUL = 62,            /* -     a b -> a *= b  (a list: repeated in place, a itself pushed; else a * b) */
    OP_BUILD_EXC = 63,              /* u8u8  a1..an -> E(a1, ..., an)  (arg1: exception class, an ErrorCode; arg2: n) */
    OP_RAISE_VALUE = 64,            /* -     e ->  raise e  (e an exception; its handler or the host receives it) */
    OP_CHECK_EXC = 65,              /* u8    e -> m  (m: e is an instance of the class arg or of a subclass of it) */
    OP_DELETE_LOCAL = 66,           /* u8    ->  del L[arg]: unset again (UnboundLocalError if unset) */
    OP_DELETE_GLOBAL = 67,          /* u16   ->  del G[arg]: unset again (NameError if unset) */
};
/* (not an enumerator: a switch over enum epy_opcode names every opcode, dispatch.h) */
#define OP__COUNT 68

/* Operand formats (EPY_OP_FORMATS). */
enum epy_operand {
    EPY_OPERAND_NONE = 0,           /* 0 bytes */
    EPY_OPERAND_U8 = 1,             /* 1 bytes */
    EPY_OPERAND_I16 = 2,            /* 2 bytes */
    EPY_OPERAND_U16 = 3,            /* 2 bytes */
    EPY_OPERAND_ADDR = 4,           /* 2 bytes */
    EPY_OPERAND_U8U8 = 5,           /* 2 bytes */
};
/* Stack counts that the operands give (EPY_OP_POPS, EPY_OP_PUSHES: negative). */
enum epy_count {
    EPY_COUNT_OPERAND = -1,
    EPY_COUNT_SECOND_OPERAND = -2,
    EPY_COUNT_CALLEE_PARAMS = -3,
};
/* Bits of EPY_OP_FLOW: where control may go after an instruction. */
#define EPY_FLOW_TARGET 1           /* may jump to its operand's address */
#define EPY_FLOW_FALLS_THROUGH 2    /* may go on to the following instruction */
/* By opcode: encoded length (opcode byte + operands), operand format, values popped
 * and pushed on the fall-through path, popped and pushed when the jump is taken,
 * control flow, cycles. */
#define EPY_OP_LENGTHS { 1, 1, 1, 1, 1, 1, 3, 1, 1, 1, 3, 2, 2, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 3, 3, 3, 3, 3, 1, 3, 2, 2, 2, 1, 1, 1, 3, 3, 1, 2, 2, 2, 2, 1, 1, 3, 1, 2, 2, 3 }
#define EPY_OP_FORMATS { 0, 0, 0, 0, 0, 0, 3, 0, 0, 0, 2, 1, 1, 3, 3, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 4, 4, 4, 4, 4, 0, 4, 1, 1, 1, 0, 0, 0, 3, 5, 0, 1, 1, 1, 1, 0, 0, 5, 0, 1, 1, 3 }
#define EPY_OP_POPS { 0, 1, 1, 2, 2, 3, 0, 0, 0, 0, 0, 0, 1, 0, 1, 1, 1, 1, 1, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 0, 1, 1, 1, 1, 1, 1, -1, -1, 1, 2, 3, 4, -3, -2, 1, 1, 2, -1, 1, 2, 2, -2, 1, 1, 0, 0 }
#define EPY_OP_PUSHES { 0, 0, 2, 4, 2, 3, 1, 1, 1, 1, 1, 1, 0, 1, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 1, 2, 1, 1, -1, 1, 0, 1, 1, 1, 0, 0, 1, 1, 1, 1, 1, 1, 0, 1, 0, 0 }
#define EPY_OP_BRANCH_POPS { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 }
#define EPY_OP_BRANCH_PUSHES { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 }
#define EPY_OP_FLOW { 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 1, 3, 3, 3, 3, 2, 3, 2, 2, 2, 2, 2, 2, 2, 2, 0, 0, 2, 2, 2, 2, 2, 2, 0, 2, 2, 2 }
#define EPY_OP_CYCLES { 26, 22, 48, 60, 48, 60, 25, 4, 4, 37, 16, 11, 45, 71, 71, 166, 48, 90, 60, 74, 57, 75, 410, 208, 90, 342, 127, 108, 110, 110, 110, 82, 82, 25, 82, 60, 82, 116, 116, 60, 60, 4, 62, 60, 60, 60, 94, 50, 4, 38, 192, 213, 4, 173, 146, 72, 104, 116, 1246, 116, 71, 74, 75, 150, 116, 60, 37, 48 }

/* Builtins called through OP_CALL_BUILTIN. */
enum epy_builtin {
    BI_PRINT = 0,                   /* print (2..255 args) */
    BI_LEN = 1,                     /* len (1..1 args) */
    BI_ABS = 2,                     /* abs (1..1 args) */
    BI_MIN = 3,                     /* min (1..255 args) */
    BI_MAX = 4,                     /* max (1..255 args) */
    BI_SUM = 5,                     /* sum (1..2 args) */
    BI_INT = 6,                     /* int (0..2 args) */
    BI_FLOAT = 7,                   /* float (0..1 args) */
    BI_BOOL = 8,                    /* bool (0..1 args) */
    BI_STR = 9,                     /* str (0..1 args) */
    BI_ROUND = 10,                  /* round (1..2 args) */
    BI_RANGE = 11,                  /* range (1..3 args) */
    BI_ENUMERATE = 12,              /* enumerate (1..2 args) */
    BI_ZIP = 13,                    /* zip (2..2 args) */
    BI_LIST_APPEND = 14,            /* list.append (2..2 args) */
    BI_LIST_POP = 15,               /* list.pop (1..2 args) */
    BI_MATH_SQRT = 16,              /* math.sqrt (1..1 args) */
    BI_MATH_SIN = 17,               /* math.sin (1..1 args) */
    BI_MATH_COS = 18,               /* math.cos (1..1 args) */
    BI_MATH_TAN = 19,               /* math.tan (1..1 args) */
    BI_MATH_ASIN = 20,              /* math.asin (1..1 args) */
    BI_MATH_ACOS = 21,              /* math.acos (1..1 args) */
    BI_MATH_ATAN = 22,              /* math.atan (1..1 args) */
    BI_MATH_ATAN2 = 23,             /* math.atan2 (2..2 args) */
    BI_MATH_EXP = 24,               /* math.exp (1..1 args) */
    BI_MATH_LOG = 25,               /* math.log (1..2 args) */
    BI_MATH_LOG10 = 26,             /* math.log10 (1..1 args) */
    BI_MATH_FLOOR = 27,             /* math.floor (1..1 args) */
    BI_MATH_CEIL = 28,              /* math.ceil (1..1 args) */
    BI_MATH_FABS = 29,              /* math.fabs (1..1 args) */
    BI_MATH_POW = 30,               /* math.pow (2..2 args) */
    BI_PARALLEL_COREID = 31,        /* parallel.coreid (0..0 args) */
    BI_PARALLEL_NUMCORES = 32,      /* parallel.numcores (0..0 args) */
    BI_PARALLEL_SEND = 33,          /* parallel.send (2..2 args) */
    BI_PARALLEL_RECV = 34,          /* parallel.recv (1..1 args) */
    BI_PARALLEL_SENDRECV = 35,      /* parallel.sendrecv (2..2 args) */
    BI_PARALLEL_PROBE = 36,         /* parallel.probe (1..1 args) */
    BI_PARALLEL_BCAST = 37,         /* parallel.bcast (2..2 args) */
    BI_PARALLEL_REDUCE = 38,        /* parallel.reduce (2..2 args) */
    BI_PARALLEL_SYNC = 39,          /* parallel.sync (0..0 args) */
    BI_LIST_COPY = 40,              /* list.copy (1..1 args) */
    BI_RANDOM_RANDOM = 41,          /* random.random (0..0 args) */
    BI_RANDOM_RANDINT = 42,         /* random.randint (2..2 args) */
    BI_RANDOM_RANDRANGE = 43,       /* random.randrange (1..3 args) */
    BI_RANDOM_UNIFORM = 44,         /* random.uniform (2..2 args) */
    BI_RANDOM_CHOICE = 45,          /* random.choice (1..1 args) */
    BI_RANDOM_SHUFFLE = 46,         /* random.shuffle (1..1 args) */
    BI_RANDOM_SEED = 47,            /* random.seed (0..1 args) */
    BI_LIST_EXTEND = 48,            /* list.extend (2..2 args) */
    BI_LIST_INSERT = 49,            /* list.insert (3..3 args) */
    BI_LIST_REMOVE = 50,            /* list.remove (2..2 args) */
    BI_LIST_INDEX = 51,             /* list.index (2..4 args) */
    BI_LIST_COUNT = 52,             /* list.count (2..4 args) */
    BI_LIST_REVERSE = 53,           /* list.reverse (1..1 args) */
    BI_DICT = 54,                   /* dict (0..1 args) */
    BI_DICT_GET = 55,               /* dict.get (2..3 args) */
    BI_DICT_KEYS = 56,              /* dict.keys (1..1 args) */
    BI_DICT_VALUES = 57,            /* dict.values (1..1 args) */
    BI_DICT_ITEMS = 58,             /* dict.items (1..1 args) */
    BI_DICT_SETDEFAULT = 59,        /* dict.setdefault (2..3 args) */
    BI_DICT_UPDATE = 60,            /* dict.update (2..2 args) */
    BI_DICT_CLEAR = 61,             /* dict.clear (1..1 args) */
    BI_DICT_POP = 62,               /* dict.pop (2..3 args) */
    BI_DICT_COPY = 63,              /* dict.copy (1..1 args) */
    BI_DEL = 64,                    /* del (2..2 args) */
    BI_DICT_POPITEM = 65,           /* dict.popitem (1..1 args) */
    BI_DICT_FROMKEYS = 66,          /* dict.fromkeys (1..2 args) */
    BI_STR_SPLIT = 67,              /* str.split (1..3 args) */
    BI_STR_RSPLIT = 68,             /* str.rsplit (1..3 args) */
    BI_STR_JOIN = 69,               /* str.join (2..2 args) */
    BI_STR_STRIP = 70,              /* str.strip (1..2 args) */
    BI_STR_LSTRIP = 71,             /* str.lstrip (1..2 args) */
    BI_STR_RSTRIP = 72,             /* str.rstrip (1..2 args) */
    BI_STR_UPPER = 73,              /* str.upper (1..1 args) */
    BI_STR_LOWER = 74,              /* str.lower (1..1 args) */
    BI_STR_REPLACE = 75,            /* str.replace (3..4 args) */
    BI_STR_FIND = 76,               /* str.find (2..4 args) */
    BI_STR_RFIND = 77,              /* str.rfind (2..4 args) */
    BI_STR_RINDEX = 78,             /* str.rindex (2..4 args) */
    BI_STR_STARTSWITH = 79,         /* str.startswith (2..4 args) */
    BI_STR_ENDSWITH = 80,           /* str.endswith (2..4 args) */
    BI_STR_ISDIGIT = 81,            /* str.isdigit (1..1 args) */
    BI_STR_ISALPHA = 82,            /* str.isalpha (1..1 args) */
    BI_STR_ISSPACE = 83,            /* str.isspace (1..1 args) */
    BI_STR_ISALNUM = 84,            /* str.isalnum (1..1 args) */
    BI_STR_ISUPPER = 85,            /* str.isupper (1..1 args) */
    BI_STR_ISLOWER = 86,            /* str.islower (1..1 args) */
    BI_LIST_SORT = 87,              /* list.sort (1..3 args) */
    BI_MIN_KEYED = 88,              /* min.keyed (2..3 args) */
    BI_MAX_KEYED = 89,              /* max.keyed (2..3 args) */
    BI_ORD = 90,                    /* ord (1..1 args) */
    BI_CHR = 91,                    /* chr (1..1 args) */
    BI_HEX = 92,                    /* hex (1..1 args) */
    BI_OCT = 93,                    /* oct (1..1 args) */
    BI_BIN = 94,                    /* bin (1..1 args) */
    BI_SET = 95,                    /* set (0..1 args) */
    BI_SET_ADD = 96,                /* set.add (2..2 args) */
    BI_SET_DISCARD = 97,            /* set.discard (2..2 args) */
    BI_SET_REMOVE = 98,             /* set.remove (2..2 args) */
    BI_SET_POP = 99,                /* set.pop (1..1 args) */
    BI_SET_COPY = 100,              /* set.copy (1..1 args) */
    BI_SET_CLEAR = 101,             /* set.clear (1..1 args) */
    BI_SET_UPDATE = 102,            /* set.update (1..9 args) */
    BI_SET_UNION = 103,             /* set.union (1..9 args) */
    BI_SET_INTERSECTION = 104,      /* set.intersection (1..9 args) */
    BI_SET_DIFFERENCE = 105,        /* set.difference (1..9 args) */
    BI_SET_SYMMETRIC_DIFFERENCE = 106,/* set.symmetric_difference (2..2 args) */
    BI_SET_INTERSECTION_UPDATE = 107,/* set.intersection_update (1..9 args) */
    BI_SET_DIFFERENCE_UPDATE = 108, /* set.difference_update (1..9 args) */
    BI_SET_SYMMETRIC_DIFFERENCE_UPDATE = 109,/* set.symmetric_difference_update (2..2 args) */
    BI_SET_ISSUBSET = 110,          /* set.issubset (2..2 args) */
    BI_SET_ISSUPERSET = 111,        /* set.issuperset (2..2 args) */
    BI_SET_ISDISJOINT = 112,        /* set.isdisjoint (2..2 args) */
    BI_SET_INPLACE = 113,           /* set.inplace (3..3 args) */
    BI__COUNT = 114
};
#define EPY_BUILTIN_MIN_ARGS { 2, 1, 1, 1, 1, 1, 0, 0, 0, 0, 1, 1, 1, 2, 2, 1, 1, 1, 1, 1, 1, 1, 1, 2, 1, 1, 1, 1, 1, 1, 2, 0, 0, 2, 1, 2, 1, 2, 2, 0, 1, 0, 2, 1, 2, 1, 1, 0, 2, 3, 2, 2, 2, 1, 0, 2, 1, 1, 1, 2, 2, 1, 2, 1, 2, 1, 1, 1, 1, 2, 1, 1, 1, 1, 1, 3, 2, 2, 2, 2, 2, 1, 1, 1, 1, 1, 1, 1, 2, 2, 1, 1, 1, 1, 1, 0, 2, 2, 2, 1, 1, 1, 1, 1, 1, 1, 2, 1, 1, 2, 2, 2, 2, 3 }
#define EPY_BUILTIN_MAX_ARGS { 255, 1, 1, 255, 255, 2, 2, 1, 1, 1, 2, 3, 2, 2, 2, 2, 1, 1, 1, 1, 1, 1, 1, 2, 1, 2, 1, 1, 1, 1, 2, 0, 0, 2, 1, 2, 1, 2, 2, 0, 1, 0, 2, 3, 2, 1, 1, 1, 2, 3, 2, 4, 4, 1, 1, 3, 1, 1, 1, 3, 2, 1, 3, 1, 2, 1, 2, 3, 3, 2, 2, 2, 2, 1, 1, 4, 4, 4, 4, 4, 4, 1, 1, 1, 1, 1, 1, 3, 3, 3, 1, 1, 1, 1, 1, 1, 2, 2, 2, 1, 1, 1, 9, 9, 9, 9, 2, 9, 9, 2, 2, 2, 2, 3 }

/* Error codes (mailbox status and RAISE operands). */
enum epy_error {
    ERR_OK = 0,
    ERR_ZERODIVISIONERROR = 1,
    ERR_OVERFLOWERROR = 2,
    ERR_INDEXERROR = 3,
    ERR_TYPEERROR = 4,
    ERR_VALUEERROR = 5,
    ERR_ASSERTIONERROR = 6,
    ERR_MEMORYERROR = 7,
    ERR_RECURSIONERROR = 8,
    ERR_RUNTIMEERROR = 9,
    ERR_UNBOUNDLOCALERROR = 10,
    ERR_NAMEERROR = 11,
    ERR_ATTRIBUTEERROR = 12,
    ERR_NOTIMPLEMENTEDERROR = 13,
    ERR_KEYERROR = 14,
    ERR_STOPITERATION = 15,
    ERR_LOOKUPERROR = 16,
    ERR_ARITHMETICERROR = 17,
    ERR_EXCEPTION = 18,
    ERR_BASEEXCEPTION = 19,
    ERR_SYSTEMEXIT = 20,
    ERR_OSERROR = 21,
    ERR_EOFERROR = 22,
    ERR_IMPORTERROR = 23,
    ERR_SYNTAXERROR = 24,
    ERR_INDENTATIONERROR = 25,
    ERR_KEYBOARDINTERRUPT = 26,
    ERR_BADIMAGE = 64,
    ERR_BADARGUMENT = 65,
};
#define EPY_RAISABLE_MAX 26 /* RAISE takes the codes 1..EPY_RAISABLE_MAX */
/* The base class of each exception class (epython/bytecode/exceptions.py). */
#define EPY_EXC_PARENTS { 0, 17, 17, 16, 18, 18, 18, 18, 9, 18, 11, 18, 18, 9, 16, 18, 18, 18, 19, 19, 19, 18, 18, 18, 18, 24, 19 }
#define EPY_EXC_NAMES { "OK", "ZeroDivisionError", "OverflowError", "IndexError", "TypeError", "ValueError", "AssertionError", "MemoryError", "RecursionError", "RuntimeError", "UnboundLocalError", "NameError", "AttributeError", "NotImplementedError", "KeyError", "StopIteration", "LookupError", "ArithmeticError", "Exception", "BaseException", "SystemExit", "OSError", "EOFError", "ImportError", "SyntaxError", "IndentationError", "KeyboardInterrupt" }

/* Value tags (constant pool and marshal format). */
enum epy_tag {
    TAG_NONE = 0,
    TAG_FALSE = 1,
    TAG_TRUE = 2,
    TAG_INT = 3,
    TAG_FLOAT = 4,
    TAG_STR = 5,
    TAG_TUPLE = 6,
    TAG_LIST = 7,
    TAG_ARRAY = 8,
    TAG_SHARED = 9,
    TAG_DICT = 10,
    TAG_SET = 11,
};

/* Attribute ids of OP_LOAD_ATTR. */
enum epy_attr {
    ATTR_SHAPE = 0,
    ATTR_ARGS = 1,
    ATTR__COUNT = 2
};

/* Launch protocol: per-core mailbox in shared DRAM (epython/bytecode/protocol.py). */
#define EPY_MB_COMMAND 0
#define EPY_MB_STATE 4
#define EPY_MB_DONE_SEQ 8
#define EPY_MB_IMAGE_OFFSET 12
#define EPY_MB_IMAGE_SIZE 16
#define EPY_MB_ARGS_OFFSET 20
#define EPY_MB_ARGS_SIZE 24
#define EPY_MB_NUM_CORES 28
#define EPY_MB_ERROR_CODE 32
#define EPY_MB_ERROR_FUNC 36
#define EPY_MB_ERROR_LINE 40
#define EPY_MB_RESULT_SIZE 44
#define EPY_MB_CYCLES 48
#define EPY_MB_INSTRUCTIONS 52
#define EPY_MB_OUT_HEAD 56
#define EPY_MB_OUT_TAIL 60
#define EPY_MB_HEARTBEAT 64
#define EPY_MB_WAIT_KIND 68
#define EPY_MB_WAIT_PEER 72
#define EPY_MB_WAIT_LINE 76
#define EPY_MB_FAULT 80
#define EPY_MB_FAULT_STATUS 84
#define EPY_MB_FAULT_PC 88
#define EPY_MB_CHANGES_SIZE 92
#define EPY_MAILBOX_CORES_OFFSET 96
#define EPY_MAILBOX_MESSAGE_OFFSET 160
#define EPY_MAILBOX_RESULT_OFFSET 320
#define EPY_MAILBOX_RESULT_BYTES 12288
#define EPY_MAILBOX_OUT_OFFSET 12608
#define EPY_MAILBOX_OUT_BYTES 3776
#define EPY_MAILBOX_CHANGES_OFFSET 16384
#define EPY_MAILBOX_CHANGES_BYTES 32768
#define EPY_MAILBOX_STRIDE 49152
#define EPY_VALUE_SLOT_BYTES 8
#define EPY_OBJECT_HEADER_BYTES 8
#define EPY_FRAME_HEADER_BYTES 16
#define EPY_MAX_CALL_DEPTH 64
#define EPY_LOCAL_MEMORY_BYTES 32768
#define EPY_RUNTIME_RESERVED_BYTES 16384
#define EPY_CORE_MAILBOX_BYTES 1024
#define EPY_MESSAGE_SLOT_HEADER_BYTES 8
#define EPY_WORKSPACE_ALIGN 8
#define EPY_FUNC_INFO_BYTES 32
#define EPY_MAILBOX_ERROR_CHAIN_OFFSET 320
#define EPY_ERROR_CHAIN_FRAMES 16
#define EPY_ERROR_CHAIN_OUTER 4
enum epy_wait {
    EPY_WAIT_NONE = 0,
    EPY_WAIT_RECV = 1,
    EPY_WAIT_BARRIER = 2,
    EPY_WAIT_SEND = 3,
};
#define EPY_DRAM_AREA_OFFSET 0x00200000
#define EPY_DRAM_WINDOW_BYTES 0x02000000
#define EPY_STATE_IDLE 0
#define EPY_STATE_RUNNING 1
#define EPY_STATE_DONE 2
#define EPY_STATE_FAULT 3
#define EPY_FAULT_NONE 0
#define EPY_FAULT_SOFTWARE_EXCEPTION 1
#define EPY_FAULT_MEMORY 2
#define EPY_MAX_NESTING 16
#define EPY_MAX_ITERATOR_NESTING 4
#define EPY_NESTING_REPR_MESSAGE "maximum recursion depth exceeded while getting the repr of an object (kernels nest lists and tuples at most 16 levels deep)"
#define EPY_NESTING_COMPARE_MESSAGE "maximum recursion depth exceeded in comparison (kernels nest lists and tuples at most 16 levels deep)"
#define EPY_NESTING_ENCODE_MESSAGE "maximum recursion depth exceeded while encoding a value (kernels nest lists and tuples at most 16 levels deep)"
#define EPY_NESTING_ITER_MESSAGE "maximum recursion depth exceeded while nesting iterators (kernels build iterators of at most 4 iterators)"
#define EPY_RESULT_TOO_LARGE_MESSAGE "the kernel's result cannot be returned to the host: it needs more than the mailbox's 12288 bytes"
#define EPY_RESIDENT_TOO_LARGE_MESSAGE "the kernel's result and device-resident values exceed the mailbox's 12288 bytes"
#define EPY_SHARED_ENCODE_MESSAGE "a shared() array stays in DRAM and cannot be returned or sent (send a slice); the caller's array gets its contents at the end"

#endif /* EPY_OPCODES_H */
