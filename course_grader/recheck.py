"""The trusted re-check: every graded test runs a second time, outside the student's kernel.

Why
---
nbgrader runs the test cells in the same kernel as the student's code. Whatever runs in that
kernel can be changed by the student: an input transformer can rewrite a test cell into
``pass``, a patched ``showtraceback`` can hide a failure, ``assert_close`` or ``np.allclose``
can be replaced. The sandbox keeps such code away from the grader's files, but not from the
tests that share its kernel. So every test cell that passed in the notebook is run again:

* **In the grader's own process** (trusted): the test cell's source, as restored from the
  gradebook, with the notebook's setup cell, the course's reference implementations and the
  course's ``assert_close``. None of it can be touched by student code.
* **Student functions are proxies.** A name the answer cells define (``binary_crossentropy``,
  ``adam_update``, ...) is bound to a proxy. Calling it sends the arguments as plain data to a
  **second, fresh sandboxed kernel** in which only the setup cell's statements and the
  student's answer cells (plus the functions and imports of cells the student added) ran;
  the student's function runs there and only plain data comes back: numbers and ``.npy``
  bytes read with ``numpy.load(allow_pickle=False)``. Objects of any other type come back as
  :class:`StudentValue`, which no check accepts. Arrays the function changes in place are
  changed in place here too, and a returned argument (or a view of one) comes back as that
  argument, so the tests that check purity see what they would have seen in the notebook.
  Warnings raised by the student's code are raised again here, under the test's own filters.
* **Keras values are rebuilt here from plain data.** A ``keras.Model`` a student's function
  returns crosses as its JSON config and its weights (``.npy``); it is rebuilt here by Keras's
  own deserializer in safe mode, with no custom objects (no ``Lambda``, no student class: a
  subclassed model whose ``call`` could lie about its outputs cannot be rebuilt and arrives
  as a :class:`StudentValue`), and every check then runs on a trusted Keras model. Tensors
  come back as arrays. TensorFlow is imported here only when such a value arrives.
* **Other objects stay there.** A callback, a loss or a layer the student's code returns is
  a :class:`StudentObject`: a handle whose attribute reads, writes and calls go to the
  re-check kernel with plain-data arguments and results. Arguments are copies (a callback
  that edits the test's ``logs`` changes nothing here). A handle is a :class:`StudentValue`
  too, so no check accepts it as a number or an array.
* **Questions' answers are values.** A variable an answer cell assigns (``answer_best_degree
  = ...``) is fetched once from that kernel, as plain data, and bound in the trusted namespace
  before the tests run; anything that is not plain data arrives as a :class:`StudentValue`.
* **The course's reference implementations are not in that kernel.** The re-check kernel sees
  a reduced ``course_utils`` without ``losses``, ``ema``, ``optimizers``, ``batchnorm`` (only
  its ``BatchNormCache``), ``metrics``, ``landscapes``, ``plotting`` and ``grading`` (it keeps
  ``language`` and the message catalogues in ``ru/``: text only). Code that
  delegates to them fails there; the integrity report names it as well.

A cell keeps its points only if both runs pass: a failed re-check adds an error output to the
test cell, and nbgrader scores the cell 0. The re-check is never stricter than the notebook's
own test (it is the same test on the same kind of inputs), so honest work loses nothing; and
a trick inside the student's kernel earns nothing, because the check that decides runs where
the trick cannot reach. What stays possible is to compute the right values for real, which is
what the exercise asks for.

A test that rebinds an answer name to a reference function while it runs (the
``ema_bias_corrected`` test binds ``ema`` to the reference so that it grades only the
correction; the ``minibatch_epoch`` test does the same with ``sgd_update``) gets a
self-contained stand-in bound in the re-check kernel for that time
(:data:`STANDINS`).
"""

from __future__ import annotations

import ast
import base64
import builtins
import contextlib
import io
import json
import math
import os
import queue
import re
import shutil
import socket
import tempfile
import threading
import time
import warnings
from pathlib import Path
from typing import Any

import numpy as np

__all__ = [
    "STANDINS",
    "RecheckError",
    "RecheckUnavailable",
    "StudentCodeError",
    "StudentValue",
    "StudentObject",
    "BackgroundRecheck",
    "Recheck",
    "answer_names",
    "answer_values",
    "setup_chunks",
    "without_unused_imports",
    "without_unused_keras",
    "answer_chunks",
    "kernel_source",
]


class RecheckError(RuntimeError):
    """The re-check could not get an answer from the re-check kernel (died, hung, garbled)."""


class RecheckUnavailable(RuntimeError):
    """The re-check kernel cannot be started at all: grading of this notebook must fail
    (and be repeated), rather than cost the student points."""


#: What :meth:`_Channel.get` returns for a name the student's kernel does not define.
MISSING = object()


class StudentCodeError(Exception):
    """An exception of a non-builtin type raised by student code in the re-check kernel."""


class StudentValue:
    """A value the re-check kernel could not send as plain data (never equal to anything)."""

    __slots__ = ("type_name",)

    def __init__(self, type_name: str):
        self.type_name = type_name

    def __repr__(self) -> str:
        return f"<{self.type_name} object>"

    def __eq__(self, other):
        return False

    __hash__ = None


def _keras_class(claim: str):
    """The Keras class ``"module:qualname"`` names, if that module is already loaded here."""
    import sys

    module, _, qualname = str(claim).partition(":")
    if not (module == "keras" or module.startswith("keras.")) or module not in sys.modules:
        return None
    obj = sys.modules[module]
    for part in qualname.split("."):
        obj = getattr(obj, part, None)
    return obj if isinstance(obj, type) and obj.__module__ == module else None


