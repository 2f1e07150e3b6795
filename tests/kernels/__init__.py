"""The test corpus: every kernel the suite runs through a generic oracle, as tagged cases.

A :class:`Case` is a kernel function with one tuple of arguments, its tags and the number of
cores it runs on (and, for a failing kernel, the error it raises).  Kernels live in real files
(the compiler reads them through ``inspect``), by topic:

=================  ===============================================================================
module             kernels
=================  ===============================================================================
``numbers``        ints, bools, floats: operators, conversions, math, number builtins
``control``        if/while/for with else, break/continue, ranges, enumerate/zip, scopes
``functions``      helpers, defaults and keywords, recursion (``fib`` and ``fact`` are here),
                   nested defs, module constants and globals
``sequences``      tuples, lists, strings, str() and f-strings
``dicts``          dicts: displays, comprehensions, methods, views, iteration, arguments, results
``printing``       print with its options, float output, output of long loops
``arrays``         numpy array arguments, read and written
``parallel``       epython.parallel on one core and on many: rings, collectives, channels
``programs``       small algorithms (gcd, primes, sorting, matrices, Monte Carlo)
``memory``         allocation-heavy kernels (lists and strings that grow, garbage)
``errors``         kernels that raise (line marked ``# FAIL``) or deadlock
``refused``        kernels the compiler refuses (line marked ``# FAIL``)
``golden``         kernels whose disassembly is kept in tests/golden/
``bench``          the benchmark kernels (benchmarks/kernels.py names them for the suite)
=================  ===============================================================================

Select cases with :func:`cases` (``cases("cpython", without=("errors",))``) and hand them to
``pytest.mark.parametrize`` through :func:`params` (ids and the ``slow`` mark).  Each test
module checks them against one oracle:

* tests/test_vs_cpython.py: the undecorated function under CPython gives the same result (its
  floats rounded once to binary32, compared by ``epython.testing.compare.same``) and the same
  printed lines, on every backend ("cpython" cases);
* tests/test_bad_inputs.py: the error the case records, with its class, core, ``# FAIL`` line
  and message, on one core and on two ("errors"), the deadlock report ("deadlock"), the
  compile error naming file, line and construct ("refused");
* tests/test_jit.py: the reference engine and the JIT agree on every run (results, errors,
  cycles, instruction counts, memory), directly for one-core cases and on a whole simulated
  chip for the others; the "sweep" cases also over many workspace sizes;
* tests/test_device_core.py: the C core interpreter gives the simulator's results, errors and
  printed text, on one core and on many;
* tests/test_golden.py: the recorded disassembly ("golden").

Tags (a case carries several):

* oracles: ``cpython`` (CPython agrees: same result and output, or for an error case the same
  class), ``errors`` (raises ``error`` at the ``# FAIL`` line), ``deadlock`` (a DeadlockError
  whose report matches ``message``), ``refused`` (a CompileError whose text matches
  ``message``), ``sweep`` (the engines' memory sweep), ``golden``;
* what the kernel exercises: ``ints``, ``floats``, ``bools``, ``strings``, ``lists``,
  ``tuples``, ``dicts``, ``arrays``, ``control``, ``functions``, ``recursion``, ``builtins``, ``math``,
  ``print``, ``comm`` (epython.parallel), ``memory`` (allocation-heavy), ``bench``;
* ``slow``: run only with ``-m slow`` (:func:`params` marks it).

A kernel that one test builds its own assertions around (a specific message, a count of
bytes, a printed length) stays in that test's module; the corpus holds the kernels that a
generic oracle checks.
"""

from tests.kernels import (  # noqa: F401 - importing a topic module registers its cases
    arrays,
    bench,
    control,
    dicts,
    errors,
    functions,
    golden,
    memory,
    numbers,
    parallel,
    printing,
    programs,
    refused,
    sequences,
    strmethods,
)
from tests.kernels.case import FAIL_MARKER, TAGS, Case, cases, params, register

__all__ = ["FAIL_MARKER", "TAGS", "Case", "cases", "params", "register"]
