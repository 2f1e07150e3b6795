"""Mutation fuzzing of the Python verifier and the simulator's interpreter.

Takes the seed corpus of the C fuzz target (device/fuzz/seeds: compiled kernels with their
arguments, see device/fuzz/make_seeds.py) and the regression inputs, corrupts the images with
the same kinds of mutations as device/fuzz/fuzz_main.c (bit flips, byte and u16 sets to edge
values, truncation, insertion and deletion, splices with other seeds; and, on the decoded
program, jump targets, constant / local / global / function / builtin indexes and counts,
opcodes swapped for others of the same length, function table, header and line table fields)
and checks every mutant:

* ``verify_bytes`` either raises ``ImageError`` (the documented error: the simulator reports
  it as a ``BadImage`` kernel error) or returns a program;
* an accepted program runs on both interpreter engines (jit and reference) to a result or a
  ``KernelFault`` within a budget of ticks; any other exception is a failure;
* nothing takes longer than ``--timeout`` seconds (a hang).

A hang of an image whose code has a loop that never passes a polling point (see
``loop_without_tick``) is reported apart as a known interpreter issue, not a verifier failure.

    python -m tests.fuzz.fuzz_python_verifier --seconds 600 [--seed 1] [--out DIR]
    python -m tests.fuzz.fuzz_python_verifier --iterations 2000

(from the repository root: ``tests`` is a package; epython needs no install then).

Prints the counts at the end; exit status 1 when a failure was found (inputs written to --out).
"""

from __future__ import annotations

import argparse
import random
import re
import signal
import struct
import sys
import time
import traceback
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from types import FrameType
from typing import Any

ROOT = Path(__file__).resolve().parents[2]

from epython.bytecode import protocol as P  # noqa: E402
from epython.bytecode.image import (  # noqa: E402
    HEADER,
    ImageError,
    Program,
    decode,
    encode,
)
from epython.bytecode.instr import Instr, iter_code  # noqa: E402
from epython.bytecode.opcodes import BUILTINS, OPCODES, Op, Operand  # noqa: E402
from epython.bytecode.verify import verify_bytes  # noqa: E402
from epython.marshal import decode_value  # noqa: E402
from esim.cores.interp import ENGINES, Interpreter, KernelFault  # noqa: E402
from esim.cores.memory import from_wire  # noqa: E402

SEEDS = ROOT / "device" / "fuzz" / "seeds"
REGRESSIONS = ROOT / "device" / "fuzz" / "regressions"
USER_BYTES = P.LOCAL_MEMORY_BYTES - P.CORE_MAILBOX_BYTES - P.RUNTIME_RESERVED_BYTES
TICKS = 4  # ticks (50,000 instructions each) an accepted image may run
REQUESTS = 400  # prints and parallel requests
#: Messages of the interpreters' safety net ("internal error: ..."): a verified image whose
#: values have types no compiled kernel produces (e.g. FOR_ITER on an int).  Counted, not failures.
INTERNAL: Counter[str] = Counter()
_LENGTHS: dict[int, list[int]] = {}
for _info in OPCODES:
    _LENGTHS.setdefault(_info.length, []).append(_info.code)


class Hang(BaseException):
    """Raised by the watchdog: one input ran longer than the time limit."""


def _alarm(signum: int, frame: FrameType | None) -> None:
    raise Hang()


# ---- inputs -----------------------------------------------------------------------------------
def split(data: bytes) -> tuple[bytes, list[Any] | None]:
    """(image, arguments or None) of a fuzz input (the container format of device/fuzz/fuzz.h)."""
    if len(data) >= 6 and data[:4] == b"EPYF":
        (n,) = struct.unpack_from("<H", data, 4)
        if n <= len(data) - 6:
            return data[6:6 + n], decode_args(data[6 + n:])
        return data[6:], None
    return data, None


def decode_args(block: bytes) -> list[Any] | None:
    """The argument block as host values (None when it does not decode)."""
    try:
        count, pos, out = block[0], 1, []
        for _ in range(count):
            length = _value_length(block, pos)
            out.append(decode_value(block[pos:pos + length]))
            pos += length
        return out if pos == len(block) else None
    except Exception:
        return None


