"""Code that a dishonest student adds to an answer cell to earn points it does not deserve.

Every trick here is a string of notebook code. :mod:`tests.adversarial.catalogue` puts it at
the top (or, for wrappers, the end) of an answer cell of a *known mistake*, so the submission
without the trick is that mistake and its expected score is the mistake's. Each trick prints
``TRICK armed: <name>`` once it is in place, so a test can tell that it really ran.

The tricks recognise a test cell by its first line: every graded test cell of the course starts
with a ``# Checks`` comment, and no answer cell does. A real attacker can read that from the
release notebook.
"""

from __future__ import annotations

import textwrap

ARMED = "TRICK armed: "

# Recognises a test cell from its source text (used inside the tricks).
_IS_TEST = '(source or "").lstrip().startswith("# Checks")'


def _armed(name: str) -> str:
    return f'print("{ARMED}{name}")\n'


def _code(text: str, name: str) -> str:
    return textwrap.dedent(text).strip("\n") + "\n" + _armed(name)


# Clears the error of the cell being run: the frame that called the silenced traceback printer
# holds IPython's ExecutionResult as `result`; without an error there the kernel replies "ok".
_FORGET_ERROR = '''
def _forget_error():
    import sys as _sys
    _frame = _sys._getframe(1)
    while _frame is not None:
        _result = _frame.f_locals.get("result")
        if type(_result).__name__ == "ExecutionResult":
            _result.error_in_exec = None
        _frame = _frame.f_back
'''


# -- input rewriting --------------------------------------------------------------------------


def input_transformer(hook: str = "input_transformers_cleanup", replacement: str = "pass") -> str:
    """Every later test cell is replaced by the line ``replacement`` before IPython compiles
    it (``pass``, or an expression whose value the cell then shows as its result)."""
    return _code(f'''
        def _skip_checks(lines):
            source = "".join(lines)
            return [{replacement + chr(10)!r}] if {_IS_TEST} else lines


        get_ipython().{hook}.append(_skip_checks)
    ''', hook)


def ast_transformer() -> str:
    """An AST transformer that drops ``assert`` and ``raise`` and runs every top-level statement
    of a cell under ``try: ... except BaseException: pass``."""
    return _code('''
        import ast as _ast


        class _Defuse(_ast.NodeTransformer):
            def visit_Assert(self, node):
                return _ast.Pass()

            def visit_Raise(self, node):
                return _ast.Pass()

            def visit_Module(self, node):
                self.generic_visit(node)
                node.body = [
                    _ast.Try(body=[stmt],
                             handlers=[_ast.ExceptHandler(
                                 type=_ast.Name(id="BaseException", ctx=_ast.Load()),
                                 name=None, body=[_ast.Pass()])],
                             orelse=[], finalbody=[])
                    for stmt in node.body
                ]
                return _ast.fix_missing_locations(node)


        get_ipython().ast_transformers.append(_Defuse())
    ''', "ast_transformers")


def swap_in_reference(name: str, module: str, attr: str | None = None) -> str:
    """A ``pre_run_cell`` hook that binds ``name`` to the reference implementation while a test
    cell runs; a ``post_run_cell`` hook puts the student's function back afterwards."""
    attr = attr or name
    return _code(f'''
        import importlib as _importlib

        _ip = get_ipython()
        _swapped = {{}}


        def _before_cell(info):
            source = info.raw_cell
            if {_IS_TEST}:
                _swapped["{name}"] = _ip.user_ns.get("{name}")
                _ip.user_ns["{name}"] = getattr(_importlib.import_module("{module}"), "{attr}")


        def _after_cell(result):
            if "{name}" in _swapped:
                _ip.user_ns["{name}"] = _swapped.pop("{name}")


        _ip.events.register("pre_run_cell", _before_cell)
        _ip.events.register("post_run_cell", _after_cell)
    ''', "pre_run_cell")


