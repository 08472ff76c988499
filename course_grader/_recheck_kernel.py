"""The kernel side of the trusted re-check (see :mod:`course_grader.recheck`).

This file is not imported by the grader: its source is sent to the re-check kernel, a fresh
sandboxed kernel that holds only the student's answers, and defines there one function,
``__course_recheck__(request) -> str``, served for the shell message type
``course_recheck_request`` (answered by ``course_recheck_reply``; no cell is executed per
call) and, faster, over a Unix socket after one ``course_recheck_loop`` message (the grader
uses the socket whenever the kernel connects to it). The grader gets back plain data:
numbers and ``.npy`` bytes, which it reads with ``numpy.load(allow_pickle=False)``. Nothing
that runs here is trusted; the grader only believes values, never objects, and does every
comparison itself.

Requests and replies are JSON (base64-encoded in shell messages). A value is one of::

    {"t": "nd", "b": <array>}          exact numpy.ndarray (bool/int/float/complex dtype)
    {"t": "np", "b": <0-d array>}      numpy scalar (numpy.float64, numpy.int64, ...)

where an array is the text ``"<dtype.str>;<shape, comma-separated>;<base64 of its C-order
bytes>"``.
    {"t": "float" | "int" | "bool" | "str", "v": ...}   exact Python scalars
    {"t": "none"}
    {"t": "tuple" | "list", "items": [...]}
    {"t": "namedtuple", "name": ..., "fields": [...], "items": [...]}
    {"t": "dict", "items": {key: value}}                str keys only
    {"t": "keras_model", "config": <model.to_json()>, "weights": [<array>, ...],
     "compile": <JSON of get_compile_config()> | None, "stop_training": bool}
    {"t": "handle", "id": i, "type": <type name>, "keras": [<module.qualname>, ...]}
    {"t": "method"}                                     (an attribute that is a method)
    {"t": "opaque", "type": <type name>}               anything else (never reconstructed)

Keras values (only when the student's code has imported Keras; this source never imports it
by itself before a Keras value arrives): a ``keras.Model`` goes as its JSON config and its
weights, which the grader rebuilds with Keras's own deserializer in safe mode; a TensorFlow
tensor or a Keras variable goes as the array of its value. Any other object a student's code
returns (a callback, a loss, a layer) stays here and goes as a **handle**: the grader may read
and set its attributes and call it or its methods (``hget``, ``hset``, ``hcall``), again with
plain data only. At most ``MAX_HANDLES`` objects are kept; the rest are opaque. ``keras``
lists the Keras classes the object's type derives from (a claim the grader uses only for
``isinstance``, never as a grade).

The source runs first in the re-check kernel, before the setup cell and the student's answers,
and every function and type it needs (NumPy's, the builtins) is bound once, then: answers that
patch ``np.array_equal``, ``np.shares_memory`` or builtins do not change how this server
sees their results. In-place changes are detected by comparing raw bytes.

Operations: ``call`` (a student function on the given arguments), ``get`` (the value of a
student variable, a question's answer), ``bind``/``restore`` (a stand-in bound to an answer
name while a test needs it), ``hcall``/``hget``/``hset`` (a handle's call, attribute read,
attribute write). Arguments are copies: a dict the grader sends (a callback's ``logs``) is a
new dict here, and what the student's code does to it never reaches the grader.

Arrays the grader sends carry ``"leaf": i``. After the call, the reply lists the leaves the
function changed in place (``"changed"``), and an array in the result that is, or shares
memory with, leaf ``i`` carries ``"alias": i`` and ``"same"`` (identical object or a view).
"""

SOURCE_MARKER = "# --- kernel source below ---"