class StudentObject(StudentValue):
    """An object that stays in the re-check kernel (a callback, a loss, a layer), seen here
    through a handle: reading an attribute, setting one, calling the object or one of its
    methods runs there, with plain-data arguments (copies) and plain-data results.

    ``isinstance(obj, keras.callbacks.Callback)`` (or any Keras class) is true when the
    object's type derives from that class in the re-check kernel: a claim that lets a test
    run the same way here and in the notebook, never a grade by itself.
    """

    __slots__ = ("_channel", "_id", "_generation", "_claims")

    def __init__(self, channel: _Channel, handle: int, type_name: str, claims: list[str]):
        object.__setattr__(self, "type_name", type_name)
        object.__setattr__(self, "_channel", channel)
        object.__setattr__(self, "_id", handle)
        object.__setattr__(self, "_generation", channel.generation)
        object.__setattr__(self, "_claims", [str(c) for c in claims[:50]])

    def __getattr__(self, name: str):
        if name.startswith("__") and name.endswith("__"):
            raise AttributeError(name)
        return self._channel.hget(self, name)

    def __setattr__(self, name: str, value) -> None:
        self._channel.hset(self, name, value)

    def __call__(self, *args, **kwargs):
        return self._channel.hcall(self, None, args, kwargs)

    @property
    def __class__(self):
        for claim in self._claims:
            cls = _keras_class(claim)
            if cls is not None:
                return cls
        return StudentObject

    def __repr__(self) -> str:
        return f"<your {self.type_name} object>"


class _RemoteMethod:
    """A method of a :class:`StudentObject`, called in the re-check kernel."""

    def __init__(self, obj: StudentObject, name: str):
        self._obj = obj
        self.__name__ = name

    def __call__(self, *args, **kwargs):
        return self._obj._channel.hcall(self._obj, self.__name__, args, kwargs)

    def __repr__(self) -> str:
        return f"<method {self.__name__} of {self._obj!r}>"


# --------------------------------------------------------------------------------------------
# which code runs in the re-check kernel
# --------------------------------------------------------------------------------------------

#: Modules of ``course_utils`` the re-check kernel gets (copied as they are). Everything else
#: (the reference implementations, plots, grading tools) is absent there.
STUB_MODULES = ("__init__.py", "_one_verdict.py", "_validation.py", "testing.py", "data.py",
                "keras_helpers.py", "language.py")
#: Packages it gets as they are: the message catalogues (text only) of the other editions.
STUB_PACKAGES = ("ru",)

_BATCHNORM_STUB = '''"""The cache type of the course's batch normalization, and nothing else."""

from typing import NamedTuple

import numpy as np


class BatchNormCache(NamedTuple):
    x: np.ndarray
    mu: np.ndarray
    var: np.ndarray
    z_norm: np.ndarray
    gamma: np.ndarray
    eps: float
'''

_EMA_STANDIN = '''
def ema(values, beta=0.9, *, bias_correction=False):
    values = np.asarray(values, dtype=float)
    out = np.empty(values.shape, dtype=float)
    v = 0.0
    for i, theta in enumerate(values):
        v = beta * v + (1.0 - beta) * theta
        out[i] = v
    if bias_correction:
        out = out / (1.0 - beta ** np.arange(1, len(values) + 1))
    return out
'''

_SGD_UPDATE_STANDIN = '''
def sgd_update(w, dw, *, lr):
    return np.asarray(w, dtype=float) - lr * np.asarray(dw, dtype=float)
'''

#: (module, qualified name) of a reference function -> source of a self-contained stand-in
#: (numpy only) that the re-check kernel binds while a test binds the reference to an answer
#: name. Each stand-in is tested against its reference.
STANDINS: dict[tuple[str, str], tuple[str, str]] = {
    ("course_utils.ema", "ema"): ("ema", _EMA_STANDIN),
    ("course_utils.optimizers", "sgd_update"): ("sgd_update", _SGD_UPDATE_STANDIN),
}


def _split_imports(stmt: ast.stmt) -> list[str]:
    """``from m import a, b`` -> one statement per name, so one missing name costs one line."""
    if isinstance(stmt, ast.ImportFrom) and len(stmt.names) > 1:
        return [ast.unparse(ast.ImportFrom(module=stmt.module, names=[alias], level=stmt.level))
                for alias in stmt.names]
    if isinstance(stmt, ast.Import) and len(stmt.names) > 1:
        return [ast.unparse(ast.Import(names=[alias])) for alias in stmt.names]
    return [ast.unparse(stmt)]


def setup_chunks(source: str) -> list[str]:
    """The statements of a (trusted) setup cell, run one by one in the re-check kernel.

    The re-check kernel lacks most of ``course_utils``; a statement that fails there (an
    import of ``course_utils.plotting``, say) is skipped and the others still run.
    """
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return []
    chunks = []
    for stmt in tree.body:
        chunks.extend(_split_imports(stmt))
    return chunks


def answer_chunks(source: str, *, whole: bool) -> list[str]:
    """What of a student's cell runs in the re-check kernel.

    ``whole``: an answer cell runs as it is (one chunk). A cell the student added runs only
    its function and class definitions and its imports (helpers an answer may call), never
    plots or training loops.
    """
    if whole:
        return [source] if source.strip() else []
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return []
    keep = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Import, ast.ImportFrom)
    return [ast.unparse(s) for s in tree.body if isinstance(s, keep)]


def answer_names(release_source: str) -> list[str]:
    """Top-level names an answer cell defines, read from its release (instructor) version."""
    return _function_names(release_source) + answer_values(release_source)


def _top_level(release_source: str) -> list[ast.stmt]:
    try:
        return ast.parse(release_source).body
    except SyntaxError:
        return []


def _function_names(release_source: str) -> list[str]:
    kinds = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)
    return [s.name for s in _top_level(release_source) if isinstance(s, kinds)]


