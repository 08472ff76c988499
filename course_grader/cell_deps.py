"""Which demo cells a graded run needs: a static analysis of the names each code cell binds
and uses.

Under ``nbgrader autograde`` only the graded cells decide the score. The instructor's ungraded
cells in between (a printed example, a plot, a training run, a Keras comparison) cost seconds
per submission and prove nothing. :func:`needed_cells` keeps every cell that must run and, of
the optional ones (demo cells whose source is the instructor's), only those that bind or may
change a name that a later running cell uses. When the analysis cannot be sure, the cell runs:

* a cell that does not parse as Python (IPython magics, shell escapes), or that reaches names
  dynamically (``from m import *``, ``globals()``, ``exec``, ``get_ipython()``, ...) is
  *opaque* and always runs;
* a name passed to a call, the object of a method call and the object of an attribute or item
  assignment count as changed (``rng.normal()`` advances ``rng``; ``fit(model)`` trains it),
  except names that only ever hold modules, functions or classes; a module counts as changed
  when the call reaches global state (``np.random.seed``, ``tf.random.set_seed``, ...);
* calling a function whose body declares ``global x`` binds ``x``;
* names used anywhere in a cell count, function bodies included (a function reads its globals
  when it is called, later).

Typical use::

    run = needed_cells([cell.source for cell in code_cells], [not is_demo(c) for c in code_cells])
    # run[i] is False for a demo cell whose names no later running cell uses
"""

from __future__ import annotations

import ast
import builtins
from collections.abc import Sequence
from typing import NamedTuple

__all__ = ["CellNames", "cell_names", "needed_cells"]

#: Names through which code reaches the namespace dynamically: a cell using one always runs.
DYNAMIC_NAMES = frozenset({
    "globals", "locals", "vars", "exec", "eval", "compile", "get_ipython", "__import__",
    "__builtins__", "setattr", "delattr", "importlib", "sys",
})

#: Attribute names whose call on a module reaches global state (random generators, seeds,
#: error and print settings): the module then counts as changed.
GLOBAL_STATE_ATTRS = frozenset({"random", "seterr", "set_printoptions", "rcParams", "rc"})

#: Constructors of independent generators: calling them changes no global state.
PURE_RANDOM_CALLS = frozenset({"default_rng", "Generator", "PCG64", "SeedSequence"})


class CellNames(NamedTuple):
    """What one code cell does with names.

    Attributes
    ----------
    binds : frozenset of str
        Names the cell assigns, defines, imports or deletes at the top level.
    uses : frozenset of str
        Names the cell reads anywhere, function and class bodies included.
    changes : frozenset of str
        Names whose object the cell may change in place: passed to a call, called a method
        of, or assigned an attribute or item of.
    state_changes : frozenset of str
        Names of modules whose global state the cell's calls reach (``np.random.seed``).
    statics : frozenset of str
        Names bound here only by ``import``, ``def`` or ``class``.
    globals_of : dict
        Function name -> the names its body declares ``global``.
    opaque : bool
        True when the cell cannot be analysed: it always runs, and when it runs every
        cell before it runs too (it may use any name).
    """

    binds: frozenset
    uses: frozenset
    changes: frozenset
    state_changes: frozenset
    statics: frozenset
    globals_of: dict
    opaque: bool


_OPAQUE = CellNames(frozenset(), frozenset(), frozenset(), frozenset(), frozenset(), {}, True)
_BUILTINS = frozenset(dir(builtins))


def _base_name(node: ast.AST) -> str | None:
    """``a`` for ``a``, ``a.b.c``, ``a[0].b`` and ``a.b(...)``'s callee; otherwise None."""
    while isinstance(node, ast.Attribute | ast.Subscript | ast.Starred):
        node = node.value
    return node.id if isinstance(node, ast.Name) else None


def _attr_chain(node: ast.AST) -> list[str]:
    """``["random", "seed"]`` for ``np.random.seed``."""
    chain = []
    while isinstance(node, ast.Attribute):
        chain.append(node.attr)
        node = node.value
    return chain[::-1]


