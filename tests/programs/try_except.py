# expect: refused try/except is not supported in kernels
# (issue 17: try/except is to come; this program then matches CPython)
def safe_div(a, b):
    try:
        return a // b
    except ZeroDivisionError:
        return None


print(safe_div(7, 2), safe_div(1, 0))
