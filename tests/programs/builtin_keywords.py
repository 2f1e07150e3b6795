# builtins that CPython also takes by keyword
print(list(enumerate([1, 2, 3], start=1)), list(enumerate(iterable="ab")))
print(list(enumerate(iterable=[1, 2, 3], start=-5)))
print(sum([1, 2], start=10), round(2.675, ndigits=2), round(number=7.5), int("ff", base=16))