# --- kernel source below ---
def __course_recheck_factory__():  # noqa: C901 - one self-contained function on purpose
    # Everything is bound here, before any student code runs in this kernel.
    import base64
    import builtins
    import collections
    import json
    import sys
    import warnings

    import numpy as np

    _b64e, _b64d = base64.b64encode, base64.b64decode
    _dumps, _loads = json.dumps, json.loads
    _catch, _simplefilter = warnings.catch_warnings, warnings.simplefilter
    _array, _frombuffer = np.array, np.frombuffer
    _may_share, _shares, _errstate = np.may_share_memory, np.shares_memory, np.errstate
    _ndarray, _generic, _dtype = np.ndarray, np.generic, np.dtype
    _tobytes = np.ndarray.tobytes
    _namedtuple = collections.namedtuple
    _type, _isinstance, _getattr, _len = builtins.type, builtins.isinstance, builtins.getattr, \
        builtins.len
    _str, _repr, _float, _int, _bool = builtins.str, builtins.repr, builtins.float, \
        builtins.int, builtins.bool
    _tuple, _list, _dict, _all, _BaseException = builtins.tuple, builtins.list, \
        builtins.dict, builtins.all, builtins.BaseException
    _exec, _NameError, _ValueError = builtins.exec, builtins.NameError, builtins.ValueError
    _tuple_len, _tuple_iter = tuple.__len__, tuple.__iter__
    _builtin_names = _dict(builtins.__dict__)
    _modules, _import, _callable = sys.modules, builtins.__import__, builtins.callable
    _hasattr, _setattr, _min = builtins.hasattr, builtins.setattr, builtins.min
    _function_types = ("function", "method", "builtin_function_or_method", "method-wrapper")

    ns = globals()
    saved = {}
    kinds = "biufc"
    handles = {}
    max_handles = 256

    def npy(a):
        shape = ",".join([_str(n) for n in a.shape])
        return f"{a.dtype.str};{shape};{_b64e(_tobytes(a)).decode('ascii')}"

    def unnpy(b):
        dtype_text, shape_text, data = b.split(";", 2)
        shape = _tuple([_int(n) for n in shape_text.split(",")]) if shape_text else ()
        return _frombuffer(_b64d(data), dtype=_dtype(dtype_text)).reshape(shape).copy()

    def state(a):
        return (a.shape, a.dtype.str, _tobytes(a))

    def decode(v, leaves):
        t = v["t"]
        if t == "nd":
            a = _array(unnpy(v["b"]))
            leaves[v["leaf"]] = (a, state(a))
            return a
        if t == "np":
            return unnpy(v["b"])[()]
        if t == "float":
            return _float(v["v"])
        if t == "int":
            return _int(v["v"])
        if t == "bool":
            return _bool(v["v"])
        if t == "str":
            return _str(v["v"])
        if t == "none":
            return None
        if t in ("tuple", "list"):
            items = [decode(x, leaves) for x in v["items"]]
            return _tuple(items) if t == "tuple" else items
        if t == "namedtuple":
            items = [decode(x, leaves) for x in v["items"]]
            cls = ns.get(v["name"])
            if not (_isinstance(cls, _type)
                    and _getattr(cls, "_fields", None) == _tuple(v["fields"])):
                cls = _namedtuple(v["name"], v["fields"])
            return cls(*items)
        if t == "dict":
            return {k: decode(x, leaves) for k, x in v["items"].items()}
        if t == "keras_model":
            keras = _import("keras")
            model = keras.models.model_from_json(v["config"])
            model.set_weights([unnpy(b) for b in v["weights"]])
            if v.get("compile"):
                model.compile_from_config(_loads(v["compile"]))
            model.stop_training = _bool(v.get("stop_training"))
            return model
        if t == "handle":
            if v["id"] not in handles:
                raise _ValueError("this object no longer exists in the re-check kernel")
            return handles[v["id"]]
        raise _ValueError(f"cannot decode {t!r}")

    def keras_value(x, tx):
        """A Keras model, tensor or variable as plain data; None when ``x`` is none of them."""
        keras, tf = _modules.get("keras"), _modules.get("tensorflow")
        if keras is not None:
            if _isinstance(x, keras.Model):
                try:
                    config = x.to_json()
                    weights = [npy(_array(w)) for w in x.get_weights()]
                    compiled = _getattr(x, "compiled", False) is True
                    comp = _dumps(x.get_compile_config()) if compiled else None
                    if _type(config) is not str or (comp is not None and _type(comp) is not str):
                        raise _ValueError("not a config")
                    return {"t": "keras_model", "config": config[:5_000_000],
                            "weights": weights, "compile": comp,
                            "stop_training": _getattr(x, "stop_training", False) is True}
                except _BaseException as e:  # noqa: BLE001 - no config: not a Keras value
                    return {"t": "opaque",
                            "type": f"{tx.__name__} (no Keras config: {_str(e)[:300]})"}
            if _isinstance(x, keras.KerasTensor):
                return {"t": "opaque", "type": "KerasTensor (symbolic, has no value)"}
            if _isinstance(x, keras.Variable):
                return array_value(x.numpy())
        if tf is not None and tf.is_tensor(x):
            try:
                return array_value(x.numpy())
            except _BaseException:  # noqa: BLE001 - a symbolic tensor
                return {"t": "opaque", "type": "symbolic tensor"}
        return None

    def array_value(a):
        a = _array(a)
        if a.dtype.kind not in kinds or a.dtype.hasobject:
            return {"t": "opaque", "type": f"tensor of dtype {a.dtype.str}"}
        if a.ndim == 0:
            return {"t": "np", "b": npy(a)}
        return {"t": "nd", "b": npy(a)}

    def handle(x, tx):
        """Keep ``x`` here and send a handle to it (bounded)."""
        found = [key for key, kept in handles.items() if kept is x]
        if found:
            i = found[0]
        elif _len(handles) >= max_handles:
            return {"t": "opaque", "type": _str(_getattr(tx, "__name__", "?"))}
        else:
            i = _len(handles)
            handles[i] = x
        claims = []
        try:
            for base in _type.__dict__["__mro__"].__get__(tx)[:50]:
                module = _str(_type.__dict__["__module__"].__get__(base))
                if module == "keras" or module.startswith("keras."):
                    claims.append(f"{module}:{_str(base.__qualname__)}")
        except _BaseException:  # noqa: BLE001 - no claims then
            claims = []
        return {"t": "handle", "id": i, "type": _str(_getattr(tx, "__name__", "?"))[:100],
                "keras": claims}

    def encode(x, leaves, depth=0, keep=True):
        if depth > 20:
            return {"t": "opaque", "type": "too deeply nested"}
        tx = _type(x)
        if tx is _ndarray:
            if x.dtype.kind not in kinds or x.dtype.hasobject:
                return {"t": "opaque", "type": f"ndarray of dtype {x.dtype.str}"}
            out = {"t": "nd", "b": npy(x)}
            for i, (leaf, _) in leaves.items():
                if x is leaf:
                    out.update(alias=i, same=True)
                    break
                try:
                    if _may_share(x, leaf) and _shares(x, leaf, max_work=10**6):
                        out.update(alias=i, same=False)
                        break
                except _BaseException:  # noqa: BLE001 - too hard to decide: report sharing
                    out.update(alias=i, same=False)
                    break
            return out
        if _isinstance(x, _generic) and tx.__module__ == "numpy":
            if _dtype(tx).kind not in kinds:
                return {"t": "opaque", "type": _str(tx.__name__)}
            return {"t": "np", "b": npy(_array(x))}
        if tx is float:
            return {"t": "float", "v": _repr(x)}
        if tx is bool:
            return {"t": "bool", "v": x}
        if tx is int:
            return {"t": "int", "v": _str(x)}
        if tx is str:
            return {"t": "str", "v": x[:10000]}
        if x is None:
            return {"t": "none"}
        if tx is tuple or tx is list:
            if _len(x) > 10000:
                return {"t": "opaque", "type": f"{tx.__name__} of {_len(x)} items"}
            return {"t": tx.__name__, "items": [encode(i, leaves, depth + 1, keep) for i in x]}
        if (_isinstance(x, tuple) and _tuple_len(x) < 100
                and _type(_getattr(tx, "_fields", None)) is tuple
                and _all(_type(f) is str for f in tx._fields)):
            return {"t": "namedtuple", "name": _str(tx.__name__), "fields": _list(tx._fields),
                    "items": [encode(i, leaves, depth + 1, keep) for i in _tuple_iter(x)]}
        if tx is dict and _all(_type(k) is str for k in x) and _len(x) < 1000:
            return {"t": "dict",
                    "items": {k: encode(i, leaves, depth + 1, keep) for k, i in x.items()}}
        value = keras_value(x, tx)
        if value is not None:
            return value
        if not keep or tx is _ndarray or _isinstance(x, (_ndarray, _generic)):
            return {"t": "opaque", "type": _str(_getattr(tx, "__name__", "?"))}
        return handle(x, tx)

    def target(req):
        """What a ``call``/``hcall`` calls: a student name, a handle, or a handle's method."""
        if req["op"] == "call":
            fn = ns.get(req["name"])
            if fn is None:
                raise _NameError(f"name {req['name']!r} is not defined")
            return fn
        obj = decode({"t": "handle", "id": req["handle"]}, {})
        return obj if req.get("attr") is None else _getattr(obj, _str(req["attr"]))

    def call(req):
        leaves = {}
        reply = {}
        with _catch(record=True) as caught:
            _simplefilter("always")
            try:
                args = [decode(a, leaves) for a in req["args"]]
                kwargs = {k: decode(a, leaves) for k, a in req["kwargs"].items()}
                fn = target(req)
                with _errstate(**req.get("errstate", {})):
                    result = fn(*args, **kwargs)
                reply = {"ok": True, "result": encode(result, leaves)}
            except _BaseException as e:  # noqa: BLE001 - the grader decides what it means
                name = _type(e).__name__
                reply = {"ok": False, "exc": _str(name),
                         "builtin": _builtin_names.get(name) is _type(e),
                         "msg": _str(e)[:4000]}
        reply["warnings"] = [
            [w.category.__name__ if _isinstance(w.category, _type) else "UserWarning",
             _str(w.message)[:1000]]
            for w in caught[:50]
        ]
        changed = {}
        for i, (a, before) in leaves.items():
            if state(a) != before:
                changed[_str(i)] = npy(a) if a.dtype.kind in kinds else None
        reply["changed"] = changed
        return reply

    def bind(req):
        name = req["name"]
        if name not in saved:
            saved[name] = ns.get(name, saved)
        scope = {"np": np}
        _exec(req["source"], scope)
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

    def get(req):
        name = req["name"]
        if name not in ns:
            return {"ok": False, "exc": "NameError", "builtin": True,
                    "msg": f"name {name!r} is not defined"}
        return {"ok": True, "result": encode(ns[name], {}, keep=False)}

    def hget(req):
        try:
            obj = decode({"t": "handle", "id": req["handle"]}, {})
            value = _getattr(obj, _str(req["attr"]))
            if _type(value).__name__ in _function_types and _callable(value):
                return {"ok": True, "result": {"t": "method"}}
            return {"ok": True, "result": encode(value, {})}
        except _BaseException as e:  # noqa: BLE001 - reported as the student's error
            return {"ok": False, "exc": _str(_type(e).__name__),
                    "builtin": _builtin_names.get(_type(e).__name__) is _type(e),
                    "msg": _str(e)[:4000]}

    def hset(req):
        try:
            obj = decode({"t": "handle", "id": req["handle"]}, {})
            _setattr(obj, _str(req["attr"]), decode(req["value"], {}))
            return {"ok": True}
        except _BaseException as e:  # noqa: BLE001 - reported as the student's error
            return {"ok": False, "exc": _str(_type(e).__name__),
                    "builtin": _builtin_names.get(_type(e).__name__) is _type(e),
                    "msg": _str(e)[:4000]}

    ops = {"call": call, "get": get, "bind": bind, "restore": restore,
           "hcall": call, "hget": hget, "hset": hset}

    def serve_json(request):
        req = _loads(request)
        return _dumps(ops[req["op"]](req)).encode()

    def __course_recheck__(request):
        return _b64e(serve_json(_b64d(request))).decode("ascii")

    __course_recheck__.serve_json = serve_json
    return __course_recheck__