def _value_length(buf: bytes, pos: int) -> int:
    tag = buf[pos]
    if tag <= 2:
        return 1
    if tag in (3, 4):
        return 5
    if tag == 5:
        return 3 + int(struct.unpack_from("<H", buf, pos + 1)[0])
    if tag in (6, 7):
        (n,) = struct.unpack_from("<H", buf, pos + 1)
        end = pos + 3
        for _ in range(n):
            end += _value_length(buf, end)
        return end - pos
    if tag == 8:
        code, ndim = buf[pos + 1], buf[pos + 2]
        shape = struct.unpack_from(f"<{ndim}H", buf, pos + 3)
        count = 1
        for s in shape:
            count *= s
        return 3 + 2 * ndim + count * (1 if code == 2 else 4)
    raise ValueError(tag)


def load_inputs(paths: list[Path]) -> list[tuple[str, bytes, list[Any] | None]]:
    out = []
    for path in paths:
        files = sorted(p for p in path.iterdir() if p.is_file() and not p.name.startswith(".")) \
            if path.is_dir() else [path]
        for f in files:
            image, args = split(f.read_bytes())
            out.append((f.name, image, args))
    return out


# ---- mutations --------------------------------------------------------------------------------
def _edge(rng: random.Random, n: int, limit: int) -> int:
    choice = rng.randrange(7)
    value = [max(n - 1, 0), n, n + 1, 0, limit - 1, limit // 2, rng.randrange(limit)][choice]
    return value % limit


def mutate_program(rng: random.Random, program: Program) -> bytes | None:
    """One structured mutation of a decoded program, re-encoded (None if it cannot be)."""
    funcs = program.functions
    fi = rng.randrange(len(funcs))
    f = funcs[fi]
    code = bytearray(f.code)
    try:
        instrs: list[Instr] = list(iter_code(bytes(code)))
    except ValueError:
        return None
    kind = rng.randrange(6)
    if kind == 0:  # jump target
        jumps = [i for i in instrs if i.info.is_jump]
        if not jumps:
            return None
        ins = rng.choice(jumps)
        target = rng.choice([len(code), ins.arg + 1, ins.arg - 1, ins.pc, rng.randrange(len(code) + 1),
                             rng.choice(instrs).pc]) % 0x10000
        struct.pack_into("<H", code, ins.pc + 1, target)
    elif kind == 1:  # operand indexes and counts
        ops = [i for i in instrs if i.info.operand in (Operand.U8, Operand.U16, Operand.U8U8)]
        if not ops:
            return None
        ins = rng.choice(ops)
        op = ins.info.code
        sizes: dict[int, int] = {Op.LOAD_CONST: len(program.consts), Op.LOAD_GLOBAL: len(program.globals),
             Op.STORE_GLOBAL: len(program.globals), Op.CALL: len(funcs),
             Op.CALL_BUILTIN: len(BUILTINS), Op.LOAD_LOCAL: f.n_locals,
             Op.STORE_LOCAL: f.n_locals}
        n = sizes.get(op, ins.arg)
        if ins.info.operand is Operand.U16:
            struct.pack_into("<H", code, ins.pc + 1, _edge(rng, n, 0x10000))
        elif ins.info.operand is Operand.U8U8 and rng.randrange(2):
            code[ins.pc + 2] = _edge(rng, ins.args[1], 256)
        else:
            code[ins.pc + 1] = _edge(rng, n, 256)
    elif kind == 2:  # opcode swap, same length (stack underflow paths)
        ins = rng.choice(instrs)
        code[ins.pc] = rng.choice(_LENGTHS[ins.info.length])
    elif kind == 3:  # function table
        field = rng.randrange(4)
        if field == 0:
            f.n_params = _edge(rng, f.n_params, 256)
        elif field == 1:
            f.n_locals = _edge(rng, f.n_locals, 256)
        elif field == 2:
            f.max_stack = _edge(rng, f.max_stack, 300)
        else:
            program.entry = _edge(rng, program.entry, len(funcs) + 2)
    elif kind == 4:  # line table
        if not f.lines:
            return None
        k = rng.randrange(len(f.lines))
        f.lines[k] = (_edge(rng, f.lines[k][0], len(code) + 2), f.lines[k][1])
    else:  # drop the last constant (indexes past the pool) or a global's init
        if program.globals and rng.randrange(2):
            g = rng.choice(program.globals)
            g.init = _edge(rng, len(program.consts), 0x10000)
        elif program.consts:
            program.consts.pop()
    f.code = bytes(code)
    try:
        return encode(program)
    except (ImageError, struct.error, ValueError):
        return None


def mutate_bytes(rng: random.Random, data: bytearray, seeds: list[bytes]) -> None:
    """One byte-level mutation in place."""
    kind = rng.randrange(8)
    n = len(data)
    if kind == 0 and n:
        data[rng.randrange(n)] ^= 1 << rng.randrange(8)
    elif kind == 1 and n:
        data[rng.randrange(n)] = rng.choice([0, 1, 2, 0x7F, 0x80, 0xFE, 0xFF, rng.randrange(256)])
    elif kind == 2 and n >= 2:
        at = rng.randrange(n - 1)
        (old,) = struct.unpack_from("<H", data, at)
        struct.pack_into("<H", data, at, _edge(rng, old, 0x10000))
    elif kind == 3 and n:
        del data[rng.randrange(n):]
    elif kind == 4:
        at = rng.randrange(n + 1)
        data[at:at] = bytes(rng.randrange(256) for _ in range(rng.randrange(1, 9)))
    elif kind == 5 and n:
        at = rng.randrange(n)
        del data[at:at + rng.randrange(1, 9)]
    elif kind == 6 and n:
        other = rng.choice(seeds)
        if other:
            src = rng.randrange(len(other))
            chunk = other[src:src + rng.randrange(1, 65)]
            at = rng.randrange(n)
            data[at:at + len(chunk)] = chunk
    elif n >= HEADER.size:  # a header field
        at = rng.choice([4, 6, 8, 10, 12, 14, 16, 20])
        (old,) = struct.unpack_from("<H", data, at)
        struct.pack_into("<H", data, at, _edge(rng, old, 0x10000))


def mutants(rng: random.Random, inputs: list[tuple[str, bytes, list[Any] | None]]
            ) -> Iterator[tuple[str, bytes, list[Any] | None]]:
    seeds = [image for _, image, _ in inputs]
    while True:
        name, image, args = rng.choice(inputs)
        data: bytes | None = None
        if rng.randrange(2):
            try:
                data = mutate_program(rng, decode(image))
            except ImageError:
                data = None
        buf = bytearray(data if data is not None else image)
        for _ in range(rng.randrange(0 if data is not None else 1, 4)):
            mutate_bytes(rng, buf, seeds)
        yield name, bytes(buf), args


# ---- checking ---------------------------------------------------------------------------------
def run_program(program: Program, args: list[Any], engine: str, workspace: int) -> str:
    """Run on one core; "result", "kernel-error", "internal-error" or "budget"."""
    interp = Interpreter(program, 0, 1, workspace=workspace, engine=engine)
    gen = interp.run([from_wire(a) for a in args])
    ticks = requests = 0
    reply: Any = None
    try:
        while True:
            request = gen.send(reply)
            reply = None
            if request.name == "tick":
                ticks += 1
                if ticks > TICKS:
                    return "budget"
            else:
                requests += 1
                if requests > REQUESTS:
                    return "budget"
                if request.name.startswith("parallel."):
                    reply = 0
    except StopIteration:
        return "result"
    except KernelFault as fault:
        if "internal error" in fault.message:
            INTERNAL[re.sub(r"\d+", "N", fault.message)[:120]] += 1
            return "internal-error"
        return "kernel-error"
    finally:
        gen.close()


def check(image: bytes, args: list[Any] | None) -> list[str]:
    """Outcomes of one image: ["rejected"] or one per engine."""
    try:
        program = verify_bytes(image)
    except ImageError:
        return ["rejected"]
    if len(image) > USER_BYTES:
        return ["too-large"]
    entry = program.functions[program.entry]
    run_args = args if args is not None and len(args) == entry.n_params else [3] * entry.n_params
    workspace = max(USER_BYTES - len(image), 0)
    return [run_program(program, run_args, engine, workspace) for engine in ENGINES]


def loop_without_tick(image: bytes) -> bool:
    """Does some function have a control-flow cycle through no tick (no backward branch taken
    and no CALL)?

    Both interpreters tick at every backward branch (JUMP, conditional jumps, FOR_ITER) and at
    CALL, so this should never be true: a cycle needs a backward edge.  It stays as a check of
    that claim (the fuzzer reports such images apart as "known hangs")."""
    try:
        program = decode(image)
    except ImageError:
        return False
    for f in program.functions:
        try:
            instrs = {i.pc: i for i in iter_code(f.code)}
        except ValueError:
            continue
        edges: dict[int, list[int]] = {}
        for pc, ins in instrs.items():
            op = ins.info.code
            if op == Op.CALL:
                continue  # polls
            out = []
            if ins.info.is_jump and not ins.arg <= pc:  # a backward branch ticks
                out.append(ins.arg)
            if ins.info.falls_through:
                out.append(ins.next_pc)
            edges[pc] = [t for t in out if t in instrs]
        state: dict[int, int] = {}
        for start in edges:
            if state.get(start):
                continue
            stack = [(start, iter(edges.get(start, [])))]
            state[start] = 1
            while stack:
                node, it = stack[-1]
                nxt = next(it, None)
                if nxt is None:
                    state[node] = 2
                    stack.pop()
                elif nxt in edges and state.get(nxt) == 1:
                    return True
                elif nxt in edges and not state.get(nxt):
                    state[nxt] = 1
                    stack.append((nxt, iter(edges[nxt])))
    return False


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--seconds", type=float, default=0.0, help="stop after this many seconds")
    ap.add_argument("--iterations", type=int, default=0, help="stop after this many mutants")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--timeout", type=float, default=20.0, help="seconds before an input is a hang")
    ap.add_argument("--known-timeout", type=float, default=3.0,
                    help="the same for images with a loop without a tick (see loop_without_tick)")
    ap.add_argument("--out", type=Path, default=Path("fuzz-python-findings"))
    ap.add_argument("inputs", nargs="*", type=Path, default=[SEEDS, REGRESSIONS])
    opts = ap.parse_args(argv)
    if not opts.seconds and not opts.iterations:
        opts.iterations = 1000
    inputs = [i for i in load_inputs(opts.inputs) if i[1][:4] == b"EPYB"]
    rng = random.Random(opts.seed)
    previous = signal.signal(signal.SIGALRM, _alarm)
    counts: Counter[str] = Counter()
    failures = known_hangs = 0
    start = time.monotonic()
    done = 0
    for name, data, args in mutants(rng, inputs):
        if opts.iterations and done >= opts.iterations:
            break
        if opts.seconds and time.monotonic() - start >= opts.seconds:
            break
        done += 1
        problem = ""
        # an image with a loop that never ticks may legitimately spin: a short leash for those
        known = loop_without_tick(data)
        signal.setitimer(signal.ITIMER_REAL, opts.known_timeout if known else opts.timeout)
        try:
            for outcome in check(data, args):
                counts[outcome] += 1
        except Hang:
            if known:
                known_hangs += 1
                counts["hang-loop-without-tick"] += 1
                problem = "known-hang"
            else:
                problem = "hang"
        except Exception:
            problem = "exception\n" + traceback.format_exc()
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
        if problem:
            opts.out.mkdir(parents=True, exist_ok=True)
            kind = problem.split("\n")[0]
            path = opts.out / f"{kind}-{done}-{name}"
            path.write_bytes(data)
            if kind != "known-hang":
                failures += 1
                print(f"FAILURE ({kind}) on a mutant of {name}: written to {path}\n{problem}",
                      file=sys.stderr)
    signal.signal(signal.SIGALRM, previous)
    elapsed = time.monotonic() - start
    print(f"fuzz_python_verifier: seed {opts.seed}: {done} mutants of {len(inputs)} inputs in "
          f"{elapsed:.1f} s ({done / elapsed if elapsed else 0:.0f}/s); outcomes "
          f"{dict(sorted(counts.items()))}; {known_hangs} known hangs (loops without a tick), "
          f"{failures} failures")
    for message, count in INTERNAL.most_common():
        print(f"  internal error x{count}: {message}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
