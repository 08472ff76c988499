"""The kernel side of the trusted re-check (see :mod:`course_utils.grading.recheck`).

This file is not imported by the grader: its source is sent to the re-check kernel, a fresh
sandboxed kernel that holds only the student's answers, and defines there one function,
``__course_recheck__(request) -> str``, served for the shell message type
``course_recheck_request`` (answered by ``course_recheck_reply``; no cell is executed per
call). The grader gets back plain data: numbers and ``.npy`` bytes, which it reads with
``numpy.load(allow_pickle=False)``. Nothing that runs here is trusted; the grader only
believes values, never objects, and does every comparison itself.

Requests and replies are JSON, base64-encoded. A value is one of::

    {"t": "nd", "b": <npy>}            exact numpy.ndarray (bool/int/float/complex dtype)
    {"t": "np", "b": <npy of 0-d>}     numpy scalar (numpy.float64, numpy.int64, ...)
    {"t": "float" | "int" | "bool" | "str", "v": ...}   exact Python scalars
    {"t": "none"}
    {"t": "tuple" | "list", "items": [...]}
    {"t": "namedtuple", "name": ..., "fields": [...], "items": [...]}
    {"t": "dict", "items": {key: value}}                str keys only
    {"t": "opaque", "type": <type name>}               anything else (never reconstructed)

Arrays the grader sends carry ``"leaf": i``. After the call, the reply lists the leaves the
function changed in place (``"changed"``), and an array in the result that is, or shares
memory with, leaf ``i`` carries ``"alias": i`` and ``"same"`` (identical object or a view).
"""

SOURCE_MARKER = "# --- kernel source below ---"

