"""The prior of the calibration's fit: the hand estimates the opcode table had before the first
measurement (cycles; epython/bytecode/opcodes.py until 2026-12-02).  The fit pulls only the
costs that no kernel tells apart towards these, scaled; the table itself comes from e-sim."""

PRIOR: dict[str, float] = {
    "NOP": 4, "POP_TOP": 6, "DUP_TOP": 8, "DUP_TOP_TWO": 10, "ROT_TWO": 8, "ROT_THREE": 10,
    "LOAD_CONST": 10, "LOAD_NONE": 6, "LOAD_TRUE": 6, "LOAD_FALSE": 6, "LOAD_INT": 8,
    "LOAD_LOCAL": 8, "STORE_LOCAL": 8, "LOAD_GLOBAL": 12, "STORE_GLOBAL": 12, "UNARY_NEG": 12,
    "UNARY_POS": 8, "UNARY_NOT": 10, "UNARY_INVERT": 10, "BINARY_ADD": 16, "BINARY_SUB": 16,
    "BINARY_MUL": 18, "BINARY_TRUEDIV": 40, "BINARY_FLOORDIV": 44, "BINARY_MOD": 44,
    "BINARY_POW": 60, "BINARY_LSHIFT": 16, "BINARY_RSHIFT": 14, "BINARY_AND": 14, "BINARY_OR": 14,
    "BINARY_XOR": 14, "COMPARE_EQ": 14, "COMPARE_NE": 14, "COMPARE_LT": 14, "COMPARE_LE": 14,
    "COMPARE_GT": 14, "COMPARE_GE": 14, "COMPARE_IN": 20, "COMPARE_NOT_IN": 20, "COMPARE_IS": 10,
    "COMPARE_IS_NOT": 10, "JUMP": 6, "POP_JUMP_IF_FALSE": 10, "POP_JUMP_IF_TRUE": 10,
    "JUMP_IF_FALSE_OR_POP": 10, "JUMP_IF_TRUE_OR_POP": 10, "GET_ITER": 16, "FOR_ITER": 14,
    "BUILD_TUPLE": 12, "BUILD_LIST": 12, "UNPACK_SEQUENCE": 12, "BINARY_SUBSCR": 14,
    "STORE_SUBSCR": 14, "SLICE_SUBSCR": 30, "CALL": 30, "CALL_BUILTIN": 24, "RETURN_VALUE": 20,
    "RAISE": 20, "FORMAT_VALUE": 40, "BUILD_STRING": 20, "LOAD_ATTR": 12,
    "builtin print": 60, "builtin len": 8, "builtin abs": 10, "builtin min": 20, "builtin max": 20,
    "builtin sum": 20, "builtin int": 30, "builtin float": 30, "builtin bool": 10,
    "builtin str": 80, "builtin round": 40, "builtin range": 20, "builtin enumerate": 20,
    "builtin zip": 20, "builtin list.append": 20, "builtin list.pop": 20, "builtin math.sqrt": 60,
    "builtin math.sin": 200, "builtin math.cos": 200, "builtin math.tan": 250,
    "builtin math.asin": 250, "builtin math.acos": 250, "builtin math.atan": 220,
    "builtin math.atan2": 260, "builtin math.exp": 200, "builtin math.log": 200,
    "builtin math.log10": 220, "builtin math.floor": 30, "builtin math.ceil": 30,
    "builtin math.fabs": 10, "builtin math.pow": 300, "builtin parallel.coreid": 4,
    "builtin parallel.numcores": 4, "builtin parallel.send": 40, "builtin parallel.recv": 40,
    "builtin parallel.sendrecv": 60, "builtin parallel.probe": 20, "builtin parallel.bcast": 60,
    "builtin parallel.reduce": 60, "builtin parallel.sync": 40, "builtin list.copy": 20,
    # added after the first measurement (not yet measured: scaled by the data's scale)
    "builtin random.random": 30, "builtin random.randint": 50, "builtin random.randrange": 60,
    "builtin random.uniform": 60, "builtin random.choice": 40, "builtin random.shuffle": 30,
    "builtin random.seed": 20, "builtin list.extend": 20, "builtin list.insert": 30,
    "builtin list.remove": 30, "builtin list.index": 30, "builtin list.count": 30,
    "builtin list.reverse": 20,
    "alloc objects": 40, "alloc bytes": 1, "array get": 20, "array set": 20,
}
