# the errors of sets, CPython's types and messages
# ruff: noqa: B015, B018, B033
for thunk in (1, 2, 3, 4, 5, 6, 7, 8, 9, 10):
    try:
        if thunk == 1:
            {[1]}
        elif thunk == 2:
            set().pop()
        elif thunk == 3:
            {1}.remove(2)
        elif thunk == 4:
            {1} | [1]
        elif thunk == 5:
            {1} < [1]
        elif thunk == 6:
            d = {{1}: 2}
        elif thunk == 7:
            set(5)
        elif thunk == 8:
            s = {1, 2}
            for x in s:
                s.add(x + 10)
        elif thunk == 9:
            s = {1}
            s |= [2]
        else:
            s = {1}
            s[0]
    except TypeError as e:
        print(thunk, "TypeError", e)
    except KeyError as e:
        print(thunk, "KeyError", e)
    except RuntimeError as e:
        print(thunk, "RuntimeError", e)