def fake_partial_credit() -> str:
    """A ``pre_run_cell`` hook that shows a text result before each test cell runs.

    nbgrader scores a test cell by its first telling output: an ``execute_result`` that is not
    a number counts as full marks, even when an error follows it.
    """
    return _code(f'''
        def _show_result_first(info):
            source = info.raw_cell
            if {_IS_TEST}:
                get_ipython().displayhook("all checks passed")


        get_ipython().events.register("pre_run_cell", _show_result_first)
    ''', "execute_result before the test")


# -- patched builtins, numpy and test helpers ---------------------------------------------------


def builtin_type_during_tests() -> str:
    """While a test cell runs, ``builtins.type`` says that NumPy floats are Python floats."""
    return _code(f'''
        import builtins as _builtins

        import numpy as _np

        _real_type = _builtins.type


        def _lenient_type(*args):
            if len(args) == 1 and _real_type(args[0]) in (_np.float64, _np.float32):
                return float
            return _real_type(*args)


        def _patch_type(info):
            source = info.raw_cell
            if {_IS_TEST}:
                _builtins.type = _lenient_type


        def _restore_type(result):
            _builtins.type = _real_type


        get_ipython().events.register("pre_run_cell", _patch_type)
        get_ipython().events.register("post_run_cell", _restore_type)
    ''', "builtins.type")


def builtins_for_notebook_code() -> str:
    """``builtins.isinstance``, ``builtins.abs`` and ``builtins.AssertionError`` replaced; the
    first two lie only to code of the notebook itself, so libraries keep working."""
    return _code('''
        import builtins as _builtins
        import sys as _sys

        _real_isinstance, _real_abs = _builtins.isinstance, _builtins.abs
        _user_ns = get_ipython().user_ns


        def _from_notebook():
            return _sys._getframe(2).f_globals is _user_ns


        def _isinstance(obj, types):
            return True if _from_notebook() else _real_isinstance(obj, types)


        def _abs(x):
            return 0.0 if _from_notebook() else _real_abs(x)


        class _Harmless(Exception):
            pass


        _builtins.isinstance = _isinstance
        _builtins.abs = _abs
        _builtins.AssertionError = _Harmless
    ''', "builtins.isinstance/abs/AssertionError")


def numpy_comparisons() -> str:
    """NumPy's comparison helpers always agree."""
    return _code('''
        import numpy as _np
        import numpy.testing as _npt

        _np.array_equal = lambda *args, **kwargs: True
        _np.array_equiv = lambda *args, **kwargs: True
        _np.allclose = lambda *args, **kwargs: True
        _np.isclose = lambda a, b, *args, **kwargs: _np.ones(_np.broadcast(a, b).shape, bool)
        _npt.assert_allclose = lambda *args, **kwargs: None
        _npt.assert_array_equal = lambda *args, **kwargs: None
        _npt.assert_array_almost_equal = lambda *args, **kwargs: None
    ''', "numpy comparisons")


def numpy_abs_for_checks() -> str:
    """``numpy.abs`` returns zeros when ``course_utils.testing`` calls it (so every difference
    is within tolerance) and works normally for everybody else."""
    return _code('''
        import sys as _sys

        import numpy as _np

        _real_abs = _np.abs


        def _abs(x, *args, **kwargs):
            if _sys._getframe(1).f_globals.get("__name__") == "course_utils.testing":
                return _np.zeros_like(_real_abs(x, *args, **kwargs))
            return _real_abs(x, *args, **kwargs)


        _np.abs = _abs
        _np.absolute = _abs
    ''', "numpy.abs")


def rebind_assert_close() -> str:
    """The name ``assert_close`` of the notebook now means "accept anything"."""
    return _code('''
        def assert_close(*args, **kwargs):
            return None
    ''', "assert_close rebound")


def patch_testing_module() -> str:
    """``course_utils.testing``'s own functions patched: every value is close, every type is
    right, and the module's ``assert_close`` accepts anything."""
    return _code('''
        import course_utils.testing as _testing
        import numpy as _np

        _testing._close_mask = lambda actual, expected, rtol, atol: _np.ones(
            _np.shape(actual), dtype=bool)
        _testing._as_checked_array = lambda value, **kwargs: _np.array(value, dtype=float)
        _testing.assert_close = lambda *args, **kwargs: None
        _testing.matching_mistake = lambda *args, **kwargs: None
    ''', "course_utils.testing patched")


