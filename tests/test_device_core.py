"""The C core interpreter (device/core) against the simulator's Python interpreter.

Builds the host variant with make, then runs compiled kernels through the standalone driver
``epy-run`` (a 4x4 chip of host threads playing the launch protocol, no e-hal) and compares
printed text, results, errors (class, message, function, line) and array changes with esim.
``EPYTHON_CORE_BUILD=check`` (``make -C device check``) runs the same tests on the
sanitizer build, ``EPYTHON_CORE_BUILD=stress`` on the sanitizer build that compacts the heap at
every allocation.
"""

from __future__ import annotations

import math
import os
import random
import re
import shutil
import struct
import subprocess
import tempfile
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from epython.backends.device.mailbox import decode_array_updates
from epython.bytecode import protocol as P
from epython.bytecode.image import ImageError
from epython.bytecode.opcodes import BUILTINS, OPCODES, ErrorCode
from epython.bytecode.verify import verify_bytes
from epython.compiler import compile_kernel
from epython.marshal import decode_value, encode_value
from epython.parallel import bcast, coreid, numcores, probe, recv, reduce, send, sendrecv, sync
from esim.chip import Chip

ROOT = Path(__file__).resolve().parent.parent
DEVICE = ROOT / "device"
CORE = DEVICE / "core"
BUILD = os.environ.get("EPYTHON_CORE_BUILD", "host")
MESSAGE_BYTES = 159  # the mailbox's message field (NUL-terminated)


# ---- building ------------------------------------------------------------------------------
def _tools_missing() -> str | None:
    for tool in ("make", "gcc"):
        if shutil.which(tool) is None:
            return f"{tool} is not installed (needed to build device/core)"
    return None


