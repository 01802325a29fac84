"""A static check: SQL is built only from literal fragments; values travel as bound parameters.

Every SQL sink in ``storage/``, ``alerts/`` and ``flows/`` (migrations included) is read from
the syntax tree: ``text(...)`` (SQLAlchemy's), ``.execute(...)``, ``.exec_driver_sql(...)``,
``.executemany(...)`` and ``.executescript(...)`` called with a string. The string may be
assembled (f-strings, ``+``, ``%``, ``.format``, ``" AND ".join(...)``), but only from *static*
parts: string literals, module constants made of literals, local names every one of whose
assignments (``=``, ``+=``, ``.append``, ``.extend``, ``for`` over a literal) is static, and
parameters that every caller in the module passes static. Anything else (a value read at run
time, a function argument from elsewhere) is reported with its file and line.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("storage", "alerts", "flows")
SINK_METHODS = frozenset({"execute", "exec_driver_sql", "executemany", "executescript"})
PARAM = object()  # marks a binding that is a function parameter


@dataclass
class Scope:
    """The bindings of one function (or of the module): name → the expressions bound to it."""

    node: ast.AST
    bindings: dict[str, list[object]] = field(default_factory=dict)
    params: list[str] = field(default_factory=list)

    def bind(self, name: str, value: object) -> None:
        self.bindings.setdefault(name, []).append(value)


def _bind_target(scope: Scope, target: ast.expr, value: object) -> None:
    if isinstance(target, ast.Name):
        scope.bind(target.id, value)
    elif isinstance(target, ast.Tuple | ast.List):
        for element in target.elts:  # unpacking: each name gets the whole (static or not) value
            _bind_target(scope, element, value)


def _collect(scope: Scope, body: list[ast.stmt]) -> None:
    for node in body:
        for inner in ast.walk(node):
            if inner is not node and isinstance(
                inner, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda
            ):
                continue
            if isinstance(inner, ast.Assign):
                for target in inner.targets:
                    _bind_target(scope, target, inner.value)
            elif isinstance(inner, ast.AnnAssign | ast.AugAssign) and inner.value is not None:
                _bind_target(scope, inner.target, inner.value)
            elif isinstance(inner, ast.For | ast.comprehension):
                _bind_target(scope, inner.target, inner.iter)
            elif (
                isinstance(inner, ast.Call)
                and isinstance(inner.func, ast.Attribute)
                and inner.func.attr in ("append", "extend", "insert")
                and isinstance(inner.func.value, ast.Name)
                and inner.args
            ):
                scope.bind(inner.func.value.id, inner.args[-1])


@dataclass
class Module:
    path: Path
    tree: ast.Module
    module_scope: Scope
    scopes: dict[ast.AST, Scope]
    parents: dict[ast.AST, ast.AST]
    sqlalchemy_text: bool

    @classmethod
    def read(cls, path: Path) -> Module:
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        module_scope = Scope(tree)
        _collect(module_scope, [n for n in tree.body if not isinstance(n, ast.FunctionDef)])
        scopes: dict[ast.AST, Scope] = {}
        parents: dict[ast.AST, ast.AST] = {}
        for node in ast.walk(tree):
            for child in ast.iter_child_nodes(node):
                parents[child] = node
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                scope = Scope(node)
                args = node.args
                for arg in [*args.posonlyargs, *args.args, *args.kwonlyargs]:
                    scope.params.append(arg.arg)
                    scope.bind(arg.arg, PARAM)
                _collect(scope, node.body)
                scopes[node] = scope
        sqlalchemy_text = any(
            isinstance(n, ast.ImportFrom)
            and (n.module or "").startswith("sqlalchemy")
            and any(a.name == "text" and a.asname is None for a in n.names)
            for n in ast.walk(tree)
        )
        return cls(path, tree, module_scope, scopes, parents, sqlalchemy_text)

    def scope_of(self, node: ast.AST) -> Scope:
        current: ast.AST | None = node
        while current is not None:
            if current in self.scopes:
                return self.scopes[current]
            current = self.parents.get(current)
        return self.module_scope

    def enclosing_scopes(self, node: ast.AST) -> list[Scope]:
        found = []
        current: ast.AST | None = node
        while current is not None:
            if current in self.scopes:
                found.append(self.scopes[current])
            current = self.parents.get(current)
        return [*found, self.module_scope]


class Checker:
    def __init__(self, module: Module) -> None:
        self.module = module
        self._visiting: set[tuple[int, str]] = set()

    def is_static(self, node: ast.expr, where: ast.AST) -> bool:
        if isinstance(node, ast.Constant):
            return True
        if isinstance(node, ast.JoinedStr):
            return all(
                self.is_static(v.value, where)
                for v in node.values
                if isinstance(v, ast.FormattedValue)
            )
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add | ast.Mod | ast.Mult):
            return self.is_static(node.left, where) and self.is_static(node.right, where)
        if isinstance(node, ast.Tuple | ast.List | ast.Set):
            return all(self.is_static(e, where) for e in node.elts)
        if isinstance(node, ast.Dict):
            return all(
                self.is_static(x, where) for x in [*node.values, *node.keys] if x is not None
            )
        if isinstance(node, ast.IfExp):
            return self.is_static(node.body, where) and self.is_static(node.orelse, where)
        if isinstance(node, ast.Subscript):
            return self.is_static(node.value, where) and self.is_static(node.slice, where)
        if isinstance(node, ast.Starred):
            return self.is_static(node.value, where)
        if isinstance(node, ast.GeneratorExp | ast.ListComp):
            return self.is_static(node.elt, where) and all(
                self.is_static(g.iter, where) for g in node.generators
            )
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            if node.func.attr in ("format", "join", "strip", "lower", "upper", "replace"):
                return self.is_static(node.func.value, where) and all(
                    self.is_static(a, where)
                    for a in [*node.args, *(k.value for k in node.keywords)]
                )
            return False
        if isinstance(node, ast.Name):
            return self.name_is_static(node.id, where)
        return False

    def name_is_static(self, name: str, where: ast.AST) -> bool:
        for scope in self.module.enclosing_scopes(where):
            values = scope.bindings.get(name)
            if values is None:
                continue
            key = (id(scope.node), name)
            if key in self._visiting:
                return True  # a name built from itself (sql += ...): judged by its other parts
            self._visiting.add(key)
            try:
                for value in values:
                    if value is PARAM:
                        if not self.callers_pass_static(scope, name):
                            return False
                    elif not self.is_static(value, scope.node):  # type: ignore[arg-type]
                        return False
                return True
            finally:
                self._visiting.discard(key)
        return name in ("True", "False", "None")

    def callers_pass_static(self, scope: Scope, param: str) -> bool:
        func = scope.node
        assert isinstance(func, ast.FunctionDef | ast.AsyncFunctionDef)
        position = scope.params.index(param)
        offset = 1 if scope.params and scope.params[0] in ("self", "cls") else 0
        calls = [
            n
            for n in ast.walk(self.module.tree)
            if isinstance(n, ast.Call)
            and (
                (isinstance(n.func, ast.Name) and n.func.id == func.name)
                or (isinstance(n.func, ast.Attribute) and n.func.attr == func.name)
            )
        ]
        if not calls:
            return False  # called from elsewhere: not provable here
        for call in calls:
            keyword = next((k.value for k in call.keywords if k.arg == param), None)
            index = position - offset
            arg = (
                keyword
                if keyword is not None
                else (call.args[index] if 0 <= index < len(call.args) else None)
            )
            if arg is None or not self.is_static(arg, call):
                return False
        return True

    def is_string_expression(self, node: ast.expr, where: ast.AST) -> bool:
        """Whether a sink's argument is SQL text (not a statement object built by SQLAlchemy)."""
        if isinstance(node, ast.Constant):
            return isinstance(node.value, str)
        if isinstance(node, ast.JoinedStr | ast.BinOp):
            return True
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            return node.func.attr in ("format", "join")
        if isinstance(node, ast.Name):
            for scope in self.module.enclosing_scopes(where):
                values = scope.bindings.get(node.id)
                if values is not None:
                    return any(
                        v is PARAM or self.is_string_expression(v, scope.node)  # type: ignore[arg-type]
                        for v in values
                        if not isinstance(v, ast.Name) or v.id != node.id
                    )
        return False

    def problems(self) -> Iterator[str]:
        for node in ast.walk(self.module.tree):
            if not isinstance(node, ast.Call) or not node.args:
                continue
            func = node.func
            is_text = (
                self.module.sqlalchemy_text and isinstance(func, ast.Name) and func.id == "text"
            )
            is_method = isinstance(func, ast.Attribute) and func.attr in SINK_METHODS
            if not (is_text or is_method):
                continue
            sql = node.args[0]
            if is_method and not self.is_string_expression(sql, node):
                continue
            if not self.is_static(sql, node):
                where = self.module.path
                if where.is_relative_to(ROOT):
                    where = where.relative_to(ROOT)
                yield f"{where}:{node.lineno}: SQL built from a value: {ast.unparse(sql)[:120]}"


