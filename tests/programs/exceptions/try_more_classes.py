# OSError, EOFError, ImportError, SyntaxError (> IndentationError) and KeyboardInterrupt, with
# CPython's bases
for k in range(5):
    try:
        if k == 0:
            raise OSError("disk")
        if k == 1:
            raise EOFError
        if k == 2:
            raise ImportError("no module")
        if k == 3:
            raise IndentationError("bad indent")
        raise KeyboardInterrupt
    except SyntaxError as e:
        print("SyntaxError", repr(e), e.args)
    except Exception as e:
        print("Exception", repr(e))
    except BaseException as e:
        print("BaseException", repr(e))
try:
    raise EOFError("end")
except (OSError, EOFError) as e:
    print("tuple", e)
