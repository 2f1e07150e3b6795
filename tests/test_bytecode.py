"""The opcode table, the image format, the verifier and the disassembler (the generated files:
tests/test_generated.py)."""

from __future__ import annotations

import subprocess
import sys

import pytest

from epython.bytecode import (
    BUILTINS,
    OPCODES,
    OPS,
    Function,
    GlobalSlot,
    ImageError,
    Op,
    Program,
    decode,
    disassemble,
    encode,
    encode_instr,
    iter_code,
    verify,
    verify_bytes,
)
from epython.bytecode.flow import analyse, stack_effect
from epython.bytecode.image import HEADER, Float32
from epython.compiler import compile_kernel


def sample(a, b):
    s = 0
    for i in range(a):
        if i % 2 == 0:
            s += i * b
        else:
            s -= 1
    return s


def asm(*instrs: tuple) -> bytes:
    return b"".join(encode_instr(OPS[name], *args) for name, *args in instrs)


def program_of(code: bytes, max_stack: int = 4, n_locals: int = 1, consts=None) -> Program:
    consts = ["main"] if consts is None else consts
    return Program(consts, [], [Function("main", 0, n_locals, max_stack, code, [(0, 1)])])


def test_opcode_table_is_dense_and_matches_enum() -> None:
    assert [info.code for info in OPCODES] == list(range(len(OPCODES)))
    assert all(Op[info.name] == info.code for info in OPCODES)
    assert [b.code for b in BUILTINS] == list(range(len(BUILTINS)))


def test_every_instruction_encodes_and_decodes_round_trip() -> None:
    for info in OPCODES:
        n = info.operand.values
        args = tuple([1] * n)
        code = encode_instr(info, *args)
        assert len(code) == info.length
        (ins,) = list(iter_code(code))
        assert ins.info is info and ins.args == args


def test_operand_out_of_range_is_refused_by_the_encoder() -> None:
    with pytest.raises(ValueError, match="outside"):
        encode_instr(OPS["LOAD_LOCAL"], 256)
    with pytest.raises(ValueError, match="takes 1 operand"):
        encode_instr(OPS["LOAD_CONST"])


def test_compiled_kernel_round_trips_encode_verify_disassemble() -> None:
    ck = compile_kernel(sample)
    program = verify_bytes(ck.image)
    assert encode(program) == ck.image
    listing = disassemble(program)
    assert "function 0 sample" in listing
    assert "FOR_ITER" in listing and "CALL_BUILTIN" in listing and "(range, 1 args)" in listing


def test_constants_keep_their_types_through_the_image() -> None:
    prog = program_of(asm(("LOAD_NONE",), ("RETURN_VALUE",)),
                      consts=["main", 7, Float32(1.5), "héllo", None, True, False])
    back = decode(encode(prog))
    assert back.consts[1] == 7 and type(back.consts[1]) is int
    assert isinstance(back.consts[2], Float32) and back.consts[2] == 1.5
    assert back.consts[3] == "héllo" and back.consts[4:] == [None, True, False]


def test_disassembler_command_line(tmp_path) -> None:
    path = tmp_path / "k.epyb"
    path.write_bytes(compile_kernel(sample).image)
    out = subprocess.run([sys.executable, "-m", "epython.bytecode.dis", str(path)],
                         capture_output=True, text=True, check=True).stdout
    assert "function 0 sample" in out and "RETURN_VALUE" in out


@pytest.mark.parametrize("mutate, message", [
    (lambda b: b"XXXX" + b[4:], "bad magic"),
    (lambda b: b[:4] + (99).to_bytes(2, "little") + b[6:], "version"),
    (lambda b: b[:10], "truncated"),
    (lambda b: b + b"\0", "trailing"),
])
def test_malformed_image_bytes_are_rejected(mutate, message) -> None:
    image = compile_kernel(sample).image
    with pytest.raises(ImageError, match=message):
        verify_bytes(mutate(image))


@pytest.mark.parametrize("code, message", [
    (asm(("POP_TOP",), ("LOAD_NONE",), ("RETURN_VALUE",)), "underflow"),
    (asm(("JUMP", 1), ("LOAD_NONE",), ("RETURN_VALUE",)), "not the start of an instruction"),
    (asm(("LOAD_CONST", 9), ("RETURN_VALUE",)), "constant 9 out of range"),
    (asm(("LOAD_LOCAL", 3), ("RETURN_VALUE",)), "local 3 out of range"),
    (asm(("LOAD_NONE",)), "runs off the end"),
    (bytes([200]), "unknown opcode 200"),
    (asm(("LOAD_NONE",), ("LOAD_NONE",), ("LOAD_NONE",), ("LOAD_NONE",), ("LOAD_NONE",),
         ("RETURN_VALUE",)), "exceeds max_stack"),
    (asm(("CALL", 5), ("RETURN_VALUE",)), "function 5 out of range"),
    (asm(("CALL_BUILTIN", 1, 3), ("RETURN_VALUE",)), "len takes 1..1 arguments"),
    (asm(("LOAD_NONE",), ("RAISE", 0)), "not a raisable error code"),
    (asm(("LOAD_NONE",), ("POP_JUMP_IF_FALSE", 5), ("LOAD_NONE",), ("RETURN_VALUE",)),
     "disagrees"),
])
def test_verifier_rejects_bad_code(code: bytes, message: str) -> None:
    prog = program_of(code)
    with pytest.raises(ImageError, match=message):
        verify(prog)
    with pytest.raises(ImageError, match=message):
        verify_bytes(encode(prog))