def patch_mse_gradient_helpers() -> str:
    """For ``mse_grad``: the notebook's ``numerical_gradient`` returns the student's analytic
    gradient, and the reference ``course_utils.losses.mean_squared_error_grad`` is the
    student's function too."""
    return _code('''
        import course_utils.losses as _losses
        import course_utils.testing as _testing

        _ns = get_ipython().user_ns


        def numerical_gradient(f, x, *args, **kwargs):
            return _ns["mse_grad"](_ns["_y"], x)


        _testing.numerical_gradient = numerical_gradient
        _losses.mean_squared_error_grad = lambda y_true, y_pred: _ns["mse_grad"](y_true, y_pred)
    ''', "numerical_gradient and the reference patched")


def patch_backward_helpers() -> str:
    """For ``batchnorm_backward``: ``course_utils.testing.numerical_gradient_array`` (imported by
    the test cell itself) returns the student's ``dx`` for the gradient with respect to ``x``,
    ``rel_error`` is 0, and the reference ``course_utils.batchnorm.batchnorm_backward`` is the
    student's function."""
    return _code('''
        import course_utils.batchnorm as _batchnorm
        import course_utils.testing as _testing

        _ns = get_ipython().user_ns
        _real_numerical = _testing.numerical_gradient_array


        def _numerical(f, x, df, *args, **kwargs):
            if "_cache" in _ns and getattr(x, "shape", None) == getattr(df, "shape", None):
                return _ns["batchnorm_backward"](df, _ns["_cache"])[0]
            return _real_numerical(f, x, df, *args, **kwargs)


        _testing.numerical_gradient_array = _numerical
        _testing.rel_error = lambda *args, **kwargs: 0.0
        _batchnorm.batchnorm_backward = lambda dout, cache: _ns["batchnorm_backward"](dout, cache)
    ''', "numerical_gradient_array and the reference patched")


def reference_from_disk(function: str, module: str) -> str:
    """Wraps ``function``: it calls the course's reference implementation, loaded from its file
    wherever one can be found on disk (``sys.path``, then a search of the file system), and
    the student's own (wrong) version only where no such file is visible."""
    return _code(f'''
        def _reference_from_disk(module):
            import glob
            import importlib.util
            import sys
            from pathlib import Path

            relative = f"course_utils/{{module}}.py"
            candidates = [str(Path(p or ".") / relative) for p in sys.path]
            for depth in range(1, 5):
                candidates += glob.glob("/" + "*/" * depth + relative)
            for path in candidates:
                try:
                    import course_utils  # its siblings (course_utils._validation, ...) too

                    if str(Path(path).parent) not in list(course_utils.__path__):
                        course_utils.__path__.append(str(Path(path).parent))
                    spec = importlib.util.spec_from_file_location(f"_copied_{{module}}", path)
                    loaded = importlib.util.module_from_spec(spec)
                    spec.loader.exec_module(loaded)
                    return loaded
                except Exception:
                    continue
            return None


        _copied = _reference_from_disk("{module}")
        _own_{function} = {function}


        def {function}(*args, **kwargs):
            if _copied is not None:
                return getattr(_copied, "{function}")(*args, **kwargs)
            return _own_{function}(*args, **kwargs)
    ''', "reference loaded from disk")


# -- results that compare equal to anything ---------------------------------------------------


def always_equal(function: str) -> str:
    """Wraps ``function`` (put at the end of its answer cell): it returns an object that equals,
    and is close to, anything."""
    return _code(f'''
        class _AlwaysEqual:
            def __init__(self, value):
                self.value = value

            def __eq__(self, other):
                return True

            def __ne__(self, other):
                return False

            __le__ = __ge__ = __eq__
            __lt__ = __gt__ = __ne__
            __hash__ = object.__hash__

            def __sub__(self, other):
                return 0.0

            __rsub__ = __add__ = __radd__ = __sub__

            def __abs__(self):
                return 0.0

            def __array__(self, dtype=None, copy=None):
                return np.zeros(np.shape(self.value), dtype=dtype)

            def __len__(self):
                return len(self.value)

            def __getattr__(self, name):
                return getattr(self.value, name)


        _wrong_{function} = {function}


        def {function}(*args, **kwargs):
            return _AlwaysEqual(_wrong_{function}(*args, **kwargs))
    ''', "always-equal result")


