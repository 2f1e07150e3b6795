"""The expressions of a native loop (native.py): a generated Python expression as C, with its
class ('i' int64, 'f' double, 'b' bool as 0/1; 'n' int-or-float, usable only as a float
operand), and the patterns of generated statements the hooks and the translation know.

Each form computes what CPython computes on the same values: IEEE doubles, a ``float`` cast
for ``F32[0] = ...`` and ``INT_F32``, int64 with every overflow, zero divisor and shift count
that CPython would treat otherwise sent to ``bail`` (GCC statement expressions; ``goto bail``
leaves them), floor division and modulo as Python's.  What has no form here is Untranslatable:
its statement bails, so the Python code runs that pass.
"""

from __future__ import annotations

import ast

from epython.bytecode.opcodes import Op

__all__ = ["CLASSES", "CExpressions", "Untranslatable", "c_float", "c_var", "for_of", "is_tick", "next_of",
           "tick_yield"]


class Untranslatable(Exception):
    """An expression or statement the translation does not know: its statement bails."""


#: the C class of each value class: int, float, bool; 'o' is a value C never reads (it stays the
#: Python code's), 'x' a local whose class differs between passes
CLASSES = {int: "i", float: "f", bool: "b"}
_I53 = 1 << 53


def c_float(x: float) -> str:
    """A double as a C literal that is exactly it (hex; inf and nan as builtins)."""
    if x != x:
        return "__builtin_nan(\"\")"
    if x in (float("inf"), float("-inf")):
        return "__builtin_inf()" if x > 0 else "(-__builtin_inf())"
    return f"({x.hex()})"


def c_var(name: str, t: str) -> str:
    """The C variable of ``name`` holding class ``t`` (one int64 and one double per name)."""
    return f"{name}_{'f' if t == 'f' else 'i'}"



def tick_yield(stmt: ast.stmt) -> int | None:
    """``if cc >= LIMIT: <accounting>; yield TICK_REQUEST; <hook>`` (emit.py ``back``): the
    index of the yield in its body, else None."""
    if not (isinstance(stmt, ast.If) and not stmt.orelse):
        return None
    test = stmt.test
    if not (isinstance(test, ast.Compare) and isinstance(test.left, ast.Name)
            and test.left.id == "cc" and len(test.ops) == 1 and isinstance(test.ops[0], ast.GtE)
            and isinstance(test.comparators[0], ast.Constant)):
        return None
    for k, st in enumerate(stmt.body):
        if (isinstance(st, ast.Expr) and isinstance(st.value, ast.Yield)
                and isinstance(st.value.value, ast.Name)
                and st.value.value.id == "TICK_REQUEST"):
            return k
    return None


def is_tick(stmt: ast.stmt) -> bool:
    """A tick check (:func:`tick_yield`)."""
    return tick_yield(stmt) is not None


def next_of(e: ast.AST) -> str | None:
    """``next(X.it, END)``: X, else None."""
    if (isinstance(e, ast.Call) and isinstance(e.func, ast.Name) and e.func.id == "next"
            and len(e.args) == 2 and isinstance(e.args[0], ast.Attribute)
            and e.args[0].attr == "it" and isinstance(e.args[0].value, ast.Name)
            and isinstance(e.args[1], ast.Name) and e.args[1].id == "END"):
        return e.args[0].value.id
    return None


def for_of(e: ast.AST) -> str | None:
    """``for NAME in X.it:``: X, else None."""
    if (isinstance(e, ast.For) and isinstance(e.target, ast.Name)
            and isinstance(e.iter, ast.Attribute) and e.iter.attr == "it"
            and isinstance(e.iter.value, ast.Name) and not e.type_comment):
        return e.iter.value.id
    return None



