"""The seed tutorial: hello world on every core, blocking and asynchronous."""

from epython import offload


@offload
def helloworld(a, b):
    print("Hello World")
    return a + b


print(helloworld(10, 20))          # 16 "Hello World" lines (one per core), then [30, 30, ..., 30]


@offload(async_=True)
def helloworld_async(a, b):
    print("Hello World")
    return a + b


handle = helloworld_async(10, 20)
print(handle.wait())               # [30] * 16
