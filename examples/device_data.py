"""Device-resident data: state that stays in core memory across many launches.

A particle simulation: each core owns PER_CORE particles (positions and velocities, float32
arrays) moving on springs, x'' = -k x.  Instead of sending the state with every launch and
copying it back, the arrays live on the cores between launches:

* ``define_on_device(name, value)`` declares a device-resident name and stores a value on
  every core; kernels use it as a module-level global (assigning it needs ``global name``;
  changing an array element in place does not).
* ``copy_to_device(name, value, target=core)`` overwrites the value on some cores: here each
  core gets its own particles and its own spring constant.
* ``copy_from_device(name)`` reads the values back, one per core in core order (or a single
  value for ``target=core``).

The host launches ``advance`` several times; each launch moves the particles STEPS time steps
(semi-implicit Euler) and bumps a step counter that also lives on the device.  Only the two
small scalar arguments travel with each launch.  Midway the host changes the spring constant of
core 3 with ``copy_to_device``.  At the end the host reads everything back and compares it with
the same float32 computation in numpy: the kernel does the same float32 operations in the same
order, so the results are identical.
"""

# The kernel reads device-resident globals that exist only on the cores:
# ruff: noqa: F821

import numpy as np

from epython import copy_from_device, copy_to_device, define_on_device, offload
from epython.parallel import coreid

PER_CORE = 32
LAUNCHES = 6
STEPS = 25
DT = 0.05

# The device-resident names, as the kernel sees them (annotations for readers and linters; the
# values live on the cores, not in this module):
pos: np.ndarray
vel: np.ndarray
stiffness: float
steps_done: int

# Declare the device-resident names (every core gets a first value) ...
define_on_device("pos", np.zeros(PER_CORE, dtype=np.float32))
define_on_device("vel", np.zeros(PER_CORE, dtype=np.float32))
define_on_device("stiffness", 1.0)
define_on_device("steps_done", 0)
CORES = len(copy_from_device("steps_done"))        # one value per core: 16 on the E16 chip

rng = np.random.default_rng(11)
x0 = rng.uniform(-1.0, 1.0, (CORES, PER_CORE)).astype(np.float32)
v0 = np.zeros((CORES, PER_CORE), dtype=np.float32)
k0 = np.linspace(0.5, 2.0, CORES).astype(np.float32)
# ... then give each core its own particles and spring constant.
for c in range(CORES):
    copy_to_device("pos", x0[c], target=c)
    copy_to_device("vel", v0[c], target=c)
    copy_to_device("stiffness", float(k0[c]), target=c)


@offload
def advance(steps, dt):
    global steps_done
    for _ in range(steps):
        for i in range(len(pos)):
            vel[i] = vel[i] - stiffness * pos[i] * dt     # kick
            pos[i] = pos[i] + vel[i] * dt                 # drift
    steps_done = steps_done + steps
    energy = 0.0
    for i in range(len(pos)):
        energy += 0.5 * vel[i] * vel[i] + 0.5 * stiffness * pos[i] * pos[i]
    return coreid(), energy


def reference(x, v, k, steps, dt):
    """The same float32 operations in numpy (k: one spring constant per row)."""
    dt = np.float32(dt)
    k = k[:, None]
    for _ in range(steps):
        v = v - k * x * dt
        x = x + v * dt
    return x, v


x_ref, v_ref, k_ref = x0.copy(), v0.copy(), k0.copy()
for launch in range(LAUNCHES):
    if launch == LAUNCHES // 2:
        # Stiffen core 3's springs between two launches; the particles stay where they are.
        copy_to_device("stiffness", 4.0, target=3)
        k_ref[3] = np.float32(4.0)
    energies = advance(STEPS, DT)
    x_ref, v_ref = reference(x_ref, v_ref, k_ref, STEPS, DT)
    print(f"launch {launch}: energy of core 0's particles {energies[0][1]:.4f}, "
          f"core 3's {energies[3][1]:.4f}")

positions = np.array(copy_from_device("pos"))       # one array per core, in core order
velocities = np.array(copy_from_device("vel"))
counters = copy_from_device("steps_done")
print("steps done per core:", counters[0], "(same on all cores)")
print("core 3 positions:", np.round(positions[3, :5], 4), "stiffness:",
      copy_from_device("stiffness", target=3))

assert counters == [LAUNCHES * STEPS] * CORES
assert [c for c, _ in energies] == list(range(CORES))
# Kernel floats are IEEE binary32 with correctly rounded + - *: same order, same bits as numpy.
assert np.array_equal(positions, x_ref), np.max(np.abs(positions - x_ref))
assert np.array_equal(velocities, v_ref), np.max(np.abs(velocities - v_ref))
print(f"OK: {CORES * PER_CORE} particles advanced {LAUNCHES * STEPS} steps on the device in "
      f"{LAUNCHES} launches; identical to numpy float32")
