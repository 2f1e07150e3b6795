"""A token passed around a ring of the 16 cores, and the simulated time per hop.

Core 0 starts with a token of 0 and sends it to core 1; every core receives the token from its
west neighbour, adds its own id, and sends it on east, core 15 closing the ring back to core 0.
After LAPS laps the token holds LAPS * (0 + 1 + ... + 15).

The launch is asynchronous (``async_=True``): the host gets a handle at once, and after
``wait()`` the handle reports the chip time of the launch (``handle.seconds``) and the cycles
each core ran (``handle.cycles``).  Running the ring twice, with a short and a long number of
laps, and dividing the difference in time by the difference in hops removes the fixed cost of
the launch (loading the program, starting the cores, returning the results) and leaves the cost
of one hop: a receive, an addition and a send of one int over the on-chip mesh.

Ring order here is core-id order (0 -> 1 -> ... -> 15 -> 0).  On the 4x4 mesh, cores are laid
out row by row, so most hops are to the next core east, but 3 hops go down a row to the start
of the next row and the last hop goes from the bottom right back to the top left: those longer
routes are part of the average.
"""

from epython import offload
from epython.parallel import coreid, numcores, recv, send


@offload(async_=True)
def ring(laps):
    me = coreid()
    p = numcores()
    east = (me + 1) % p
    west = (me - 1) % p
    token = 0
    for _ in range(laps):
        if me == 0:
            send(token, east)           # start the lap ...
            token = recv(west)          # ... and get the token back at the end of it
        else:
            token = recv(west) + me
            send(token, east)
    return token


def run(laps):
    handle = ring(laps)
    tokens = handle.wait()
    return tokens, handle.seconds, max(handle.cycles)


SHORT, LONG = 2, 10
tokens, t_short, c_short = run(SHORT)
tokens_long, t_long, c_long = run(LONG)
p = len(tokens)

expected = LONG * sum(range(p))
print(f"token after {LONG} laps at core 0: {tokens_long[0]} (expected {expected})")
hops = (LONG - SHORT) * p
per_hop = (t_long - t_short) / hops
cycles_per_hop = (c_long - c_short) / hops
print(f"launch of {SHORT} laps: {t_short * 1e6:.1f} us chip time; {LONG} laps: "
      f"{t_long * 1e6:.1f} us")
print(f"one hop: {per_hop * 1e9:.0f} ns of simulated chip time (~{cycles_per_hop:.0f} cycles)")

assert tokens_long[0] == expected
assert tokens[0] == SHORT * sum(range(p))
# Core c > 0 last saw the token after adding its id in the final lap.
assert tokens_long[1:] == [(LONG - 1) * sum(range(p)) + sum(range(c + 1)) for c in range(1, p)]
assert t_long > t_short > 0 and per_hop > 0
print("OK: the token went round the ring as expected")
