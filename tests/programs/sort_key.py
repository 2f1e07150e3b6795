# sorted, list.sort, min/max with key=, reverse=, default=, reversed, int(s, base)
words = ["pear", "Fig", "apple", "kiwi", "date", "fig", "banana"]
print(sorted(words), sorted(words, reverse=True), sorted(words, key=len))
print(sorted(words, key=len, reverse=True), sorted(words, key=lambda w: w.lower()))
pairs = [(2, "b"), (1, "z"), (2, "a"), (1, "y")]
print(sorted(pairs), sorted(pairs, key=lambda p: p[0]), sorted(pairs, key=lambda p: p[0], reverse=True))


def last(s):
    return s[-1]


print(sorted(words, key=last), sorted("hello"), sorted(range(5), key=lambda x: -x), sorted([]))
nums = [3, 1, 4, 1, 5, 9, 2, 6, 5, 3]
nums.sort()
print(nums)
nums.sort(reverse=True)
print(nums)
nums.sort(key=lambda x: x % 3)
print(nums)
nums.sort(key=lambda x: x % 3, reverse=True)
print(nums)
print(min(words, key=len), max(words, key=len), min(nums, key=lambda x: -x), max(3, 7, 5, key=lambda x: x % 4))
print(min([], default=None), max([], default=-1), min([4, 2], default=0), max(words, key=len, default="?"))
print(list(reversed(nums)), list(reversed("abc")), [i for i in reversed(range(3))], sum(reversed(nums)))
print(int("ff", 16), int("-0x1F", 0), int(" 0b_101 ", 0), int("z", 36), int("0o17", 8), int("1_000", 10))
print(int("777", 8), int("00", 0), int("\u0661\u0662", 10), int(" +42\n", 0), int("Zz", 36))
scale = 10
print(sorted(nums, key=lambda x: scale - x), max(pairs, key=lambda p: p[1]))
