# SystemExit derives from BaseException, not Exception (MicroPython's tests end with it)
try:
    raise SystemExit
except Exception:
    print("Exception caught it")
except BaseException as e:
    print("BaseException", e.args, repr(e))
try:
    raise SystemExit(3)
except SystemExit as e:
    print("SystemExit", e.args, str(e))
try:
    try:
        raise SystemExit("bye")
    except (ValueError, Exception):
        print("wrong")
except SystemExit as e:
    print("passed through", e)
if len("ab") != 2:
    print("SKIP")
    raise SystemExit
print("done")
raise SystemExit(0)
