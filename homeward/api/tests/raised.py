"""Which error codes a function can raise, read from the source of everything it calls.

Starting from an API handler, this follows every call it can name (a module's function, a
class's method through ``self``, a provider's method whatever the provider) into our own
code, and collects each ``DomainError`` made on the way with its code and its status. It
over-approximates (a branch that a route never takes still counts), which is the safe side
for a spec that must list what a client can meet.

A code that is not written in the source (``DomainError(code, ...)`` with a variable) is
returned as ``None`` with where it is, unless ``DYNAMIC_CODES`` says which codes that class
can carry, taken from the code that defines them. A function that picks its refusal by a
rule of its own (the photo upload counter) is named in ``RAISES_BY_RULE`` with its codes.
"""

from __future__ import annotations

import ast
import inspect
import textwrap
import typing
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import cache
from typing import Any

from homeward.core.errors import DomainError
from homeward.core.hooks import Hook
from homeward.ledger import providers
from homeward.people import throttle

OURS = "homeward."
NOT_OURS = ("homeward.api.tests.",)


@dataclass(frozen=True)
class Raised:
    code: str | None  # None: not written in the source; see ``where``
    status: int
    where: str  # module.function:line


def _throttle_codes() -> set[str]:
    return {rule.code for rule in vars(throttle).values() if isinstance(rule, throttle.Rule)}


# Errors whose code is chosen at run time, with every code they can carry.
DYNAMIC_CODES: dict[type[DomainError], Callable[[], set[str]]] = {
    throttle.Refused: _throttle_codes,
}


def _provider_methods(name: str) -> list[Callable[..., Any]]:
    return [
        getattr(type(providers.get(provider)), name)
        for provider in providers.NAMES
        if hasattr(type(providers.get(provider)), name)
    ]


# Functions that choose the code of what they raise by their own rule, not by the caller's:
# calling one raises these codes (with their statuses), and the walk goes no further in.
def _photo_upload_codes() -> set[tuple[str, int]]:
    return {(throttle.photo_uploads_rule(1).code, throttle.Refused.status)}


RAISES_BY_RULE: dict[Callable[..., Any], Callable[[], set[tuple[str, int]]]] = {
    throttle.count_photo_upload: _photo_upload_codes,
}


# Methods called on an object known only at run time: every implementation counts.
DYNAMIC_METHODS: dict[str, Callable[[], list[Callable[..., Any]]]] = {
    "begin": lambda: _provider_methods("begin"),
    "parse_webhook": lambda: _provider_methods("parse_webhook"),
    "refund": lambda: _provider_methods("refund"),
}

_MISSING = object()
_UNKNOWN = object()  # an argument whose value is not a constant


def _ours(obj: Any) -> bool:
    module = getattr(obj, "__module__", "") or ""
    return module.startswith(OURS) and not module.startswith(NOT_OURS)


@cache
def _tree(func: Callable[..., Any]) -> ast.AST | None:
    try:
        return ast.parse(textwrap.dedent(inspect.getsource(func)))
    except (OSError, TypeError, SyntaxError):
        return None


@cache
def _hints(func: Callable[..., Any]) -> dict[str, Any]:
    try:
        return typing.get_type_hints(func)
    except Exception:  # a hint only the type checker can read  # noqa: BLE001
        return {}


def _instance_of(hint: Any) -> Any:
    """The class of a value with this type hint, where it is one plain class."""
    return hint if inspect.isclass(hint) else _MISSING


@cache
def _local_types(func: Callable[..., Any], owner: type | None) -> dict[str, Any]:
    """The classes of a function's parameters (by their hints) and of the names it assigns
    from a call whose result has a plain class (``started = payments.start(...)``)."""
    known = {name: _instance_of(hint) for name, hint in _hints(func).items() if name != "return"}
    tree = _tree(func)
    for node in ast.walk(tree) if tree else ():
        if (
            isinstance(node, ast.Assign)
            and len(node.targets) == 1
            and isinstance(node.targets[0], ast.Name)
            and isinstance(node.value, ast.Call)
        ):
            sofar = {name: cls for name, cls in known.items() if cls is not _MISSING}
            known.setdefault(node.targets[0].id, _result_of(node.value, func, owner, sofar))
    return {name: cls for name, cls in known.items() if cls is not _MISSING}


def _result_of(
    call: ast.Call, func: Callable[..., Any], owner: type | None, local: dict[str, Any]
) -> Any:
    """The class of what a call returns: an instance of the class called, or the plain
    class a function of ours says it returns."""
    target = _resolve(call.func, func, owner, local)
    if isinstance(target, (staticmethod, classmethod)):
        target = target.__func__
    if inspect.isclass(target):
        return target
    if inspect.isfunction(target) and _ours(target):
        return _instance_of(_hints(target).get("return"))
    return _MISSING


def _resolve(
    node: ast.expr,
    func: Callable[..., Any],
    owner: type | None,
    local: dict[str, Any] | None = None,
) -> Any:
    """What an expression names, where it names one thing: a module's function, a class or
    its method; a local name by its class."""
    if local is None:
        local = _local_types(func, owner)
    if isinstance(node, ast.Name):
        if node.id in ("self", "cls") and owner is not None:
            return owner
        if node.id in local:
            return local[node.id]
        if node.id in func.__globals__:
            return func.__globals__[node.id]
        return _MISSING
    if isinstance(node, ast.Call):
        return _result_of(node, func, owner, local)
    if isinstance(node, ast.Attribute):
        base = _resolve(node.value, func, owner, local)
        if base is _MISSING:
            return _MISSING
        try:
            return inspect.getattr_static(base, node.attr)
        except AttributeError:
            return _MISSING
    return _MISSING