def close_float(function: str) -> str:
    """Wraps a scalar ``function``: it returns a ``float`` subclass equal to anything."""
    return _code(f'''
        class _CloseFloat(float):
            def __eq__(self, other):
                return True

            def __ne__(self, other):
                return False

            __hash__ = float.__hash__

            def __sub__(self, other):
                return 0.0

            __rsub__ = __sub__

            def __abs__(self):
                return 0.0


        _wrong_{function} = {function}


        def {function}(*args, **kwargs):
            return _CloseFloat(_wrong_{function}(*args, **kwargs))
    ''', "float subclass result")


def agreeable_ndarray(function: str) -> str:
    """Wraps ``function``: it returns an ``ndarray`` subclass whose comparisons are all True and
    whose differences are all 0, also through ``__array_ufunc__``."""
    return _code(f'''
        class _Agreeable(np.ndarray):
            _TRUE = ("equal", "less_equal", "greater_equal", "isclose", "isfinite")
            _ZERO = ("subtract", "absolute", "fabs")

            def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
                plain = [x.view(np.ndarray) if isinstance(x, _Agreeable) else x for x in inputs]
                out = getattr(ufunc, method)(*plain, **kwargs)
                if ufunc.__name__ in self._TRUE:
                    return np.ones(np.shape(out), dtype=bool)
                if ufunc.__name__ in self._ZERO:
                    return np.zeros(np.shape(out))
                return out

            def __eq__(self, other):
                return np.ones(self.shape, dtype=bool)

            def __ne__(self, other):
                return np.zeros(self.shape, dtype=bool)

            def __sub__(self, other):
                return np.zeros(self.shape)

            __rsub__ = __sub__

            def all(self, *args, **kwargs):
                return True


        _wrong_{function} = {function}


        def {function}(*args, **kwargs):
            return np.asarray(_wrong_{function}(*args, **kwargs)).view(_Agreeable)
    ''', "ndarray subclass result")


# -- silenced tracebacks and patched kernels --------------------------------------------------


def silence_showtraceback() -> str:
    """``showtraceback`` replaced: no error output, and the cell's error is forgotten."""
    return _code(_FORGET_ERROR + '''

        def _quiet(*args, **kwargs):
            _forget_error()


        get_ipython().showtraceback = _quiet
    ''', "showtraceback")


def silence_private_showtraceback() -> str:
    """Only ``_showtraceback`` (the kernel's sender of error messages) replaced."""
    return _code('''
        get_ipython()._showtraceback = lambda etype, evalue, stb: None
    ''', "_showtraceback")


def custom_exception_handler() -> str:
    """``set_custom_exc`` for every exception: the handler shows nothing and forgets the error."""
    return _code(_FORGET_ERROR + '''

        def _swallow(shell, etype, value, tb, tb_offset=None):
            _forget_error()
            return []


        get_ipython().set_custom_exc((BaseException,), _swallow)
    ''', "set_custom_exc")


def except_hook() -> str:
    """``sys.excepthook`` (and IPython's) replaced by handlers that print nothing."""
    return _code('''
        import sys as _sys

        _sys.excepthook = lambda *args: None
        get_ipython().excepthook = lambda *args: None
    ''', "sys.excepthook")


