"""A task farm: many small single-core launches kept in flight, results collected as they finish.

The host has TASKS independent jobs (count the primes in a block of integers, by trial
division; blocks further out take longer).  Instead of one launch on all 16 cores, it launches
every job as its own asynchronous single-core kernel with ``auto=1`` ("any one core, a free one
first") and keeps at most one job per core in flight.  It polls the handles with ``test()``
(which never blocks), collects a finished job with ``wait_any()`` (giving the core that ran it
and the result) and immediately launches the next job on the core that became free.  Cores that
get short jobs therefore take more of them: dynamic load balancing.

Every result is checked against the same function run under plain CPython.
"""

from epython import offload

TASKS = 48
BLOCK = 300             # integers per task


def count_primes(lo, hi):
    """Primes p with lo <= p < hi, by trial division (runs on a core or in CPython)."""
    count = 0
    for n in range(max(lo, 2), hi):
        d = 2
        prime = True
        while d * d <= n:
            if n % d == 0:
                prime = False
                break
            d += 1
        if prime:
            count += 1
    return count


@offload(async_=True, auto=1)
def prime_task(lo, hi):
    return count_primes(lo, hi)


def block(k):
    # Task k: blocks of 1 to 5 times BLOCK integers, further and further out, so the tasks
    # take quite different times.
    lo = k * k * 40
    return lo, lo + BLOCK * (1 + (k * 7) % 5)


pending = list(range(TASKS))        # task ids not launched yet
in_flight = {}                      # task id -> its handle
results = {}                        # task id -> primes counted
ran_on = {}                         # core id -> number of tasks it ran
MAX_IN_FLIGHT = 16                  # one per core

while pending or in_flight:
    # Top up: launch tasks until every core has one.
    while pending and len(in_flight) < MAX_IN_FLIGHT:
        k = pending.pop(0)
        in_flight[k] = prime_task(*block(k))
    # Collect whatever has finished; test() lets the simulated chip run a little.
    for k, handle in list(in_flight.items()):
        if handle.test():
            core, value = handle.wait_any()
            results[k] = value
            ran_on[core] = ran_on.get(core, 0) + 1
            del in_flight[k]

print(f"{TASKS} tasks, tasks run per core: {[ran_on.get(c, 0) for c in range(max(ran_on) + 1)]}")
print("primes per block:", [results[k] for k in range(TASKS)][:12], "...")

expected = {k: count_primes(*block(k)) for k in range(TASKS)}
assert results == expected
assert sum(ran_on.values()) == TASKS
print(f"OK: all {TASKS} task results match CPython ({sum(results.values())} primes in total)")