# --- kernel source below ---
def __course_recheck_factory__():  # noqa: C901 - one self-contained function on purpose
    import base64
    import builtins
    import io
    import json
    import warnings

    import numpy as np

    ns = globals()
    saved = {}
    kinds = "biufc"

    def npy(a):
        buf = io.BytesIO()
        np.save(buf, a, allow_pickle=False)
        return base64.b64encode(buf.getvalue()).decode("ascii")

    def unnpy(b):
        return np.load(io.BytesIO(base64.b64decode(b)), allow_pickle=False)

    def decode(v, leaves):
        t = v["t"]
        if t == "nd":
            a = np.array(unnpy(v["b"]))
            leaves[v["leaf"]] = (a, a.copy())
            return a
        if t == "np":
            return unnpy(v["b"])[()]
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
        if t in ("tuple", "list"):
            items = [decode(x, leaves) for x in v["items"]]
            return tuple(items) if t == "tuple" else items
        if t == "namedtuple":
            items = [decode(x, leaves) for x in v["items"]]
            cls = ns.get(v["name"])
            if not (isinstance(cls, type) and getattr(cls, "_fields", None) == tuple(v["fields"])):
                import collections

                cls = collections.namedtuple(v["name"], v["fields"])
            return cls(*items)
        if t == "dict":
            return {k: decode(x, leaves) for k, x in v["items"].items()}
        raise ValueError(f"cannot decode {t!r}")

    def encode(x, leaves, depth=0):
        if depth > 20:
            return {"t": "opaque", "type": "too deeply nested"}
        tx = type(x)
        if tx is np.ndarray:
            if x.dtype.kind not in kinds or x.dtype.hasobject:
                return {"t": "opaque", "type": f"ndarray of dtype {x.dtype}"}
            out = {"t": "nd", "b": npy(x)}
            for i, (leaf, _) in leaves.items():
                if x is leaf:
                    out.update(alias=i, same=True)
                    break
                try:
                    if np.may_share_memory(x, leaf) and np.shares_memory(x, leaf, max_work=10**6):
                        out.update(alias=i, same=False)
                        break
                except Exception:  # noqa: BLE001 - too hard to decide: report sharing
                    out.update(alias=i, same=False)
                    break
            return out
        if isinstance(x, np.generic) and tx.__module__ == "numpy":
            if np.dtype(tx).kind not in kinds:
                return {"t": "opaque", "type": tx.__name__}
            return {"t": "np", "b": npy(np.asarray(x))}
        if tx is float:
            return {"t": "float", "v": repr(x)}
        if tx is bool:
            return {"t": "bool", "v": x}
        if tx is int:
            return {"t": "int", "v": str(x)}
        if tx is str:
            return {"t": "str", "v": x[:10000]}
        if x is None:
            return {"t": "none"}
        if tx is tuple or tx is list:
            if len(x) > 10000:
                return {"t": "opaque", "type": f"{tx.__name__} of {len(x)} items"}
            return {"t": tx.__name__, "items": [encode(i, leaves, depth + 1) for i in x]}
        if (isinstance(x, tuple) and tuple.__len__(x) < 100
                and type(getattr(tx, "_fields", None)) is tuple
                and all(type(f) is str for f in tx._fields)):
            return {"t": "namedtuple", "name": str(tx.__name__), "fields": list(tx._fields),
                    "items": [encode(i, leaves, depth + 1) for i in tuple.__iter__(x)]}
        if tx is dict and all(type(k) is str for k in x) and len(x) < 1000:
            return {"t": "dict", "items": {k: encode(i, leaves, depth + 1) for k, i in x.items()}}
        return {"t": "opaque", "type": str(getattr(tx, "__name__", "?"))}

    def call(req):
        leaves = {}
        args = [decode(a, leaves) for a in req["args"]]
        kwargs = {k: decode(a, leaves) for k, a in req["kwargs"].items()}
        reply = {}
        fn = ns.get(req["name"])
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            try:
                if fn is None:
                    raise NameError(f"name {req['name']!r} is not defined")
                with np.errstate(**req.get("errstate", {})):
                    result = fn(*args, **kwargs)
                reply = {"ok": True, "result": encode(result, leaves)}
            except BaseException as e:  # noqa: BLE001 - the grader decides what it means
                name = type(e).__name__
                reply = {"ok": False, "exc": str(name),
                         "builtin": getattr(builtins, name, None) is type(e),
                         "msg": str(e)[:4000]}
        reply["warnings"] = [
            [w.category.__name__ if isinstance(w.category, type) else "UserWarning",
             str(w.message)[:1000]]
            for w in caught[:50]
        ]
        changed = {}
        for i, (a, before) in leaves.items():
            if a.shape != before.shape or not np.array_equal(a, before, equal_nan=True):
                changed[str(i)] = npy(a) if a.dtype.kind in kinds else None
        reply["changed"] = changed
        return reply

    def bind(req):
        name = req["name"]
        if name not in saved:
            saved[name] = ns.get(name, saved)
        scope = {"np": np}
        exec(req["source"], scope)
        ns[name] = scope[name]
        return {"ok": True}

    def restore(req):
        name = req["name"]
        old = saved.pop(name, saved)
        if old is saved:
            ns.pop(name, None)
        else:
            ns[name] = old
        return {"ok": True}

    ops = {"call": call, "bind": bind, "restore": restore}

    def __course_recheck__(request):
        req = json.loads(base64.b64decode(request))
        reply = ops[req["op"]](req)
        return base64.b64encode(json.dumps(reply).encode()).decode("ascii")

    return __course_recheck__


__course_recheck__ = __course_recheck_factory__()
del __course_recheck_factory__


def __course_recheck_register__():
    """Serve ``course_recheck_request`` shell messages directly (no cell execution): much
    faster than an ``execute_request`` per call. Only inside a running IPython kernel."""
    try:
        kernel = get_ipython().kernel  # noqa: F821 - defined in an IPython kernel
    except (NameError, AttributeError):
        return

    def handler(stream, idents, msg):
        try:
            reply = {"reply": __course_recheck__(msg["content"]["request"])}
        except BaseException as e:  # noqa: BLE001 - always answer, never leave the grader waiting
            reply = {"error": f"{type(e).__name__}: {e}"[:2000]}
        kernel.session.send(stream, "course_recheck_reply", reply, parent=msg, ident=idents)

    kernel.shell_handlers["course_recheck_request"] = handler


__course_recheck_register__()
del __course_recheck_register__
