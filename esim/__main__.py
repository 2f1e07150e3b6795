"""Command line of the simulator: ``python -m esim profile script.py [--trace F] [--png F]``.

``profile`` runs a user script (as ``__main__``, with its own arguments after ``--``) on the
simulator with profiling on, then prints the report of every launch the script made on its
first simulated chip; ``--trace`` writes a Chrome/Perfetto trace, ``--png`` a mesh heatmap.
"""

from __future__ import annotations

import argparse
import os
import runpy
import sys
from pathlib import Path

from esim.profile import Recorder, format_report, heatmap_png, write_trace


def _profile(args: argparse.Namespace) -> int:
    script = Path(args.script)
    if not script.is_file():
        print(f"esim profile: no such script: {script}", file=sys.stderr)
        return 2
    os.environ["EPYTHON_BACKEND"] = "sim"  # link traffic exists only on the simulator
    saved_argv, saved_path = sys.argv[:], sys.path[:]
    sys.argv = [str(script), *args.script_args]
    sys.path.insert(0, str(script.resolve().parent))
    recorder = Recorder()  # binds to the chip of the script's first launch
    status = 0
    try:
        with recorder:
            runpy.run_path(str(script), run_name="__main__")
    except SystemExit as stop:
        status = stop.code if isinstance(stop.code, int) else (0 if stop.code is None else 1)
    finally:
        sys.argv, sys.path[:] = saved_argv, saved_path
    data = recorder.data
    assert data is not None
    print(format_report(data))
    if args.trace:
        print(f"trace written to {write_trace(data, args.trace)} (open it in ui.perfetto.dev)")
    if args.png:
        try:
            heatmap_png(data, args.png, args.network)
        except ImportError as exc:
            print(f"esim profile: {exc}", file=sys.stderr)
            return 1
        print(f"heatmap written to {args.png}")
    return status


def main(argv: list[str] | None = None) -> int:
    """Entry point of ``python -m esim``."""
    parser = argparse.ArgumentParser(prog="python -m esim", description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("profile", help="run a script on the simulator and report mesh traffic")
    p.add_argument("script", help="the Python script to run (as __main__)")
    p.add_argument("script_args", nargs="*", help="arguments for the script (after --)")
    p.add_argument("--trace", metavar="OUT.json", help="write a Chrome/Perfetto trace")
    p.add_argument("--png", metavar="MESH.png", help="write a heatmap of the mesh (matplotlib)")
    p.add_argument("--network", default="cmesh", choices=["cmesh", "rmesh", "xmesh", "all"],
                   help="network drawn by --png (default: cmesh)")
    args = parser.parse_args(argv)
    if args.command == "profile":
        return _profile(args)
    return 2  # pragma: no cover - argparse rejects other commands


if __name__ == "__main__":
    sys.exit(main())