def build_epy_run() -> Path:
    """Path of the driver, built by make (the sanitizer build when EPYTHON_CORE_BUILD=check);
    skips the calling test when make or gcc is missing."""
    reason = _tools_missing()
    if reason:
        pytest.skip(reason)
    target = "host" if BUILD == "host" else f"build/{BUILD}/epy-run"
    proc = subprocess.run(["make", "-C", str(DEVICE), target], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    exe = DEVICE / "build" / BUILD / "epy-run"
    assert exe.exists()
    return exe


@pytest.fixture(scope="module")
def epy_run() -> Path:
    """The driver (see build_epy_run)."""
    return build_epy_run()


def test_sources_compile_warning_free_in_both_dispatch_modes() -> None:
    reason = _tools_missing()
    if reason:
        pytest.skip(reason)
    sources = sorted(str(p) for p in CORE.glob("*.c") if p.name != "platform_epiphany.c")
    for goto in ("0", "1"):
        proc = subprocess.run(
            ["gcc", "-std=c99", "-Wall", "-Wextra", "-Werror", "-ffp-contract=off", "-fsyntax-only",
             f"-DEPY_COMPUTED_GOTO={goto}", *sources], capture_output=True, text=True)
        assert proc.returncode == 0 and "warning" not in proc.stderr, proc.stderr


def test_host_library_exports_only_the_core_entry_point(epy_run: Path) -> None:
    if shutil.which("nm") is None:
        pytest.skip("nm is not installed")
    lib = DEVICE / "build" / "host" / "libepycore.so"
    if not lib.exists():
        pytest.skip("libepycore.so is built by `make host` only")
    out = subprocess.run(["nm", "-D", "--defined-only", str(lib)], capture_output=True,
                         text=True).stdout
    exported = {line.split()[-1] for line in out.splitlines() if " T " in line}
    assert exported == {"epy_host_core_main"}


def test_names_table_matches_the_opcode_table() -> None:
    text = (CORE / "names.c").read_text()
    ops = re.search(r"epy_op_names\[OP__COUNT\] = \{(.*?)\};", text, re.S)
    bis = re.search(r"epy_builtin_names\[BI__COUNT\] = \{(.*?)\};", text, re.S)
    assert ops and bis
    assert re.findall(r'"([^"]*)"', ops.group(1)) == [o.name for o in OPCODES]
    assert re.findall(r'"([^"]*)"', bis.group(1)) == [b.name for b in BUILTINS]


# ---- running -------------------------------------------------------------------------------
def run_c(exe: Path, image: bytes, args: list[Any], cores: int, repeat: int = 1,
          timeout: float = 20.0) -> list[dict[int, tuple[Any, ...]]]:
    """Run on epy-run; one dict per launch: core -> outcome tuple (see _sim_outcome)."""
    block = bytes([len(args)]) + b"".join(encode_value(a) for a in args)
    with tempfile.TemporaryDirectory() as tmp:
        img, arg = Path(tmp, "image"), Path(tmp, "args")
        img.write_bytes(image)
        arg.write_bytes(block)
        env = dict(os.environ, EPY_RUN_TIMEOUT=str(timeout))
        proc = subprocess.run([str(exe), str(img), str(arg), str(cores), str(repeat)],
                              capture_output=True, text=True, timeout=timeout + 30, env=env)
    assert proc.stderr == "", proc.stderr[-4000:]
    launches: list[dict[int, dict[str, Any]]] = []
    for line in proc.stdout.splitlines():
        _, core_s, kind, *rest = line.split(" ", 3)
        core, payload = int(core_s), rest[0] if rest else ""
        if kind == "launch":
            if core == 0:
                launches.append({})
            launches[-1][core] = {}
            continue
        launches[-1][core][kind] = payload
    return [{core: _c_outcome(d, block, args) for core, d in launch.items()} for launch in launches]


def _changed_bytes(updates: dict[int, dict[int, Any]], args: list[Any]) -> dict[int, dict[int, bytes]]:
    """Array changes as {argument: {flat index: the element's bytes, padded to 4}}, without the
    elements that kept their bits."""
    changes: dict[int, dict[int, bytes]] = {}
    for index, values in updates.items():
        dtype = args[index].dtype
        original = np.ascontiguousarray(args[index]).ravel()
        changed = {flat: np.array([v], dtype=dtype).tobytes().ljust(4, b"\0")
                   for flat, v in values.items()}
        changed = {f: v for f, v in changed.items()
                   if v[:dtype.itemsize] != original[f:f + 1].tobytes()}
        if changed:
            changes[index] = changed
    return changes


def _c_outcome(d: dict[str, str], block: bytes, args: list[Any]) -> tuple[Any, ...]:
    text = bytes.fromhex(d.get("out", "")).decode()
    if "timeout" in d:
        return ("timeout", text)
    if "error" in d:
        code, func, line, msg = (d["error"].split(" ") + [""])[:4]
        return ("error", int(code), int(func), int(line), bytes.fromhex(msg).decode(), text)
    updates = decode_array_updates(bytes.fromhex(d.get("arrays", "")), block)
    return ("ok", bytes.fromhex(d["result"]), text, _changed_bytes(updates, args))


def run_sim(image: bytes, args: list[Any], cores: int) -> dict[int, tuple[Any, ...]] | str:
    """Run on the simulator; 'deadlock' when every core is blocked."""
    chip = Chip("e16")
    launch = chip.launch(image, list(args), list(range(cores)))
    try:
        chip.run_until(lambda: launch.finished)
    except Exception as exc:  # SimDeadlock
        return f"deadlock: {exc}"
    return {c: _sim_outcome(launch.outcomes[c], args) for c in range(cores)}


def _sim_outcome(o: Any, args: list[Any]) -> tuple[Any, ...]:
    text = "".join(line + "\n" for line in o.lines)
    if o.error:
        return ("error", int(o.error), o.func, o.lineno, o.message.encode()[:MESSAGE_BYTES]
                .decode(errors="ignore"), text)
    return ("ok", encode_value(o.value), text, _changed_bytes(o.array_updates, args))


def check_same(exe: Path, fn: Any, args: list[Any], cores: int = 1) -> dict[int, tuple[Any, ...]]:
    kernel = compile_kernel(fn)
    sim = run_sim(kernel.image, args, cores)
    dev = run_c(exe, kernel.image, args, cores)[0]
    assert isinstance(sim, dict), sim
    for core in range(cores):
        assert dev[core] == sim[core], f"core {core}: C {dev[core]!r} != sim {sim[core]!r}"
    return dev


# ---- the corpus ----------------------------------------------------------------------------
def k_int_ops(a, b):
    print(a + b, a - b, a * b, a / b, a // b, a % b, -a, +a, ~a, abs(a))
    print(a << 3, a >> 2, a & b, a | b, a ^ b, a ** 2, 2 ** -1, 0 ** 0, True + True, True & True)
    return a // b, a % b, a < b, a == b, a != b


def k_float_ops(x, y):
    print(x + y, x - y, x * y, x / y, x // y, x % y, x ** 2, -x, abs(x), x < y, x == y)
    print(0.1, 1e20, 1e16, 1e15, 1.5e-05, 0.0001, 123456789.0, 16777217.0, -0.0, 1 / 3)
    print(float("nan"), float("inf"), -float("inf"), 3.4e38, 1.17549435e-38, 1e-45, 2.5e-7)
    return x * y, int(x), round(x), round(x, 1)


def k_strings(s):
    t = s + "xyz"
    print(t, len(t), t[1], t[-1], t[1:3], t[::-1], t[::2], s * 3, "a" in t, "q" not in t)
    print(f"{t!r}", str(5), str(1.5), str(None), str(True), [s, "it's", 'q"', "tab\t", "\x01"])
    print("a" < "b", "b" <= "a", t == s + "xyz", t[-2:], t[:-2], t[5:1], s * -1)
    return t, (s,), [s, s]


def k_lists(n):
    xs = []
    for i in range(n):
        xs.append(i * i)
    ys = xs[:]
    ys.append(7)
    print(xs, ys, len(xs), xs[-1], xs[1:4], xs[::-2], sum(xs), min(xs), max(xs))
    zs = [[0] * 2] * 2
    zs[0][0] = 1
    print(zs, xs + ys, [1, 2] * 2, (1,), (1, 2), (), [0] * -3)
    p = xs.pop()
    q = xs.pop(0)
    print(p, q, xs, xs.copy(), 3 in xs, [1, [2]] == [1, [2]], (1, 2) < (1, 3), [1] < [1, 0])
    a, b = 1, 2
    a, b = b, a
    return xs, a, b


def k_control(n):
    total = 0
    i = 0
    while i < n:
        if i % 3 == 0:
            total += i
        elif i % 3 == 1:
            total -= 1
        else:
            total += 2
        i += 1
    else:
        print("else ran")
    for j in range(10):
        if j == 5:
            break
    else:
        print("no")
    print(j, total, 1 < 2 < 3, 3 > 2 > 5, 0 or 5, 3 and 0, None or "x", not [])
    return total


def k_fib(n):
    if n < 2:
        return n
    return k_fib(n - 1) + k_fib(n - 2)


def k_builtins(x):
    print(abs(-3), abs(-2.5), min(3, 1, 2), max([1, 5, 2]), sum([1.5, 2]), int(2.7), int(-2.7))
    print(int("42"), int(" -7 "), int("1_000"), float("1.5"), float(" -inf "), float(3),
          bool(0), bool([1]), str(12))
    print(round(2.5), round(3.5), round(-2.5), round(1.2345, 2), round(1234, -2),
          round(2.675, 2), round(-0.5))
    print(len(range(7)), max("hello"), min((3, 1)), sum(range(5), 10))
    for i, v in enumerate([10, 20], 1):
        print(i, v)
    for a, b in zip([1, 2, 3], "ab"):
        print(a, b)
    for v in range(10, 0, -3):
        print(v, end=" ")
    print(sep="")
    print(math.sqrt(2.0), math.sin(1.0), math.cos(1.0), math.tan(0.5), math.exp(1.0),
          math.log(10.0), math.log(8, 2), math.asin(0.5), math.acos(0.5), math.atan(1.0))
    print(math.floor(-2.5), math.ceil(2.1), math.fabs(-3), math.pow(2, 10),
          math.atan2(1, 2), math.log10(1000), x, sep=", ", end="!\n")
    return x


def k_fstrings(x, s):
    print(f"{x}|{x:5}|{x:<5}|{x:^7}|{x:05}|{x:+}|{x:x}|{x:#x}|{x:b}|{x:o}|{x:,}|{x:_}|{x % 1000 + 65:c}")
    print(f"{s!r}|{s:>6}|{s:.2}|{s:*^9}|{s:<4}|")
    y = x / 7
    print(f"{y}|{y:.2f}|{y:10.3f}|{y:e}|{y:g}|{y:%}|{y:+.1f}|{1234567.891:,.2f}|{y:>12}")
    print(f"{[1, 2]}|{None}|{True}|{(1,)!r}|{-0.0:z.1f}|{1e300 * 1e10 if False else 2.5:E}")
    return f"{x}-{s}"


def k_arrays(a):
    print(a, a.shape, len(a), a[0], a[-1], a[1:3])
    a[0] = 99
    a[1] = 2.9
    total = 0
    for v in a:
        total += v
    return total, a


def k_arrays_2d(m):
    print(m, m.shape, m[1], m[1, 2], m[0][1])
    m[1, 1] = 7.5
    r = m[0]
    r[0] = -1
    s = 0.0
    for row in m:
        for v in row:
            s += v
    return s, m, r


def k_bool_array(b):
    b[0] = 0
    b[1] = 2.5
    return b, b[2]


def k_ring(x):
    me = coreid()
    n = numcores()
    send(me * 10 + x, (me + 1) % n)
    got = recv((me - 1) % n)
    total = reduce(got, "sum")
    top = reduce(float(me), "max")
    low = reduce(me, "min")
    prod = reduce(me % 3 + 1, "prod")
    b = bcast([me, "root"], 0)
    sync()
    print("core", me, got, total, top, low, prod, b)
    return total


def k_ring_array(data):
    me = coreid()
    n = numcores()
    if me % 2 == 0:
        send(data, (me + 1) % n)
        got = recv((me - 1) % n)
    else:
        got = recv((me - 1) % n)
        send(data, (me + 1) % n)
    got[0] = me
    return len(got), got[0], got.shape


def k_big_message(n):
    me = coreid()
    if me == 0:
        xs = []
        for i in range(n):
            xs.append((i, str(i)))
        send(xs, 1)
        return 0
    if me == 1:
        v = recv(0)
        return len(v), v[-1]
    return -1


def k_channels(x):
    me = coreid()
    if me == 0:
        send("first", 1)
        v = bcast(42, 0)
    else:
        v = bcast(0, 0)
        print(recv(0))
    return v, sendrecv(me, me ^ 1)


def k_probe(x):
    me = coreid()
    if me == 1:
        send(7, 0)
        sync()
        return 0
    sync()
    return probe(1), recv(1), probe(1)


def k_zero_div(a):
    return 1 // a


def k_overflow(a):
    return a * a


def k_pow_overflow(a):
    return a ** 20


def k_type_error(a):
    return a + "x"


def k_unbound(a):
    if a:
        q = 1
    return q  # noqa: F821


def k_assert(a):
    assert a > 5, "too small"
    return a


def k_raise(a):
    if a:
        raise ValueError("bad value " + str(a))
    return 0


def k_bad_format(a):
    return f"{a:.2d}"


def k_send_outside(a):
    send(1, 5)


def k_memory_list(n):
    xs = []
    for i in range(n):
        xs.append(i)
    return len(xs)


def k_memory_string(n):
    s = ""
    for i in range(n):
        s = s + "abcdefgh"
    return len(s)


def k_garbage(n):
    s = ""
    for i in range(n):
        s = str(i) + "!"
    return s


def k_deep(n):
    if n == 0:
        return 0
    return 1 + k_deep(n - 1)


def k_helper_args(a, b, c):
    return k_three(c, b, a)


def k_three(x, y, z):
    return [x, y, z]


F32 = np.float32
CASES = [
    (k_int_ops, [17, 5]), (k_int_ops, [-17, 5]), (k_int_ops, [17, -5]), (k_int_ops, [-7, 2]),
    (k_int_ops, [-2147483647, 3]),
    (k_float_ops, [1.5, 0.25]), (k_float_ops, [-7.5, 2.0]), (k_float_ops, [0.1, 3.0]),
    (k_float_ops, [3e9, -0.001]),
    (k_strings, ["ab"]), (k_strings, ["héllo wörld"]), (k_strings, [""]),
    (k_lists, [5]), (k_lists, [2]), (k_control, [20]), (k_fib, [12]), (k_builtins, [1.25]),
    (k_fstrings, [1234, "ab"]), (k_fstrings, [-5, "xyz"]), (k_fstrings, [65, "é"]),
    (k_arrays, [np.arange(5, dtype=np.int32)]),
    (k_arrays, [np.linspace(0, 1, 4).astype(F32)]),
    (k_arrays_2d, [np.arange(6, dtype=F32).reshape(2, 3)]),
    (k_bool_array, [np.array([True, False, True])]),
    (k_zero_div, [0]), (k_overflow, [100000]), (k_pow_overflow, [7]), (k_type_error, [1]),
    (k_unbound, [0]), (k_assert, [1]), (k_raise, [3]), (k_bad_format, [1]),
    (k_memory_list, [100]), (k_memory_string, [10]), (k_garbage, [3000]), (k_deep, [30]),
    (k_deep, [100]), (k_helper_args, [1, "b", (3.5,)]),
]


@pytest.mark.parametrize("fn,args", CASES, ids=[f"{f.__name__}-{i}" for i, (f, _) in
                                               enumerate(CASES)])
def test_kernel_gives_the_simulators_results(epy_run: Path, fn: Any, args: list[Any]) -> None:
    check_same(epy_run, fn, args)


PARALLEL = [
    (k_ring, [1], 4), (k_ring, [3], 16), (k_ring_array, [np.arange(100, dtype=np.int32)], 4),
    (k_ring_array, [np.arange(12, dtype=F32).reshape(3, 4)], 2), (k_big_message, [40], 3),
    (k_channels, [0], 2), (k_probe, [0], 2), (k_send_outside, [0], 2),
]


@pytest.mark.parametrize("fn,args,cores", PARALLEL,
                         ids=[f"{f.__name__}-{c}" for f, _, c in PARALLEL])
def test_parallel_kernel_gives_the_simulators_results(epy_run: Path, fn: Any, args: list[Any],
                                                      cores: int) -> None:
    check_same(epy_run, fn, args, cores)


def test_memory_error_raised_at_the_append_and_next_launch_works(epy_run: Path) -> None:
    kernel = compile_kernel(k_memory_list)
    first, second = run_c(epy_run, kernel.image, [5000], 1, repeat=2)
    for launch in (first, second):
        kind, code, _func, line, message, _text = launch[0]
        assert (kind, code) == ("error", ErrorCode.MemoryError)
        assert "out of core memory: 8 bytes requested" in message
        sim = run_sim(kernel.image, [5000], 1)
        assert isinstance(sim, dict) and sim[0][3] == line


def test_memory_limit_follows_the_model(epy_run: Path) -> None:
    """W = 32K - runtime - mailbox - (image + args, 8-aligned) - the launch's tables; a list of n
    ints costs 8 + 8n."""
    kernel = compile_kernel(k_memory_list)
    (out,) = run_c(epy_run, kernel.image, [5000], 1)
    message = out[0][4]
    nums = [int(v) for v in re.findall(r"\d+", message)]
    requested, live, frames, workspace = nums
    args_size = 1 + len(encode_value(5000))
    used = (len(kernel.image) + args_size + P.WORKSPACE_ALIGN - 1) // P.WORKSPACE_ALIGN * P.WORKSPACE_ALIGN
    prog = kernel.program
    tables = P.launch_tables_bytes(len(prog.consts), len(prog.globals), len(prog.functions))
    assert workspace == (P.LOCAL_MEMORY_BYTES - P.RUNTIME_RESERVED_BYTES - P.CORE_MAILBOX_BYTES
                         - used - tables)
    assert live + frames + requested > workspace >= live + frames
    assert (live - 48 - 8) % 8 == 0  # the list, a range and its iterator


def test_deadlock_leaves_cores_waiting_with_their_line(epy_run: Path) -> None:
    _def_line = k_deadlock.__code__.co_firstlineno + 1
    kernel = compile_kernel(k_deadlock)
    (out,) = run_c(epy_run, kernel.image, [0], 2, timeout=1.0)
    assert out[0][0] == "timeout" and out[1][0] == "timeout"


def k_deadlock(x):
    return recv((coreid() + 1) % numcores())


def _corrupt(rng: random.Random, image: bytes) -> bytes:
    data = bytearray(image)
    kind = rng.random()
    if kind < 0.25:
        return bytes(data[:rng.randrange(len(data))])
    if kind < 0.9:
        for _ in range(rng.randint(1, 3)):
            i = rng.randrange(len(data))
            data[i] = rng.randrange(256) if rng.random() < 0.5 else data[i] ^ (1 << rng.randrange(8))
        return bytes(data)
    return bytes(data) + bytes(rng.randrange(256) for _ in range(rng.randint(1, 4)))


def test_verifier_rejects_corrupted_images_like_the_python_verifier(epy_run: Path) -> None:
    rng = random.Random(5)
    images = [compile_kernel(f).image for f in (k_int_ops, k_lists, k_builtins, k_ring)]
    rejected = 0
    for _ in range(120):
        image = _corrupt(rng, rng.choice(images))
        try:
            verify_bytes(image)
        except ImageError as exc:
            expected = f"the core's verifier rejected the program image: {exc}"
        else:
            # still a valid program: it must run (or fail) without crashing the core
            run_c(epy_run, image, [1, 2], 1, timeout=2.0)
            continue
        rejected += 1
        (out,) = run_c(epy_run, image, [], 1)
        assert out[0][:2] == ("error", ErrorCode.BadImage), out
        assert out[0][4] == expected.encode()[:MESSAGE_BYTES].decode(errors="ignore")
    assert rejected > 60


def test_verifier_reports_bad_utf8_like_cpython(epy_run: Path) -> None:
    image = compile_kernel(k_strings).image
    marker = b"xyz"
    at = image.index(marker)
    for bad in (b"\xff", b"\xe4x", b"\xe4\xb8x", b"\xed\xa0\x80", b"\xf0\x80"):
        broken = image[:at] + bad + image[at + len(bad):]
        with pytest.raises(ImageError) as info:
            verify_bytes(broken)
        (out,) = run_c(epy_run, broken, [], 1)
        expected = f"the core's verifier rejected the program image: {info.value}"
        assert out[0][4] == expected[:MESSAGE_BYTES]


def test_truncated_or_garbage_argument_block_is_a_bad_argument(epy_run: Path) -> None:
    kernel = compile_kernel(k_fib)
    with tempfile.TemporaryDirectory() as tmp:
        Path(tmp, "i").write_bytes(kernel.image)
        Path(tmp, "a").write_bytes(b"\x01\x03\x01")  # an int cut short
        proc = subprocess.run([str(epy_run), str(Path(tmp, "i")), str(Path(tmp, "a")), "1"],
                              capture_output=True, text=True, timeout=30)
    assert f"error {int(ErrorCode.BadArgument)} " in proc.stdout


def test_float_repr_is_the_shortest_round_trip(epy_run: Path) -> None:
    rng = random.Random(11)
    values = [struct.unpack("<f", struct.pack("<I", rng.getrandbits(32)))[0] for _ in range(300)]
    values = [v for v in values if math.isfinite(v)]
    kernel = compile_kernel(k_print_all)
    sim = run_sim(kernel.image, [values], 1)
    (dev,) = run_c(epy_run, kernel.image, [values], 1)
    assert isinstance(sim, dict) and dev[0] == sim[0]


def k_print_all(xs):
    for x in xs:
        print(x, x * 3, x / 7, f"{x:.3e}", f"{x:g}")
    return len(xs)


def test_random_integer_expressions_match(epy_run: Path) -> None:
    rng = random.Random(3)
    edge = [0, 1, -1, 2, -2, 7, -7, 31, 32, 2147483647, -2147483648, 46341, -46341, 65536]
    pairs = [(rng.choice(edge + [rng.randint(-1000, 1000)]),
              rng.choice(edge + [rng.randint(-1000, 1000)])) for _ in range(25)]
    kernel = compile_kernel(k_int_table)
    sim = run_sim(kernel.image, [pairs], 1)
    (dev,) = run_c(epy_run, kernel.image, [pairs], 1)
    assert isinstance(sim, dict) and dev[0] == sim[0]


def k_int_table(pairs):
    out = []
    for a, b in pairs:
        row = []
        for op in range(12):
            r = "?"
            if op == 0:
                r = k_try_add(a, b)
            elif op == 1:
                r = k_try(a, b, 1)
            elif op == 2:
                r = k_try(a, b, 2)
            elif op == 3:
                r = k_try(a, b, 3)
            else:
                r = k_try(a, b, op)
            row.append(r)
        out.append(row)
    return out


def k_try_add(a, b):
    if -1073741824 <= a <= 1073741823 and -1073741824 <= b <= 1073741823:
        return a + b
    return "big"


def k_try(a, b, op):
    if op == 1:
        return a - b if -1073741824 <= a <= 1073741823 and -1073741824 <= b <= 1073741823 else 0
    if op == 2:
        return a * b if -46340 <= a <= 46340 and -46340 <= b <= 46340 else 0
    if op == 3:
        return a // b if b != 0 and not (a == -2147483648 and b == -1) else 0
    if op == 4:
        return a % b if b != 0 else 0
    if op == 5:
        return a / b if b != 0 else 0.0
    if op == 6:
        return a >> b if b >= 0 else 0
    if op == 7:
        return a << b if 0 <= b < 8 and -1000 < a < 1000 else 0
    if op == 8:
        return a & b, a | b, a ^ b, ~a
    if op == 9:
        return a < b, a <= b, a == b, a != b, a > b, a >= b
    if op == 10:
        return (a ** b) if 0 <= b < 3 and -1000 < a < 1000 else (2 ** -1)
    return abs(a) if a != -2147483648 else 0


def k_float_formats(x):
    return f"{x:.3}|{100.0:.3}|{1.0:.3}|{1e20:.3}|{x:.1}|{x:+}|{x:010}|{-x: }|{x:#.3}"


def test_float_format_without_type_follows_cpython(epy_run: Path) -> None:
    """Documented difference: esim formats the repr *string* (so '.3' truncates it)."""
    kernel = compile_kernel(k_float_formats)
    (out,) = run_c(epy_run, kernel.image, [176.28572], 1)
    x = float(np.float32(176.28572))
    expected = "|".join([format(x, ".3"), "1e+02", "1.0", "1e+20", format(x, ".1"),
                         "+176.28572", "0176.28572", "-176.28572", format(x, "#.3")])
    assert decode_value(out[0][1]) == expected


def k_heap_churn(n):
    a = []
    b = []
    c = [[], []]
    words = ""
    for i in range(n):
        a.append(i)
        b.append(str(i) * (i % 3))
        c[i % 2].append((i, [i, str(i)]))
        if i % 5 == 0:
            words = words + str(i)
        if i % 7 == 3:
            b.pop(0)
            c[0] = c[0][1:]
    pairs = []
    for x, y in zip(a, b):
        pairs.append(f"{x}:{y}")
    total = 0
    for i, row in enumerate(c[1]):
        total += row[1][0] + len(row[1][1]) + i
    return len(a), b[-3:], c[0][-2:], words[-10:], pairs[-2:], total, a[::7]


@pytest.mark.parametrize("n", [10, 90])
def test_heap_churn_with_compaction_gives_the_simulators_results(epy_run: Path, n: int) -> None:
    check_same(epy_run, k_heap_churn, [n])


def k_chatty(n):
    for i in range(n):
        print(i, "x" * (i % 50), 1.5 * i)
    print("no newline at the end", end="")
    return n


def test_printed_text_larger_than_the_out_ring_arrives_whole(epy_run: Path) -> None:
    kernel = compile_kernel(k_chatty)
    (out,) = run_c(epy_run, kernel.image, [400], 1)
    assert len(out[0][2]) > 3776 * 2
    sim = run_sim(kernel.image, [400], 1)
    assert isinstance(sim, dict)
    # esim ends an unfinished last line with a newline; the device stream has the raw text
    assert out[0][2] + "\n" == sim[0][2]


def test_launch_too_large_for_core_memory_is_refused(epy_run: Path) -> None:
    kernel = compile_kernel(k_chatty)
    (out,) = run_c(epy_run, kernel.image, ["y" * P.LOCAL_MEMORY_BYTES], 1)  # more than SRAM
    assert out[0][:2] == ("error", ErrorCode.MemoryError)