def sources() -> list[Path]:
    return sorted(p for package in PACKAGES for p in (ROOT / package).rglob("*.py"))


def sql_problems(path: Path) -> list[str]:
    return list(Checker(Module.read(path)).problems())


def test_no_sql_is_built_from_values() -> None:
    problems = [p for path in sources() for p in sql_problems(path)]
    assert not problems, "\n".join(problems)


UNSAFE = """
from sqlalchemy import text

def by_fstring(session, name):
    return session.execute(text(f"SELECT * FROM feeds WHERE name = '{name}'"))

def by_percent(conn, feed_id):
    conn.exec_driver_sql("DELETE FROM articles WHERE feed_id = %s" % feed_id)

def by_format(session, title):
    sql = "SELECT id FROM articles WHERE title = '{}'".format(title)
    return session.execute(text(sql))

def by_concatenation(conn, url):
    query = "SELECT 1 FROM feeds WHERE url = '"
    query += url + "'"
    conn.execute(query)

def helper(session, sql):
    return session.execute(text(sql))

def caller(session, user_input):
    helper(session, "SELECT 1")
    helper(session, user_input)
"""

SAFE = """
from sqlalchemy import select, text
COLUMNS = "id, name"
TABLE = "feeds"

def composed(session, since, languages):
    clauses = []
    params = {}
    if since is not None:
        clauses.append("first_seen_at >= :since")
        params["since"] = since
    sql = f"SELECT {COLUMNS} FROM {TABLE}"
    if clauses:
        sql += " WHERE " + " AND ".join(clauses)
    return session.execute(text(sql), params)

def statement(session, feed_id):
    stmt = select(TABLE).where(TABLE == feed_id)
    return session.execute(stmt)

def counts(session, sql):
    return session.execute(text(sql))

def stats(session):
    counts(session, "SELECT language, count(*) FROM articles GROUP BY language")

def loop(op):
    for column, expression in (("status", "d.status"), ("attempts", "d.attempts")):
        op.execute(f"UPDATE alerts SET {column} = (SELECT {expression} FROM deliveries d)")
"""


@pytest.mark.parametrize(
    ("source", "expected"),
    [(UNSAFE, ["5", "8", "12", "17", "20"]), (SAFE, [])],
    ids=["unsafe", "safe"],
)
def test_the_check_finds_what_it_claims(source: str, expected: list[str], tmp_path: Path) -> None:
    path = tmp_path / "sample.py"
    path.write_text(source, encoding="utf-8")
    lines = sorted((p.split(":")[1] for p in Checker(Module.read(path)).problems()), key=int)
    assert lines == expected
