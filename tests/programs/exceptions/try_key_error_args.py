# A KeyError raised by a dict: its arg is the key itself (str() is the key's repr), as CPython's.
d = {1: 2}
for key in (0, "x", (1, "a"), 2.5, None):
    try:
        d[key]
    except KeyError as e:
        print(str(e), e.args, repr(e))
try:
    {}.popitem()
except LookupError as e:
    print(str(e), e.args)
try:
    d.pop("missing")
except KeyError as e:
    print(e.args[0] == "missing", e)
