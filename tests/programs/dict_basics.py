d = {"a": 1, "b": 2}
d["c"] = 3
d["a"] = 10
print(d, len(d), d["b"], "a" in d, "z" in d, "z" not in d)
e = {}
print(e, len(e), bool(e), bool(d))
keys = {1: "int", "s": "str", (1, 2): "tuple", None: "none", 2.5: "float", False: "bool"}
print(keys[1], keys["s"], keys[(1, 2)], keys[None], keys[2.5], keys[False], keys[0])
same = {1: "a"}
same[1.0] = "b"
same[True] = "c"
print(same, len(same), same[1], 1.0 in same)
first = {True: 1, 1: 2, 1.0: 3}  # noqa: F601
print(first)
del d["b"]
print(d, list(d))
nested = {"x": {"y": [1, 2, {"z": (3,)}]}, "e": {}}
print(nested, nested["x"]["y"][2]["z"])
nested["x"]["y"].append(4)
print(f"{nested!r}", str({1: "q'"}))
print({"k": 'it\'s', 'q': "\"x\""})
print(f"{d} {d!r} {len(d):3d}")
print(d == {"a": 10, "c": 3}, d == {"c": 3, "a": 10}, d != {"a": 10}, d == [1], {} == {})
print({1: [1, 2]} == {1: [1, 2]}, {1: 1} == {1: 1.0}, {1: 2} == {1: 3}, {1: 2} == {2: 2})
x, y = {"p": 1, "q": 2}
print(x, y)
del d["zz"]