class CExpressions:
    """Expressions as C for a state (name -> class where the expression is evaluated)."""

    # expressions: (C text, class) -----------------------------------------------------------------

    def expr(self, e: ast.expr, st: dict[str, str]) -> tuple[str, str]:
        """``e`` as (C text, class) in state ``st``; Untranslatable if it has no form."""
        if isinstance(e, ast.Constant):
            v = e.value
            if v is True or v is False:
                return ("1" if v else "0"), "b"
            if isinstance(v, int):
                if not -(1 << 63) < v < (1 << 63):
                    raise Untranslatable("int constant past int64")
                return f"((int64_t){v}LL)", "i"
            if isinstance(v, float):
                return c_float(v), "f"
            raise Untranslatable(f"constant {v!r}")
        if isinstance(e, ast.Name):
            t = st.get(e.id)
            if t in ("i", "f", "b"):
                return c_var(e.id, t), t
            raise Untranslatable(f"read of {e.id}")
        if isinstance(e, ast.Subscript):
            if (isinstance(e.value, ast.Name) and e.value.id == "F32"
                    and isinstance(e.slice, ast.Constant) and e.slice.value == 0
                    and st.get("F32") == "f"):
                return "((double)F32_0)", "f"
            raise Untranslatable("subscript")
        if isinstance(e, ast.BinOp):
            return self.binop(e.op, self.expr(e.left, st), self.expr(e.right, st))
        if isinstance(e, ast.UnaryOp):
            return self.unary(e.op, self.expr(e.operand, st))
        if isinstance(e, ast.Compare):
            return self.compare(e, st)
        if isinstance(e, ast.BoolOp):
            parts = [self.expr(v, st) for v in e.values]
            if all(t == "b" for _, t in parts):
                op = " && " if isinstance(e.op, ast.And) else " || "
                return "(" + op.join(c for c, _ in parts) + ")", "b"
            raise Untranslatable("and/or of non-bools")
        if isinstance(e, ast.IfExp):
            folded = self.fold(e.test, st)
            if folded is not None:
                return self.expr(e.body if folded else e.orelse, st)
            test = self.truth(e.test, st)
            a, b = self.expr(e.body, st), self.expr(e.orelse, st)
            if a[1] == b[1]:
                return f"({test} ? {a[0]} : {b[0]})", a[1]
            if {a[1], b[1]} <= {"i", "f"}:  # int or float: usable only as a float operand
                return f"({test} ? {self.as_double(a)} : {self.as_double(b)})", "n"
            raise Untranslatable("if-expression of two classes")
        if isinstance(e, ast.Call):
            return self.call(e, st)
        raise Untranslatable(type(e).__name__)

    def as_double(self, x: tuple[str, str]) -> str:
        """``x`` as CPython would take it as a float operand (an int bails past 2**53)."""
        c, t = x
        if t in ("f", "n"):
            return c
        # an int as a Python float: exact below 2**53 (bail past it)
        return f"({{ int64_t t_ = {c}; if (t_ > {_I53}LL || t_ < -{_I53}LL) goto bail; (double)t_; }})"

    def binop(self, op: ast.operator, a: tuple[str, str], b: tuple[str, str]) -> tuple[str, str]:
        """``a op b`` with CPython's result class and value, or a bail where CPython would raise or grow past int64."""
        ints = a[1] in ("i", "b") and b[1] in ("i", "b")
        if ints:
            x, y = a[0], b[0]
            if isinstance(op, (ast.BitAnd, ast.BitOr, ast.BitXor)):
                sym = {ast.BitAnd: "&", ast.BitOr: "|", ast.BitXor: "^"}[type(op)]
                return f"({x} {sym} {y})", "b" if a[1] == b[1] == "b" else "i"
            if isinstance(op, (ast.Add, ast.Sub, ast.Mult)):
                fn = {ast.Add: "add", ast.Sub: "sub", ast.Mult: "mul"}[type(op)]
                return (f"({{ int64_t t_; if (__builtin_{fn}_overflow((int64_t){x}, (int64_t){y}, "
                        f"&t_)) goto bail; t_; }})"), "i"
            if isinstance(op, ast.FloorDiv):
                return (f"({{ int64_t a_ = {x}, b_ = {y}; if (b_ == 0 || (b_ == -1 && "
                        f"a_ == INT64_MIN)) goto bail; int64_t q_ = a_ / b_; "
                        f"if ((a_ % b_ != 0) && ((a_ < 0) != (b_ < 0))) q_ -= 1; q_; }})"), "i"
            if isinstance(op, ast.Mod):
                return (f"({{ int64_t a_ = {x}, b_ = {y}; if (b_ == 0 || b_ == -1) goto bail; "
                        f"int64_t m_ = a_ % b_; if (m_ != 0 && ((m_ < 0) != (b_ < 0))) m_ += b_; "
                        f"m_; }})"), "i"
            if isinstance(op, ast.RShift):
                return (f"({{ int64_t a_ = {x}, b_ = {y}; if (b_ < 0) goto bail; "
                        f"b_ >= 63 ? (a_ < 0 ? -1 : 0) : (a_ >> b_); }})"), "i"
            if isinstance(op, ast.LShift):
                return (f"({{ int64_t a_ = {x}, b_ = {y}, t_; if (b_ < 0 || b_ > 62 || "
                        f"__builtin_mul_overflow(a_, ((int64_t)1) << b_, &t_)) goto bail; t_; }})"
                        ), "i"
            if isinstance(op, ast.Div):
                return self.fdiv(self.as_double(a), self.as_double(b))
            raise Untranslatable(type(op).__name__)
        if "n" in (a[1], b[1]) and not (isinstance(op, ast.Div) or "f" in (a[1], b[1])):
            raise Untranslatable("int-or-float operand of an int operation")
        if a[1] not in ("i", "b", "f", "n") or b[1] not in ("i", "b", "f", "n"):
            raise Untranslatable("operand class")
        x, y = self.as_double(a), self.as_double(b)
        if isinstance(op, (ast.Add, ast.Sub, ast.Mult)):
            sym = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*"}[type(op)]
            return f"({x} {sym} {y})", "f"
        if isinstance(op, ast.Div):
            return self.fdiv(x, y)
        raise Untranslatable(f"float {type(op).__name__}")

    @staticmethod
    def fdiv(x: str, y: str) -> tuple[str, str]:
        """``x / y`` of doubles; a zero divisor bails (ZeroDivisionError in Python)."""
        return f"({{ double a_ = {x}, b_ = {y}; if (b_ == 0.0) goto bail; a_ / b_; }})", "f"

    def unary(self, op: ast.unaryop, a: tuple[str, str]) -> tuple[str, str]:
        """A Python unary operator of the generated code (``-x``, ``not x``, ``~x``): as
        ``UNARY`` but with Python's unbounded ints (a bail only past int64)."""
        code = {ast.Not: Op.UNARY_NOT, ast.USub: Op.UNARY_NEG, ast.UAdd: Op.UNARY_POS,
                ast.Invert: Op.UNARY_INVERT}[type(op)]
        return self.unary_op(code, a, int32=False)

    def unary_op(self, op: int, a: tuple[str, str], int32: bool = True) -> tuple[str, str]:
        """``ops.unary(op, a)`` of an int, float or bool (an int32 overflow, with ``int32``,
        or a TypeError bails: the Python code raises it)."""
        c, t = a
        if op == Op.UNARY_NOT:
            return f"(!{self.truth_of(a)})", "b"
        if t in ("i", "b") and op == Op.UNARY_NEG:
            if not int32:
                return f"({{ int64_t t_ = {c}; if (t_ == INT64_MIN) goto bail; -t_; }})", "i"
            return (f"({{ int64_t t_ = -(int64_t){c}; if (t_ > 2147483647LL || "
                    f"t_ < -2147483648LL) goto bail; t_; }})"), "i"
        if t in ("i", "b") and op == Op.UNARY_POS:
            return f"((int64_t){c})", "i"
        if t in ("i", "b") and op == Op.UNARY_INVERT:
            return f"(~(int64_t){c})", "i"
        if t == "f" and op == Op.UNARY_NEG:
            return f"(-{c})", "f"
        if t == "f" and op == Op.UNARY_POS:
            return c, "f"
        raise Untranslatable(f"unary {op} of {t}")

    def truth_of(self, a: tuple[str, str]) -> str:
        """CPython's truth of a translated value (a NaN is true)."""
        c, t = a
        if t == "f":
            return f"({c} != 0.0)"
        if t in ("i", "b"):
            return f"({c} != 0)"
        raise Untranslatable("truth of an int-or-float")

    def truth(self, e: ast.expr, st: dict[str, str]) -> str:
        """The truth of a test, ``and``/``or``/``not`` short-circuiting as in Python."""
        if isinstance(e, ast.BoolOp):
            op = " && " if isinstance(e.op, ast.And) else " || "
            return "(" + op.join(self.truth(v, st) for v in e.values) + ")"
        if isinstance(e, ast.UnaryOp) and isinstance(e.op, ast.Not):
            return f"(!{self.truth(e.operand, st)})"
        return self.truth_of(self.expr(e, st))

    def class_test(self, e: ast.Compare, st: dict[str, str]) -> bool | None:
        """``x.__class__ is C`` / ``is not`` / ``in NAMES`` folded by x's class, else None."""
        left = e.left
        if not (isinstance(left, ast.Attribute) and left.attr == "__class__"
                and isinstance(left.value, ast.Name) and len(e.ops) == 1):
            return None
        t = st.get(left.value.id)
        if t not in ("i", "f", "b"):
            raise Untranslatable("class of a value C does not hold")
        cls = {"i": "int", "f": "float", "b": "bool"}[t]
        op, right = e.ops[0], e.comparators[0]
        if isinstance(op, (ast.Is, ast.IsNot)) and isinstance(right, ast.Name):
            return (right.id == cls) == isinstance(op, ast.Is)
        if isinstance(op, (ast.In, ast.NotIn)) and isinstance(right, ast.Name):
            sets = {"IMMEDIATE_TYPES": {"int", "float", "bool"}, "HEAP_TYPES": set(),
                    "KEY_TYPES": {"int", "float", "bool"}, "SIZED_TYPES": set()}
            if right.id in sets:
                return (cls in sets[right.id]) == isinstance(op, ast.In)
        raise Untranslatable("class test")

    def compare(self, e: ast.Compare, st: dict[str, str]) -> tuple[str, str]:
        """A (chained) comparison of numbers, or a class test folded; a bool."""
        folded = self.class_test(e, st)
        if folded is not None:
            return ("1" if folded else "0"), "b"
        syms = {ast.Lt: "<", ast.LtE: "<=", ast.Gt: ">", ast.GtE: ">=", ast.Eq: "==",
                ast.NotEq: "!="}
        parts = []
        left = self.expr(e.left, st)
        for op, comp in zip(e.ops, e.comparators):
            if type(op) not in syms:
                raise Untranslatable(f"comparison {type(op).__name__}")
            right = self.expr(comp, st)
            if "n" in (left[1], right[1]):
                raise Untranslatable("comparison of an int-or-float")
            if left[1] == "f" or right[1] == "f":
                x, y = self.as_double(left), self.as_double(right)
            else:
                x, y = left[0], right[0]
            parts.append(f"({x} {syms[type(op)]} {y})")
            left = right
        return "(" + " && ".join(parts) + ")", "b"

    def call(self, e: ast.Call, st: dict[str, str]) -> tuple[str, str]:
        """The calls with a form: ``int`` of the counter, ``INT_F32``, ``abs`` of a float, ``UNARY``."""
        if (isinstance(e.func, ast.Name) and e.func.id == "UNARY" and len(e.args) == 2
                and isinstance(e.args[0], ast.Constant)):
            code = e.args[0].value
            if not isinstance(code, int):
                raise Untranslatable("UNARY code")
            return self.unary_op(code, self.expr(e.args[1], st))
        if not (isinstance(e.func, ast.Name) and len(e.args) == 1 and not e.keywords):
            raise Untranslatable("call")
        name, arg = e.func.id, self.expr(e.args[0], st)
        if name == "int" and arg[1] == "f":
            return (f"({{ double t_ = {arg[0]}; if (!(t_ > -9.2e18 && t_ < 9.2e18)) goto bail; "
                    f"(int64_t)t_; }})"), "i"
        if name == "int" and arg[1] in ("i", "b"):
            return f"((int64_t){arg[0]})", "i"
        if name == "INT_F32" and arg[1] in ("i", "b"):
            return f"((double)(float){self.as_double(arg)})", "f"
        if name == "abs" and arg[1] == "f":
            return f"__builtin_fabs({arg[0]})", "f"
        raise Untranslatable(f"call of {name}")

    def fold(self, e: ast.expr, st: dict[str, str]) -> bool | None:
        """A test known from the classes alone (``x.__class__ is int and ...``), else None."""
        if isinstance(e, ast.Compare):
            return self.class_test(e, st)
        if isinstance(e, ast.BoolOp):
            vals = [self.fold(v, st) for v in e.values]
            if isinstance(e.op, ast.And) and False in vals:
                return False
            if isinstance(e.op, ast.Or) and True in vals:
                return True
            if all(v is not None for v in vals):
                return all(vals) if isinstance(e.op, ast.And) else any(vals)
        return None