def _value(node: ast.expr) -> Any:
    return node.value if isinstance(node, ast.Constant) else _UNKNOWN


def _code(cls: type[DomainError], args: list[Any], kwargs: dict[str, Any]) -> Any:
    """The code a ``cls(*args, **kwargs)`` carries: a string, or _UNKNOWN."""
    init = cls.__init__
    signature = inspect.signature(init)
    try:
        bound = signature.bind(None, *args, **kwargs)
    except TypeError:
        return _UNKNOWN
    bound.apply_defaults()
    if "code" in signature.parameters:
        return bound.arguments["code"]
    # The class fixes its code in its own __init__: follow its super().__init__(...) call.
    tree = _tree(init)
    parent = next(base for base in cls.__mro__[1:] if "__init__" in vars(base))
    for node in ast.walk(tree) if tree else ():
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == "__init__"
            and isinstance(node.func.value, ast.Call)
            and isinstance(node.func.value.func, ast.Name)
            and node.func.value.func.id == "super"
        ):
            inner = [_value(arg) for arg in node.args]
            named = {kw.arg: _value(kw.value) for kw in node.keywords if kw.arg}
            return _code(parent, inner, named)
    return _UNKNOWN


def _made(cls: type[DomainError], call: ast.Call | None, where: str) -> Iterator[Raised]:
    args = [_value(arg) for arg in call.args] if call else []
    kwargs = {kw.arg: _value(kw.value) for kw in call.keywords if kw.arg} if call else {}
    if call and (any(isinstance(a, ast.Starred) for a in call.args) or None in kwargs):
        code: Any = _UNKNOWN
    else:
        code = _code(cls, args, kwargs)
    status = kwargs.get("status", cls.status)
    status = cls.status if status is _UNKNOWN or status is None else status
    if isinstance(code, str):
        yield Raised(code, status, where)
    elif cls in DYNAMIC_CODES:
        for known in sorted(DYNAMIC_CODES[cls]()):
            yield Raised(known, status, where)
    else:
        yield Raised(None, status, where)


def _callees(target: Any) -> Iterator[tuple[Callable[..., Any], type | None]]:
    """The functions of ours that calling ``target`` runs, with the class they belong to."""
    if isinstance(target, (staticmethod, classmethod)):
        target = target.__func__
    if inspect.isfunction(target) and _ours(target):
        yield inspect.unwrap(target), None
    elif inspect.isclass(target) and _ours(target) and "__init__" in vars(target):
        yield vars(target)["__init__"], target
    elif isinstance(target, Hook):  # calling a hook runs every receiver registered on it
        for receiver in target.receivers:
            yield from _callees(receiver)


def raised_by(func: Callable[..., Any]) -> set[Raised]:
    """Every DomainError that calling ``func`` can raise, by its code and status."""
    found: set[Raised] = set()
    _walk(inspect.unwrap(func), None, found, set())
    return found


def _walk(
    func: Callable[..., Any],
    owner: type | None,
    found: set[Raised],
    seen: set[tuple[Callable[..., Any], type | None]],
) -> None:
    if (func, owner) in seen:
        return
    seen.add((func, owner))
    if func in RAISES_BY_RULE:
        where = f"{func.__module__}.{func.__qualname__}"
        found.update(Raised(code, status, where) for code, status in RAISES_BY_RULE[func]())
        return
    tree = _tree(func)
    if tree is None:
        return
    name = f"{func.__module__}.{func.__qualname__}"
    first = func.__code__.co_firstlineno
    for node in ast.walk(tree):
        if isinstance(node, ast.Raise) and isinstance(node.exc, (ast.Name, ast.Attribute)):
            exc = _resolve(node.exc, func, owner)  # ``raise NotFound`` with no call
            if inspect.isclass(exc) and issubclass(exc, DomainError):
                found.update(_made(exc, None, f"{name}:{first + node.lineno - 1}"))
        if not isinstance(node, ast.Call):
            continue
        target = _resolve(node.func, func, owner)
        if inspect.isclass(target) and issubclass(target, DomainError):
            found.update(_made(target, node, f"{name}:{first + node.lineno - 1}"))
            continue
        unknown = target is _MISSING or _declared_only(target)
        if unknown and isinstance(node.func, ast.Attribute):
            for method in DYNAMIC_METHODS.get(node.func.attr, list)():
                _walk(inspect.unwrap(method), _owner_of(method), found, seen)
            continue
        if inspect.isclass(owner) and isinstance(target, (staticmethod, classmethod)):
            target = target.__func__
        for callee, callee_owner in _callees(target):
            _walk(callee, callee_owner or _owner_of(callee), found, seen)


def _declared_only(target: Any) -> bool:
    """A method of a Protocol: which implementation runs is known only at run time."""
    owner = _owner_of(target) if inspect.isfunction(target) else None
    return bool(owner is not None and getattr(owner, "_is_protocol", False))


def _owner_of(func: Callable[..., Any]) -> type | None:
    """The class a method was defined in (so ``self.x`` inside it can be followed)."""
    parts = func.__qualname__.split(".")
    if len(parts) < 2 or "<locals>" in parts:
        return None
    obj: Any = inspect.getmodule(func)
    for part in parts[:-1]:
        obj = getattr(obj, part, None)
    return obj if inspect.isclass(obj) else None