def _globals_get(node: ast.Call) -> str | None:
    """``"ema"`` for the call ``globals().get("ema")`` (or with a default); else None."""
    func = node.func
    if (isinstance(func, ast.Attribute) and func.attr == "get"
            and isinstance(func.value, ast.Call) and isinstance(func.value.func, ast.Name)
            and func.value.func.id == "globals" and not func.value.args
            and node.args and isinstance(node.args[0], ast.Constant)
            and isinstance(node.args[0].value, str) and not node.keywords):
        return node.args[0].value
    return None


class _Visitor(ast.NodeVisitor):
    def __init__(self):
        self.binds: set[str] = set()
        self.uses: set[str] = set()
        self.changes: set[str] = set()
        self.module_changes: set[str] = set()
        self.assigned: set[str] = set()  # bound by anything but import/def/class
        self.statics: set[str] = set()
        self.globals_of: dict[str, set[str]] = {}
        self.opaque = False
        self._depth = 0  # > 0 inside a function, lambda or class body
        self._function: list[str] = []

    # -- binding ----------------------------------------------------------------------------

    def _bind(self, name: str, *, static: bool = False) -> None:
        if self._depth:
            return
        self.binds.add(name)
        (self.statics if static else self.assigned).add(name)

    def visit_Name(self, node: ast.Name) -> None:
        if node.id in DYNAMIC_NAMES:
            self.opaque = True
        if isinstance(node.ctx, ast.Load):
            self.uses.add(node.id)
        else:
            self._bind(node.id)

    def visit_Import(self, node: ast.Import) -> None:
        for alias in node.names:
            self._bind(alias.asname or alias.name.split(".")[0], static=True)

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        for alias in node.names:
            if alias.name == "*":
                self.opaque = True
            else:
                self._bind(alias.asname or alias.name, static=True)

    def _scope(self, node, name: str | None) -> None:
        if name is not None:
            self._bind(name, static=True)
        self._depth += 1
        self._function.append(name or "")
        self.generic_visit(node)
        self._function.pop()
        self._depth -= 1

    def visit_FunctionDef(self, node) -> None:
        self._scope(node, node.name)

    visit_AsyncFunctionDef = visit_FunctionDef

    def visit_ClassDef(self, node: ast.ClassDef) -> None:
        self._scope(node, node.name)

    def visit_Lambda(self, node: ast.Lambda) -> None:
        self._scope(node, None)

    def visit_Global(self, node: ast.Global) -> None:
        if self._function and self._function[-1]:
            self.globals_of.setdefault(self._function[-1], set()).update(node.names)
        for name in node.names:  # a global statement at the top level changes nothing
            self.uses.add(name)

    visit_Nonlocal = visit_Global

    def visit_NamedExpr(self, node: ast.NamedExpr) -> None:
        depth, self._depth = self._depth, 0  # := binds in the enclosing scope
        self._bind(node.target.id)
        self._depth = depth
        self.visit(node.value)

    def visit_ExceptHandler(self, node: ast.ExceptHandler) -> None:
        if node.name:
            self._bind(node.name)
        self.generic_visit(node)

    def visit_MatchAs(self, node) -> None:
        if node.name:
            self._bind(node.name)
        self.generic_visit(node)

    def visit_MatchStar(self, node) -> None:
        if node.name:
            self._bind(node.name)

    def visit_MatchMapping(self, node) -> None:
        if node.rest:
            self._bind(node.rest)
        self.generic_visit(node)

    # -- changing in place ------------------------------------------------------------------

    def _target(self, target: ast.AST) -> None:
        if isinstance(target, ast.Attribute | ast.Subscript):
            name = _base_name(target)
            if name is not None and not self._depth:
                self.changes.add(name)
        elif isinstance(target, ast.Tuple | ast.List):
            for elt in target.elts:
                self._target(elt)
        elif isinstance(target, ast.Starred):
            self._target(target.value)

    def visit_Assign(self, node: ast.Assign) -> None:
        for target in node.targets:
            self._target(target)
        self.generic_visit(node)

    def visit_AugAssign(self, node: ast.AugAssign) -> None:
        self._target(node.target)
        if isinstance(node.target, ast.Name):
            self.uses.add(node.target.id)
        self.generic_visit(node)

    def visit_AnnAssign(self, node: ast.AnnAssign) -> None:
        self._target(node.target)
        self.generic_visit(node)

    def visit_Delete(self, node: ast.Delete) -> None:
        for target in node.targets:
            self._target(target)
        self.generic_visit(node)

    def visit_Call(self, node: ast.Call) -> None:
        looked_up = _globals_get(node)
        if looked_up is not None:  # globals().get("ema"): reads one known name
            self.uses.add(looked_up)
            for arg in node.args[1:]:
                self.visit(arg)
            return
        if not self._depth:
            func = node.func
            if isinstance(func, ast.Attribute):
                name = _base_name(func)
                chain = _attr_chain(func)
                if name is not None:
                    self.changes.add(name)
                    if chain[-1] not in PURE_RANDOM_CALLS and (
                            GLOBAL_STATE_ATTRS.intersection(chain)
                            or chain[-1].startswith(("seed", "set_"))):
                        self.module_changes.add(name)
            args = list(node.args) + [kw.value for kw in node.keywords]
            for arg in args:
                name = _base_name(arg)
                if name is not None:
                    self.changes.add(name)
        self.generic_visit(node)


