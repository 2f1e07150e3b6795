# prints, then fails: both interpreters print the same lines and raise the same class
def divide(a, b):
    return a // b


print(divide(7, 2))
print(divide(1, 0))
print("never")