def __course_recheck_register__(serve):
    """Serve ``course_recheck_request`` shell messages directly (no cell execution): much
    faster than an ``execute_request`` per call. Only inside a running IPython kernel."""
    try:
        kernel = get_ipython().kernel  # noqa: F821 - defined in an IPython kernel
    except (NameError, AttributeError):
        return
    send = kernel.session.send
    error_type = BaseException
    name_of = type

    def handler(stream, idents, msg):
        try:
            reply = {"reply": serve(msg["content"]["request"])}
        except error_type as e:  # noqa: BLE001 - always answer, never leave the grader waiting
            reply = {"error": f"{name_of(e).__name__}: {e}"[:2000]}
        send(stream, "course_recheck_reply", reply, parent=msg, ident=idents)

    kernel.shell_handlers["course_recheck_request"] = handler

    # The fast path: one ``course_recheck_loop`` message makes the kernel serve requests from
    # a Unix socket the grader listens on (8-byte length, then JSON; the reply is b"R" + JSON
    # or b"E" + an error text) until the grader closes it. A call then costs a socket round
    # trip instead of a shell message with its status messages and signatures.
    import socket

    serve_json = serve.serve_json
    unix, stream_type, from_bytes = socket.AF_UNIX, socket.SOCK_STREAM, int.from_bytes
    new_socket = socket.socket

    def recv_exact(conn, n):
        chunks, left = [], n
        while left:
            chunk = conn.recv(left if left < 1 << 20 else 1 << 20)
            if not chunk:
                return None
            chunks.append(chunk)
            left -= len(chunk)
        return b"".join(chunks)

    def loop_handler(stream, idents, msg):
        served = 0
        try:
            conn = new_socket(unix, stream_type)
            conn.connect(msg["content"]["path"])
            while True:
                head = recv_exact(conn, 8)
                body = recv_exact(conn, from_bytes(head, "big")) if head else None
                if body is None:
                    break
                try:
                    out = b"R" + serve_json(body)
                except error_type as e:  # noqa: BLE001 - always answer
                    out = b"E" + f"{name_of(e).__name__}: {e}"[:2000].encode()
                conn.sendall(len(out).to_bytes(8, "big") + out)
                served += 1
            conn.close()
        except error_type:  # noqa: BLE001 - the grader sees the closed socket
            pass
        send(stream, "course_recheck_loop_reply", {"served": served}, parent=msg, ident=idents)

    kernel.shell_handlers["course_recheck_loop"] = loop_handler


__course_recheck__ = __course_recheck_factory__()
__course_recheck_register__(__course_recheck__)
del __course_recheck_factory__, __course_recheck_register__