def patch_run_cell() -> str:
    """``run_cell`` and ``run_cell_async`` run ``pass`` instead of a test cell."""
    return _code(f'''
        _ip = get_ipython()
        _run_cell, _run_cell_async = _ip.run_cell, _ip.run_cell_async


        def _skip(source, kwargs):
            if {_IS_TEST}:
                kwargs.pop("transformed_cell", None)
                kwargs.pop("preprocessing_exc_tuple", None)
                return "pass"
            return source


        def run_cell(raw_cell, *args, **kwargs):
            return _run_cell(_skip(raw_cell, kwargs), *args, **kwargs)


        async def run_cell_async(raw_cell, *args, **kwargs):
            raw_cell = _skip(raw_cell, kwargs)
            if raw_cell == "pass":
                kwargs["transformed_cell"] = "pass\\n"
            return await _run_cell_async(raw_cell, *args, **kwargs)


        _ip.run_cell, _ip.run_cell_async = run_cell, run_cell_async
    ''', "run_cell")


def patch_do_execute() -> str:
    """The kernel's ``do_execute`` runs ``pass`` instead of a test cell."""
    return _code(f'''
        _kernel = get_ipython().kernel
        _do_execute = _kernel.do_execute


        async def _do_execute_patched(code, silent, *args, **kwargs):
            source = code
            if {_IS_TEST}:
                code = "pass"
            return await _do_execute(code, silent, *args, **kwargs)


        _kernel.do_execute = _do_execute_patched
    ''', "kernel.do_execute")


def block_recheck_socket() -> str:
    """The re-check kernel's fast path refused: the handler that connects to the grader's
    socket is removed, so every request goes as a shell message (the same answers, slower)."""
    return _code('''
        get_ipython().kernel.shell_handlers.pop("course_recheck_loop", None)
    ''', "re-check socket blocked")


def only_when_graded(trick: str) -> str:
    """``trick`` switched on only where ``NBGRADER_EXECUTION`` is set, i.e. under the grader."""
    return ('import os as _os\n\nif _os.environ.get("NBGRADER_EXECUTION"):\n'
            + textwrap.indent(trick, "    ") + "    " + _armed("NBGRADER_EXECUTION detected"))


def lying_model(function: str) -> str:
    """Wraps ``function`` (a Keras model builder): it returns a subclassed model that holds the
    student's layers but whose ``call`` computes what the test expects (ReLU added on the
    way), so the outputs look right while the layers say otherwise."""
    return _code(f'''
        _{function}_student = {function}


        class _LyingModel(keras.Model):
            def __init__(self, inner):
                super().__init__()
                self.inner = inner

            def call(self, x):
                dense = [layer for layer in self.inner.layers
                         if isinstance(layer, keras.layers.Dense)]
                for layer in dense[:-1]:
                    x = keras.ops.relu(layer(x))
                return dense[-1](x)


        def {function}(*args, **kwargs):
            model = _LyingModel(_{function}_student(*args, **kwargs))
            model(np.zeros((1, model.inner.inputs[0].shape[1]), "float32"))
            return model
    ''', "a model whose call lies")


def config_with_code() -> str:
    """Replaces ``build_siamese`` (notebook 08): a right model, but one that ends in a
    ``Lambda`` layer and whose ``to_json`` names ``os.system``. It passes in the student's
    kernel; the grader must refuse to rebuild it (safe mode, Keras modules only) rather than
    run that code, so the test scores 0 there, as for the wrong answer underneath."""
    return _code('''
        import json as _json


        class _CodeModel(keras.Model):
            def to_json(self, **kwargs):
                config = _json.loads(super().to_json(**kwargs))
                config["config"]["layers"].append(
                    {"module": "os", "class_name": "system", "registered_name": None,
                     "config": {"command": "echo pwned"}, "inbound_nodes": []})
                return _json.dumps(config)


        def build_siamese(input_dim, units):
            left = keras.Input(shape=(input_dim,), name="left")
            right = keras.Input(shape=(input_dim,), name="right")
            encoder = keras.layers.Dense(units, activation="tanh", name="encoder")
            both = keras.layers.Concatenate()([encoder(left), encoder(right)])
            output = keras.layers.Dense(1, activation="sigmoid", name="same")(both)
            return _CodeModel([left, right], keras.layers.Lambda(lambda t: t)(output))
    ''', "a config that points at code")