def answer_values(release_source: str) -> list[str]:
    """Names an answer cell assigns a value to (a question's ``answer_<slug> = None``), read
    from its release version; the re-check fetches their values as plain data."""
    functions = set(_function_names(release_source))
    names = []
    for stmt in _top_level(release_source):
        if isinstance(stmt, ast.Assign):
            names.extend(t.id for t in stmt.targets
                         if isinstance(t, ast.Name) and t.id not in functions)
    return names


_KERAS_WORDS = re.compile(r"\b(keras|keras_helpers|tf|tensorflow)\b")


def without_unused_keras(chunks: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """Drop the setup statements that mention Keras when no student code does.

    Importing TensorFlow costs the re-check kernel seconds; a notebook whose setup imports
    Keras for its demos (``00_start_here``) but whose answers are NumPy does not need it
    there. Student code that uses Keras names it (``keras``, ``tf``, ``tensorflow``).
    """
    if any(_KERAS_WORDS.search(code) for label, code in chunks if not label.startswith("setup")):
        return chunks
    return [(label, code) for label, code in chunks
            if not (label.startswith("setup") and _uses_keras(code))]


def without_unused_imports(chunks: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """Drop the setup cell's imports whose name no other code of the re-check kernel mentions.

    The notebook's demos need ``matplotlib``, scikit-learn and the plotting helpers; the
    answers rarely do, and each import costs the re-check kernel up to seconds (scikit-learn:
    1.6 s). A name mentioned anywhere else (an answer, a helper, another setup statement, even
    in a comment) keeps its import: the test is by word, on the source text.
    """
    others = "\n".join(code for _, code in chunks if _bound_name(code) is None)
    return [(label, code) for label, code in chunks
            if not label.startswith("setup") or (name := _bound_name(code)) is None
            or re.search(rf"\b{re.escape(name)}\b", others)]


def _bound_name(statement: str) -> str | None:
    """The one name an import of one name binds (``import a.b`` binds ``a``); None for any
    other statement."""
    try:
        body = ast.parse(statement).body
    except SyntaxError:
        return None
    if len(body) != 1 or not isinstance(body[0], ast.Import | ast.ImportFrom) \
            or len(body[0].names) != 1 or body[0].names[0].name == "*":
        return None
    alias = body[0].names[0]
    if alias.asname:
        return alias.asname
    return alias.name.split(".")[0] if isinstance(body[0], ast.Import) else alias.name


def _uses_keras(statement: str) -> bool:
    """Whether a setup statement imports Keras or TensorFlow or reads one of their names (a
    keyword argument such as ``seed_everything(42, keras=True)`` does not count)."""
    try:
        tree = ast.parse(statement)
    except SyntaxError:
        return False
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and _KERAS_WORDS.search(node.module or ""):
            return True
        if isinstance(node, ast.Import) and any(_KERAS_WORDS.search(a.name) for a in node.names):
            return True
        if isinstance(node, ast.Name) and _KERAS_WORDS.fullmatch(node.id):
            return True
    return False


def kernel_source() -> str:
    """The source that defines ``__course_recheck__`` in the re-check kernel."""
    text = Path(__file__).with_name("_recheck_kernel.py").read_text()
    from course_grader._recheck_kernel import SOURCE_MARKER

    return text.split(SOURCE_MARKER + "\n", 2)[-1]


_STUB_DIR: str | None = None


def stub_package_dir() -> str:
    """A directory holding the reduced ``course_utils`` of the re-check kernel (made once)."""
    global _STUB_DIR
    if _STUB_DIR and os.path.isdir(_STUB_DIR):
        return _STUB_DIR
    import course_utils

    src = Path(course_utils.__file__).parent
    root = tempfile.mkdtemp(prefix="course-recheck-")
    pkg = Path(root, "course_utils")
    pkg.mkdir()
    for name in STUB_MODULES:
        shutil.copyfile(src / name, pkg / name)
    for name in STUB_PACKAGES:
        shutil.copytree(src / name, pkg / name,
                        ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    (pkg / "batchnorm.py").write_text(_BATCHNORM_STUB)
    for p in [root, pkg, *pkg.rglob("*")]:
        os.chmod(p, 0o755 if Path(p).is_dir() else 0o644)
    _STUB_DIR = root
    return root


# --------------------------------------------------------------------------------------------
# plain data between the two processes
# --------------------------------------------------------------------------------------------

_KINDS = "biufc"


def _npy(a: np.ndarray) -> str:
    """An array as plain text: ``"<dtype>;<shape>;<base64 of its C-order bytes>"`` (what
    ``.npy`` holds, without a header that needs parsing: a test of thousands of steps sends
    and receives thousands of small arrays)."""
    a = np.asarray(a)
    shape = ",".join(str(n) for n in a.shape)
    return f"{a.dtype.str};{shape};{base64.b64encode(a.tobytes()).decode('ascii')}"


def _unnpy(b: str) -> np.ndarray:
    """The array :func:`_npy` wrote, read back from plain data only: numbers and text
    dtypes, no objects, no record types; the size must match the shape."""
    try:
        dtype_text, shape_text, data = str(b).split(";", 2)
        dtype = np.dtype(dtype_text)
        shape = tuple(int(n) for n in shape_text.split(",")) if shape_text else ()
        raw = base64.b64decode(data, validate=True)
    except (TypeError, ValueError) as e:
        raise RecheckError(f"an unreadable array ({e})") from None
    if dtype.kind not in _KINDS or dtype.hasobject or dtype.fields is not None \
            or dtype.subdtype is not None:
        raise RecheckError(f"unexpected array dtype {dtype}")
    if any(n < 0 for n in shape) or len(raw) != math.prod(shape) * dtype.itemsize:
        raise RecheckError(f"an array of shape {shape} and dtype {dtype} with "
                           f"{len(raw)} bytes")
    return np.frombuffer(raw, dtype=dtype).reshape(shape).copy()


def _keras_modules():
    """Keras and TensorFlow if this process has imported them (never imports them)."""
    import sys

    return sys.modules.get("keras"), sys.modules.get("tensorflow")


def _encode_model(model) -> dict:
    """A trusted Keras model (built by a test) as plain data for the re-check kernel."""
    compile_config = model.get_compile_config() if getattr(model, "compiled", False) else None
    return {"t": "keras_model", "config": model.to_json(),
            "weights": [_npy(np.asarray(w)) for w in model.get_weights()],
            "compile": json.dumps(compile_config) if compile_config else None,
            "stop_training": bool(getattr(model, "stop_training", False))}


def _encode_arg(x: Any, leaves: list, channel: _Channel | None = None) -> dict:
    """Arguments of a call (built by trusted test code) as plain data."""
    tx = type(x)
    if isinstance(x, StudentObject):
        if channel is None or x._channel is not channel:
            raise RecheckError(f"cannot send {x!r} to another kernel")
        channel.check(x)
        return {"t": "handle", "id": x._id}
    if isinstance(x, np.ndarray):
        a = np.asarray(x)
        if a.dtype.kind not in _KINDS:
            raise RecheckError(f"cannot send an array of dtype {a.dtype}")
        leaves.append(x)
        return {"t": "nd", "b": _npy(a), "leaf": len(leaves) - 1}
    if isinstance(x, np.generic):
        return {"t": "np", "b": _npy(np.asarray(x))}
    if tx is bool:
        return {"t": "bool", "v": x}
    if isinstance(x, (int, np.integer)) and tx is not bool:
        return {"t": "int", "v": str(int(x))}
    if isinstance(x, float):
        return {"t": "float", "v": repr(float(x))}
    if isinstance(x, str):
        return {"t": "str", "v": str(x)}
    if x is None:
        return {"t": "none"}
    if isinstance(x, tuple) and hasattr(tx, "_fields"):
        return {"t": "namedtuple", "name": tx.__name__, "fields": list(tx._fields),
                "items": [_encode_arg(i, leaves, channel) for i in x]}
    if isinstance(x, (tuple, list)):
        return {"t": "tuple" if isinstance(x, tuple) else "list",
                "items": [_encode_arg(i, leaves, channel) for i in x]}
    if isinstance(x, dict):  # a copy: what the student's code does to it stays there
        return {"t": "dict",
                "items": {str(k): _encode_arg(v, leaves, channel) for k, v in x.items()}}
    if isinstance(x, StudentValue):
        raise RecheckError(f"cannot send back {x!r}")
    keras, tf = _keras_modules()
    if keras is not None and isinstance(x, keras.Model):
        return _encode_model(x)
    if tf is not None and tf.is_tensor(x):
        return _encode_arg(np.asarray(x), leaves, channel)
    raise RecheckError(f"cannot send a {tx.__name__} to the re-check kernel")


def _namedtuple_type(name: str, fields: list[str]):
    if name == "BatchNormCache":
        from course_utils.batchnorm import BatchNormCache

        if list(BatchNormCache._fields) == list(fields):
            return BatchNormCache
    return None


#: Limits on a Keras model sent by the re-check kernel (characters of JSON / of base64).
MAX_MODEL_CONFIG = 4_000_000
MAX_MODEL_WEIGHTS = 64_000_000


def _rebuild_model(v: dict) -> Any:
    """A Keras model from its JSON config and weights, by Keras's deserializer in safe mode
    with no custom objects; anything else (a Lambda, a student's class, weights that do not
    fit) is a :class:`StudentValue` that says why."""
    config, weights, compile_json = v.get("config"), v.get("weights"), v.get("compile")
    if not (isinstance(config, str) and isinstance(weights, list)
            and all(isinstance(b, str) for b in weights)
            and (compile_json is None or isinstance(compile_json, str))):
        return StudentValue("Keras model (malformed)")
    if len(config) > MAX_MODEL_CONFIG or sum(map(len, weights)) > MAX_MODEL_WEIGHTS:
        return StudentValue("Keras model (too large to check)")
    from course_utils.keras_helpers import keras  # TensorFlow only when a model arrives

    serialization = keras.src.saving.serialization_lib
    SafeModeScope, deserialize_keras_object = (  # noqa: N806 - Keras's names
        serialization.SafeModeScope, serialization.deserialize_keras_object)
    try:
        with SafeModeScope(True), keras.saving.custom_object_scope({}):
            model = deserialize_keras_object(json.loads(config), safe_mode=True)
        if not isinstance(model, keras.Model):
            return StudentValue(f"{type(model).__name__} (not a Keras model)")
        arrays = [_unnpy(b) for b in weights]
        shapes = [tuple(w.shape) for w in model.weights]
        if shapes != [a.shape for a in arrays]:
            return StudentValue("Keras model (its weights do not fit its config)")
        model.set_weights(arrays)
    except Exception as e:  # noqa: BLE001 - refused by safe mode, unknown class, bad config
        why = f"{type(e).__name__}: {e}"[:300]
        return StudentValue(f"Keras model that cannot be rebuilt without custom code ({why})")
    compile_config = None
    if compile_json is not None:
        with contextlib.suppress(Exception):
            compile_config = json.loads(compile_json)
        if isinstance(compile_config, dict):
            with contextlib.suppress(Exception), SafeModeScope(True), \
                    keras.saving.custom_object_scope({}):
                model.compile_from_config(compile_config)
    object.__setattr__(model, "_course_compile_config", compile_config)
    model.stop_training = v.get("stop_training") is True
    return model


def _decode_result(v: dict, leaves: list, channel: _Channel | None = None) -> Any:
    """A value the re-check kernel sent, rebuilt from plain data only."""
    t = v.get("t")
    if t == "nd":
        a = _unnpy(v["b"])
        alias = v.get("alias")
        if isinstance(alias, int) and 0 <= alias < len(leaves):
            leaf = leaves[alias]
            if v.get("same") and leaf.shape == a.shape:
                return leaf
            if leaf.size == a.size:
                with contextlib.suppress(ValueError, AttributeError):
                    view = leaf.reshape(a.shape) if leaf.shape != a.shape else leaf.view()
                    if np.shares_memory(view, leaf):
                        return view
        return a
    if t == "np":
        return _unnpy(v["b"])[()]
    if t == "float":
        return float(v["v"])
    if t == "int":
        return int(v["v"])
    if t == "bool":
        return bool(v["v"])
    if t == "str":
        return str(v["v"])
    if t == "none":
        return None
    if t == "tuple":
        return tuple(_decode_result(i, leaves, channel) for i in v["items"])
    if t == "list":
        return [_decode_result(i, leaves, channel) for i in v["items"]]
    if t == "namedtuple":
        items = [_decode_result(i, leaves, channel) for i in v["items"]]
        cls = _namedtuple_type(str(v.get("name")), list(v.get("fields", [])))
        if cls is None or len(items) != len(cls._fields):
            return StudentValue(f"namedtuple {v.get('name')}")
        return cls(*items)
    if t == "dict":
        return {str(k): _decode_result(i, leaves, channel) for k, i in v["items"].items()}
    if t == "keras_model":
        return _rebuild_model(v)
    if t == "handle" and channel is not None and isinstance(v.get("id"), int):
        claims = v.get("keras") if isinstance(v.get("keras"), list) else []
        return StudentObject(channel, v["id"], str(v.get("type", "object"))[:100], claims)
    return StudentValue(str(v.get("type", "unknown"))[:300])


_WARNING_TYPES = {
    name: obj for name, obj in vars(builtins).items()
    if isinstance(obj, type) and issubclass(obj, Warning)
}
_NOT_RERAISED = (SystemExit, KeyboardInterrupt, GeneratorExit)


def _raise_student_error(reply: dict) -> None:
    name, msg = str(reply.get("exc", "Exception")), str(reply.get("msg", ""))
    cls = getattr(builtins, name, None) if reply.get("builtin") else None
    if (isinstance(cls, type) and issubclass(cls, BaseException)
            and not issubclass(cls, _NOT_RERAISED) and not issubclass(cls, Warning)):
        try:
            err = cls(msg)
        except Exception:  # noqa: BLE001 - exotic constructor: fall back to our own type
            err = StudentCodeError(f"{name}: {msg}")
        raise err
    raise StudentCodeError(f"{name}: {msg}")


# --------------------------------------------------------------------------------------------
# the re-check kernel
# --------------------------------------------------------------------------------------------


#: The largest answer the fast path reads from the re-check kernel (a runaway length is an
#: answer no check accepts, not a reason to fill the grader's memory).
MAX_REPLY_BYTES = 1 << 30


def _recv_exact(sock: socket.socket, n: int) -> bytes:
    parts, left = [], n
    while left:
        chunk = sock.recv(min(left, 1 << 20))
        if not chunk:
            raise EOFError
        parts.append(chunk)
        left -= len(chunk)
    return b"".join(parts)


class _Channel:
    """One sandboxed re-check kernel: start, replay the student's answers, serve calls."""

    def __init__(self, owner, chunks: list[tuple[str, str]], timeout: float, log):
        self.owner = owner  # the SandboxedExecute (config, kernel name, extra arguments)
        self.chunks = chunks  # (label, code) in order: setup statements, answers, helpers
        self.timeout = timeout
        self.log = log
        self.km = None
        self.kc = None
        self.sock: socket.socket | None = None  # the fast path, once the kernel serves it
        self.bad: set[int] = set()  # chunks that killed or hung the kernel: not replayed
        self.restarts = 0
        self.max_restarts = 3
        self.calls = 0
        self.deadline = float("inf")
        self.generation = 0  # objects of an earlier kernel are gone after a restart

    # -- kernel life ------------------------------------------------------------------------

    def start(self) -> None:
        from jupyter_core.utils import run_sync

        from course_grader.sandbox.host import _is_checkout, _module_dirs
        from course_grader.sandbox.kernel_manager import SandboxKernelManager

        self.close()
        self.generation += 1
        hide = []
        for d in _module_dirs(["course_utils"]):  # the real package, wherever it is installed
            hide.append(d)
            if _is_checkout(os.path.dirname(d)):
                hide.append(os.path.dirname(d))
        owner = self.owner
        env = dict(os.environ, NBGRADER_EXECUTION="autograde")
        # Before any student code runs, a kernel that does not come up is the machine's
        # problem, not the student's: try again, and in the end fail the notebook as a whole
        # (nbgrader then leaves the student ungraded and the next run grades them).
        for attempt in range(1, 4):
            km = SandboxKernelManager(
                parent=owner, kernel_name=owner.kernel_name or "python3", expose_modules=[],
                extra_hide_paths=hide, enabled=bool(getattr(owner, "sandbox", True)),
            )
            self.km = km
            try:
                run_sync(km.start_kernel)(extra_arguments=list(owner.extra_arguments),
                                          cwd=stub_package_dir(), env=env)
                self.kc = km.client()
                self.kc.start_channels()
                run_sync(self.kc.wait_for_ready)(timeout=owner.startup_timeout)
                break
            except Exception as e:  # noqa: BLE001 - retried, then reported as unavailable
                tail = km.kernel_log_tail(600) if hasattr(km, "kernel_log_tail") else ""
                self.log.warning("The re-check kernel did not start (attempt %d: %s). %s",
                                 attempt, e, tail)
                self.close()
                if attempt == 3:
                    raise RecheckUnavailable(
                        f"the re-check kernel did not start in 3 attempts ({e})") from None
                time.sleep(attempt)
        # The server first: it binds NumPy's functions and the builtins before any student
        # code can patch them.
        self._execute(kernel_source(), timeout=60)
        for i, (label, code) in enumerate(self.chunks):
            if i in self.bad:
                continue
            try:
                self._execute(code, timeout=self.timeout)
            except RecheckError as e:
                self.log.info("Re-check kernel: %s was skipped (%s).", label, e)
                self.bad.add(i)
                return self.restart()
        self._open_socket()

    def _open_socket(self) -> None:
        """Ask the kernel to serve requests over a Unix socket in the sandbox's connection
        directory (``course_recheck_loop``): a round trip there costs tens of microseconds
        instead of milliseconds, which matters for tests that take thousands of steps. If the
        kernel does not connect, requests go as shell messages."""
        sandbox = getattr(self.km, "_sandbox", None)
        folder = sandbox.conn_dir if sandbox is not None else tempfile.mkdtemp(prefix="recheck-")
        path = os.path.join(folder, "recheck.sock")
        server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            server.bind(path)
            if sandbox is not None:
                os.chown(path, sandbox.uid, sandbox.gid)
            server.listen(1)
            server.settimeout(min(10.0, self.timeout))
            msg = self.kc.session.msg("course_recheck_loop", {"path": path})
            self.kc.shell_channel.send(msg)
            self.sock, _ = server.accept()
        except OSError as e:
            self.log.info("Re-check kernel: no socket (%s); requests go as shell messages.", e)
        finally:
            server.close()
            with contextlib.suppress(OSError):
                os.unlink(path)
            if sandbox is None:
                shutil.rmtree(folder, ignore_errors=True)

    def restart(self) -> None:
        self.restarts += 1
        if self.restarts > self.max_restarts:
            self.close()
            raise RecheckError(f"the re-check kernel died or hung {self.restarts} times")
        self.start()

    def close(self) -> None:
        from jupyter_core.utils import run_sync

        if self.sock is not None:
            with contextlib.suppress(OSError):
                self.sock.close()
            self.sock = None
        if self.kc is not None:
            with contextlib.suppress(Exception):
                self.kc.stop_channels()
        if self.km is not None:
            with contextlib.suppress(Exception):
                run_sync(self.km.shutdown_kernel)(now=True)
            with contextlib.suppress(Exception):
                self.km._destroy_sandbox()
        self.km = self.kc = None

    # -- messages ---------------------------------------------------------------------------

    def _execute(self, code: str, *, timeout: float) -> dict:
        """Send one execute_request; return the reply content. Dead or hung: RecheckError."""
        if self.kc is None:
            raise RecheckError("the re-check kernel is not running")
        msg_id = self.kc.execute(code, silent=True, store_history=False, allow_stdin=False)
        return self._reply_to(msg_id, timeout)

    def _send(self, msg_type: str, content: dict, *, timeout: float) -> dict:
        """Send one shell message; return the content of its reply. Dead or hung: error."""
        if self.kc is None:
            raise RecheckError("the re-check kernel is not running")
        msg = self.kc.session.msg(msg_type, content)
        self.kc.shell_channel.send(msg)
        return self._reply_to(msg["header"]["msg_id"], timeout)

    def _reply_to(self, msg_id: str, timeout: float) -> dict:
        """Wait for the shell reply to ``msg_id``; a dead or hung kernel is closed and raises."""
        from queue import Empty

        from jupyter_core.utils import run_sync

        end = time.monotonic() + timeout
        while True:
            left = end - time.monotonic()
            if left <= 0:
                self.close()
                raise RecheckError(f"no answer within {timeout:.0f} s")
            try:
                reply = run_sync(self.kc.get_shell_msg)(timeout=min(left, 1.0))
            except Empty:
                if not run_sync(self.km.is_alive)():
                    self.close()
                    raise RecheckError("the re-check kernel died") from None
                continue
            if reply.get("parent_header", {}).get("msg_id") == msg_id:
                return reply.get("content", {})

    def request(self, payload: dict) -> dict:
        left = min(self.deadline - time.monotonic(), self.timeout)
        if left <= 0:
            raise RecheckError("the test's time limit was used up")
        if self.sock is not None:
            raw = self._socket_request(json.dumps(payload).encode(), timeout=left)
        else:
            data = base64.b64encode(json.dumps(payload).encode()).decode("ascii")
            content = self._send("course_recheck_request", {"request": data}, timeout=left)
            if "reply" not in content:
                raise RecheckError(
                    f"the re-check kernel could not answer ({content.get('error')})")
            raw = content["reply"]
        try:
            reply = json.loads(raw if self.sock is not None else base64.b64decode(raw))
        except Exception as e:  # noqa: BLE001 - any garbage is the same failure
            raise RecheckError(f"the re-check kernel sent an unreadable answer ({e})") from None
        if not isinstance(reply, dict):
            raise RecheckError("the re-check kernel sent an unreadable answer")
        return reply

    def _socket_request(self, data: bytes, *, timeout: float) -> bytes:
        """One round trip on the fast path; a dead or hung kernel is closed and raises."""
        sock = self.sock
        try:
            sock.settimeout(timeout)
            sock.sendall(len(data).to_bytes(8, "big") + data)
            head = _recv_exact(sock, 8)
            size = int.from_bytes(head, "big")
            if size > MAX_REPLY_BYTES:
                self.close()
                raise RecheckError(f"the re-check kernel sent a {size}-byte answer")
            body = _recv_exact(sock, size)
        except TimeoutError:
            self.close()
            raise RecheckError(f"no answer within {timeout:.0f} s") from None
        except (OSError, EOFError):
            self.close()
            raise RecheckError("the re-check kernel died") from None
        if body[:1] == b"R":
            return body[1:]
        raise RecheckError("the re-check kernel could not answer "
                           f"({body[1:].decode('utf-8', 'replace')})")

    # -- operations -------------------------------------------------------------------------

    def call(self, name: str, args: tuple, kwargs: dict) -> Any:
        return self._invoke({"op": "call", "name": name}, name, args, kwargs)

    def check(self, obj: StudentObject) -> None:
        if obj._channel is not self or obj._generation != self.generation:
            raise RecheckError(f"{obj!r} was lost when the re-check kernel restarted")

    def hcall(self, obj: StudentObject, attr: str | None, args: tuple, kwargs: dict) -> Any:
        """Call a handle (``attr`` None) or one of its methods in the re-check kernel."""
        self.check(obj)
        label = obj.type_name if attr is None else f"{obj.type_name}.{attr}"
        return self._invoke({"op": "hcall", "handle": obj._id, "attr": attr}, label, args,
                            kwargs)

    def hget(self, obj: StudentObject, attr: str) -> Any:
        self.check(obj)
        reply = self.request({"op": "hget", "handle": obj._id, "attr": str(attr)})
        if not reply.get("ok"):
            _raise_student_error(reply)
        result = reply.get("result")
        if not isinstance(result, dict):
            raise RecheckError("the re-check kernel sent no value")
        if result.get("t") == "method":
            return _RemoteMethod(obj, str(attr))
        return _decode_result(result, [], self)

    def hset(self, obj: StudentObject, attr: str, value: Any) -> None:
        self.check(obj)
        reply = self.request({"op": "hset", "handle": obj._id, "attr": str(attr),
                              "value": _encode_arg(value, [], self)})
        if not reply.get("ok"):
            _raise_student_error(reply)

    def _invoke(self, target: dict, name: str, args: tuple, kwargs: dict) -> Any:
        leaves: list = []
        payload = {
            **target,
            "args": [_encode_arg(a, leaves, self) for a in args],
            "kwargs": {str(k): _encode_arg(v, leaves, self) for k, v in kwargs.items()},
            "errstate": np.geterr(),
        }
        self.calls += 1
        reply = self.request(payload)
        changed = reply.get("changed") or {}
        if isinstance(changed, dict):
            for key, b in changed.items():
                leaf = leaves[int(key)] if str(key).isdigit() and int(key) < len(leaves) else None
                if leaf is None:
                    continue
                if b is None:
                    raise RecheckError(f"{name} changed an argument into a non-numeric array")
                new = _unnpy(b)
                if new.shape == leaf.shape and leaf.flags.writeable:
                    leaf[...] = new
        for category, message in (reply.get("warnings") or [])[:50]:
            cls = _WARNING_TYPES.get(str(category), UserWarning)
            warnings.warn_explicit(str(message), cls, f"<{name}>", 1)
        if not reply.get("ok"):
            _raise_student_error(reply)
        if "result" not in reply or not isinstance(reply["result"], dict):
            raise RecheckError("the re-check kernel sent no result")
        return _decode_result(reply["result"], leaves, self)

    def get(self, name: str) -> Any:
        """The value of the student's variable ``name`` as plain data (a question's answer);
        ``MISSING`` when the student's kernel does not define it."""
        reply = self.request({"op": "get", "name": name})
        if not reply.get("ok"):
            return MISSING
        if not isinstance(reply.get("result"), dict):
            raise RecheckError("the re-check kernel sent no value")
        return _decode_result(reply["result"], [])

    def bind(self, name: str, source: str) -> None:
        self.request({"op": "bind", "name": name, "source": source})

    def restore(self, name: str) -> None:
        self.request({"op": "restore", "name": name})


class _Proxy:
    """Stands for a student function in the trusted namespace; calls it in the re-check kernel."""

    def __init__(self, channel: _Channel, name: str):
        self._channel = channel
        self.__name__ = name

    def __call__(self, *args, **kwargs):
        return self._channel.call(self.__name__, args, kwargs)

    def __repr__(self) -> str:
        return f"<your function {self.__name__}>"


class _Namespace(dict):
    """The trusted namespace of the tests; mirrors rebinding of answer names in the kernel."""

    def __init__(self, channel: _Channel, names: list[str]):
        super().__init__()
        self._channel = channel
        self._names = set(names)
        self._bound: set[str] = set()

    def __setitem__(self, key, value):
        if key in self._names:
            if isinstance(value, _Proxy):
                if key in self._bound:
                    self._channel.restore(key)
                    self._bound.discard(key)
            else:
                standin = STANDINS.get((getattr(value, "__module__", None),
                                        getattr(value, "__qualname__", None)))
                if standin is None:
                    raise RecheckError(f"a test rebinds {key!r} to {value!r}, which has no "
                                       "stand-in for the re-check kernel (STANDINS)")
                name, source = standin
                self._channel.bind(key, source.replace(f"def {name}(", f"def {key}(", 1))
                self._bound.add(key)
        super().__setitem__(key, value)

    def __delitem__(self, key):
        if key in self._bound:
            self._channel.restore(key)
            self._bound.discard(key)
        super().__delitem__(key)


# --------------------------------------------------------------------------------------------
# one notebook
# --------------------------------------------------------------------------------------------


def _nbgrader(cell) -> dict:
    return cell.get("metadata", {}).get("nbgrader", {}) or {}


class Recheck:
    """Re-check the graded cells of one executed notebook (see the module docstring).

    Parameters
    ----------
    owner : SandboxedExecute
        The preprocessor that ran the notebook (its config, kernel name and time limits).
    nb : NotebookNode
        The notebook after it ran; graded cells hold the gradebook's source.
    release_sources : dict
        ``grade_id`` -> release source of each answer cell (from the gradebook).
    """

    def __init__(self, owner, nb, release_sources: dict[str, str], log):
        self.owner = owner
        self.nb = nb
        self.log = log
        self.names: list[str] = []  # functions: proxies that call into the re-check kernel
        self.values: list[str] = []  # variables (questions' answers): fetched as plain data
        for source in release_sources.values():
            self.names.extend(n for n in _function_names(source) if n not in self.names)
            self.values.extend(n for n in answer_values(source)
                               if n not in self.values and n not in self.names)
        self.setup_sources, chunks = [], []
        for cell in nb.cells:
            md = _nbgrader(cell)
            if cell.cell_type != "code":
                continue
            gid = str(md.get("grade_id", ""))
            if md.get("locked") and not md.get("grade") and not md.get("solution") \
                    and gid.endswith("setup"):
                self.setup_sources.append(cell.source)
                chunks += [(f"setup statement {i + 1}", c)
                           for i, c in enumerate(setup_chunks(cell.source))]
            elif md.get("solution") and not md.get("grade"):
                chunks += [(f"answer cell {gid}", c)
                           for c in answer_chunks(cell.source, whole=True)]
            elif not md:
                chunks += [("a cell you added", c)
                           for c in answer_chunks(cell.source, whole=False)]
        timeout = float(owner.timeout or 60)
        chunks = without_unused_imports(without_unused_keras(chunks))
        self.channel = _Channel(owner, chunks, timeout, log)
        self.seconds = 0.0
        self._started = False
        self._start_error: RecheckUnavailable | str | None = None
        self._ns: _Namespace | None = None

    def _trusted_namespace(self) -> _Namespace:
        ns = _Namespace(self.channel, self.names)
        ns["__name__"] = "__main__"
        ns["__builtins__"] = builtins
        for source in self.setup_sources:
            self._exec(source, ns, "setup")
        for name in self.names:
            dict.__setitem__(ns, name, _Proxy(self.channel, name))
        self.channel.deadline = time.monotonic() + self.channel.timeout
        for name in self.values:
            value = self.channel.get(name)
            if value is not MISSING:
                dict.__setitem__(ns, name, value)
        return ns

    @staticmethod
    def _exec(source: str, ns: dict, label: str) -> None:
        """Run trusted code (a setup or test cell) here, leaving this process as it was:
        NumPy's error state, the warning filters and the global random states are restored
        (a setup cell seeds ``random`` and NumPy; the grader must not follow that seed)."""
        import random

        code = compile(source, f"<{label}>", "exec")
        sink = io.StringIO()
        old_err = np.geterr()
        py_state, np_state = random.getstate(), np.random.get_state()  # noqa: NPY002
        try:
            with warnings.catch_warnings(), contextlib.redirect_stdout(sink), \
                    contextlib.redirect_stderr(sink):
                exec(code, ns)
        finally:
            np.seterr(**old_err)
            random.setstate(py_state)
            np.random.set_state(np_state)  # noqa: NPY002

    def start(self) -> None:
        """Start the re-check kernel, replay the answers in it and build the trusted
        namespace. A failure is kept and reported by :meth:`run`."""
        t0 = time.monotonic()
        self._started = True
        try:
            self.channel.start()
            self._ns = self._trusted_namespace()
        except RecheckUnavailable as e:
            self.channel.close()
            self._start_error = e
        except Exception as e:  # noqa: BLE001 - nothing can be re-checked: every cell fails
            self.channel.close()
            self._start_error = f"the re-check could not start ({type(e).__name__}: {e})"
        finally:
            self.seconds += time.monotonic() - t0

    def run(self, cells: list) -> dict[str, str]:
        """Re-check ``cells`` (graded cells that passed); return grade_id -> failure message."""
        if not self._started:
            self.start()
        if isinstance(self._start_error, RecheckUnavailable):
            raise self._start_error
        if self._start_error is not None:
            return {_nbgrader(c)["grade_id"]: self._start_error for c in cells}
        t0 = time.monotonic()
        ns = self._ns
        failures: dict[str, str] = {}
        try:
            for cell in cells:
                gid = _nbgrader(cell)["grade_id"]
                if self.channel.kc is None:
                    try:
                        self.channel.restart()
                    except RecheckError as e:
                        failures[gid] = str(e)
                        continue
                self.channel.deadline = time.monotonic() + self.channel.timeout
                try:
                    self._exec(cell.source, ns, f"test {gid}")
                except Exception as e:  # noqa: BLE001 - a failed test, whatever it raised
                    failures[gid] = f"{type(e).__name__}: {e}"
                for name in list(ns._bound):  # a test that failed half-way rebinds nothing
                    with contextlib.suppress(RecheckError):
                        self.channel.restore(name)
                    ns._bound.discard(name)
        finally:
            self.channel.close()
            self.seconds += time.monotonic() - t0
        return failures


class BackgroundRecheck:
    """A :class:`Recheck` in a thread of its own, started before the student's notebook runs.

    The re-check kernel starts and replays the answers while the notebook executes (on
    another core, where there is one); the tests run once the notebook's results are known.
    Every message to the re-check kernel goes from that one thread, and the grader's thread
    only waits for the result, so trusted test code never runs beside the notebook's
    execution."""

    def __init__(self, check: Recheck):
        self.check = check
        self.waited = 0.0  # seconds the notebook's grading waited for the re-check
        self._cells: queue.SimpleQueue = queue.SimpleQueue()
        self._result: queue.SimpleQueue = queue.SimpleQueue()
        self._thread = threading.Thread(target=self._work, name="course-recheck", daemon=True)
        self._thread.start()

    def _work(self) -> None:
        result: Any = {}
        try:
            self.check.start()
            cells = self._cells.get()
            if cells is None:
                self.check.channel.close()
            else:
                result = self.check.run(cells)
        except BaseException as e:  # noqa: BLE001 - handed to the grader's thread
            result = e
        self._result.put(result)

    def run(self, cells: list) -> dict[str, str]:
        """Re-check ``cells`` (see :meth:`Recheck.run`)."""
        t0 = time.monotonic()
        self._cells.put(list(cells))
        result = self._result.get()
        self._thread.join()
        self.waited = time.monotonic() - t0
        if isinstance(result, BaseException):
            raise result
        return result

    def cancel(self) -> None:
        """Nothing to re-check: stop the kernel."""
        self._cells.put(None)
        self._result.get()
        self._thread.join()