def test_stack_effect_takes_counts_from_the_row_or_the_operands() -> None:
    params = {3: 2}.__getitem__
    assert stack_effect(Op.BINARY_ADD, (), params) == (2, 1)
    assert stack_effect(Op.BUILD_LIST, (5,), params) == (5, 1)
    assert stack_effect(Op.UNPACK_SEQUENCE, (4,), params) == (1, 4)
    assert stack_effect(Op.CALL_BUILTIN, (1, 1), params) == (1, 1)
    assert stack_effect(Op.CALL, (3,), params) == (2, 1)


def test_flow_analysis_gives_depths_successors_and_blocks() -> None:
    code = asm(("LOAD_INT", 1), ("POP_JUMP_IF_FALSE", 10), ("LOAD_INT", 2), ("RETURN_VALUE",),
               ("LOAD_INT", 3), ("LOAD_INT", 4), ("BINARY_ADD",), ("RETURN_VALUE",),
               ("LOAD_NONE",))
    graph = analyse(code, lambda f: 0)
    assert [ins.pc for ins in graph.instrs] == [0, 3, 6, 9, 10, 13, 16, 17, 18]
    assert graph.depths == [0, 1, 0, 1, 0, 1, 2, 1, None]
    assert graph.max_depth == 2
    assert graph.successors(1) == [4, 2] and graph.successors(3) == [] and graph.successors(0) == [1]
    assert graph.blocks() == [(0, 2), (2, 4), (4, 8)]


def test_flow_analysis_names_the_first_fault_as_the_verifier_does() -> None:
    code = asm(("LOAD_NONE",), ("LOAD_NONE",), ("RETURN_VALUE",))
    with pytest.raises(ImageError, match=r"^f pc 1 LOAD_NONE: stack depth 2 exceeds max_stack 1$"):
        analyse(code, lambda f: 0, "f", max_stack=1)
    assert analyse(code, lambda f: 0).max_depth == 2


def test_compiled_functions_declare_the_depth_the_analysis_finds() -> None:
    program = compile_kernel(sample).program
    for func in program.functions:
        graph = analyse(func.code, lambda f: program.functions[f].n_params)
        assert func.max_stack == graph.max_depth > 0


def test_verifier_rejects_global_index_out_of_range() -> None:
    prog = Program(["main", "g"], [GlobalSlot("g", 0xFFFF)],
                   [Function("main", 0, 0, 1, asm(("LOAD_GLOBAL", 1), ("RETURN_VALUE",)), [])])
    with pytest.raises(ImageError, match="global 1 out of range"):
        verify(prog)


def test_header_size_matches_the_documented_layout() -> None:
    assert HEADER.size == 24


def test_mailbox_layout_fields_do_not_overlap() -> None:
    from epython.bytecode import protocol as p

    offsets = [off for _, off in p.MAILBOX_FIELDS]
    assert offsets == sorted(offsets) and len(set(offsets)) == len(offsets)
    assert offsets[-1] + 4 <= p.MAILBOX_CORES_OFFSET
    assert p.MAILBOX_CORES_OFFSET + 64 <= p.MAILBOX_MESSAGE_OFFSET
    assert p.MAILBOX_MESSAGE_OFFSET + 160 <= p.MAILBOX_RESULT_OFFSET
    assert p.MAILBOX_RESULT_OFFSET + p.MAILBOX_RESULT_BYTES <= p.MAILBOX_OUT_OFFSET
    assert p.MAILBOX_OUT_OFFSET + p.MAILBOX_OUT_BYTES <= p.MAILBOX_STRIDE


def test_cores_reject_a_corrupted_image_with_an_error_not_a_crash() -> None:
    import dataclasses

    from epython import KernelError, offload
    from epython.backends import get_backend
    from epython.handle import KernelHandle

    kernel = offload(sample)
    bad = dataclasses.replace(kernel.compiled, image=kernel.compiled.image[:-3])
    launch = get_backend().launch(bad, [3, 4], [0, 1])
    with pytest.raises(ValueError, match="verifier rejected the program image: .*trailing|truncated") as info:
        KernelHandle("sample", launch).wait()
    assert isinstance(info.value, KernelError) and info.value.core == 0
    assert kernel(3, 4, target=[0, 1]) == [sample(3, 4)] * 2  # the cores are fine afterwards


def test_python_m_epython_dis_lists_a_kernel_of_a_file() -> None:
    from pathlib import Path

    here = Path(__file__)
    out = subprocess.run([sys.executable, "-m", "epython", "dis", f"{here}:sample"],
                         capture_output=True, text=True, check=True).stdout
    assert out.startswith("function 0 sample") and "FOR_ITER" in out
    bad = subprocess.run([sys.executable, "-m", "epython", "dis", f"{here}:nothing_here"],
                         capture_output=True, text=True, check=False)
    assert bad.returncode != 0 and "defines no 'nothing_here'" in bad.stderr


def test_wait_kind_numbers_match_their_table() -> None:
    from epython.bytecode import protocol

    numbers = {name: number for name, number, _text in protocol.WAIT_KINDS}
    assert (numbers["RECV"], numbers["BARRIER"], numbers["SEND"]) == (
        protocol.WAIT_RECV, protocol.WAIT_BARRIER, protocol.WAIT_SEND)
    assert protocol.describe_wait(protocol.WAIT_RECV, 3) == "a message from core 3 (recv)"