def cell_names(source: str) -> CellNames:
    """What the code cell ``source`` binds, uses and may change (see :class:`CellNames`).

    >>> sorted(cell_names("w = ema_weights(3, beta=0.9)\\nprint(w.sum())").binds)
    ['w']
    """
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError):
        return _OPAQUE
    visitor = _Visitor()
    visitor.visit(tree)
    if visitor.opaque:
        return _OPAQUE
    return CellNames(binds=frozenset(visitor.binds),
                     uses=frozenset(visitor.uses - _BUILTINS),
                     changes=frozenset(visitor.changes),
                     state_changes=frozenset(visitor.module_changes),
                     statics=frozenset(visitor.statics - visitor.assigned),
                     globals_of={k: frozenset(v) for k, v in visitor.globals_of.items()},
                     opaque=False)


def needed_cells(sources: Sequence[str], required: Sequence[bool]) -> list[bool]:
    """Which code cells run: every required one, and each optional one that a later running
    cell needs.

    Parameters
    ----------
    sources : sequence of str
        The code cells' sources, in notebook order.
    required : sequence of bool
        True for a cell that must run (setup, answer and test cells, cells the student added);
        False for a cell that may be skipped (an instructor's demo cell).

    Returns
    -------
    list of bool
        ``run[i]`` is True when cell ``i`` runs. An optional cell runs when it binds or may
        change a name that a later running cell uses, or when it cannot be analysed.

    Notes
    -----
    A name that the whole notebook binds only by ``import``, ``def`` or ``class`` counts as
    changed only by a call that reaches global state (``np.random.seed``); other calls on it
    (``np.mean``, ``plotting.plot_losses``) change nothing.

    >>> needed_cells(["x = 1", "y = 2", "print(y)"], [True, False, True])
    [True, True, True]
    >>> needed_cells(["x = 1", "y = 2", "print(x)"], [True, False, True])
    [True, False, True]
    """
    if len(sources) != len(required):
        raise ValueError(f"`sources` and `required` must have the same length. Received: "
                         f"len(sources)={len(sources)}, len(required)={len(required)}.")
    infos = [cell_names(s) for s in sources]
    # Names that only ever hold a module, function or class: calls on them change nothing.
    statics = set().union(*(i.statics for i in infos))
    statics -= set().union(*(i.binds - i.statics for i in infos))
    globals_of: dict[str, set[str]] = {}
    for info in infos:
        for fn, names in info.globals_of.items():
            globals_of.setdefault(fn, set()).update(names)
    run = [True] * len(sources)
    used: set[str] = set()
    uses_all = False  # a running cell that cannot be analysed may use any name
    for i in range(len(sources) - 1, -1, -1):
        info = infos[i]
        if not required[i] and not info.opaque and not uses_all:
            effects = set(info.binds) | (info.changes - statics) | info.state_changes
            for fn in info.uses & globals_of.keys():
                effects |= globals_of[fn]
            run[i] = bool(effects & used)
        if run[i]:
            used |= info.uses
            uses_all = uses_all or info.opaque
    return run
