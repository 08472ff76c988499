"""Russian messages of course_utils.optimizers (English template -> Russian template)."""

MESSAGES: dict[str, str] = {
    "typical values are 0.001 to 0.1; a smaller lr takes smaller steps.":
        "обычные значения — от 0.001 до 0.1; чем меньше lr, тем короче шаги.",

    "`eps` must be a float >= 0. Received: eps={eps!r}.\n"
    "Hint: eps only keeps the division away from 0; 1e-8 is the usual value.":
        "Аргумент `eps` должен быть вещественным числом >= 0. Получено: eps={eps!r}.\n"
        "Подсказка: eps нужен только для того, чтобы не делить на 0; обычное значение — "
        "1e-8.",

    "`t` must be an integer >= 1, the number of this step. Received: t={t!r}.\n"
    "Hint: t = 1 on the first step, so that the bias correction 1 - beta1**t is "
    "not 0; add 1 after every step.":
        "Аргумент `t` должен быть целым числом >= 1 — номером текущего шага. "
        "Получено: t={t!r}.\n"
        "Подсказка: на первом шаге t = 1, чтобы коррекция смещения 1 - beta1**t не "
        "обращалась в 0; после каждого шага прибавляйте 1.",

    "pass the gradient of this parameter, e.g. grads[\"W1\"] for "
    "params[\"W1\"].":
        "передайте градиент именно этого параметра, например grads[\"W1\"] для "
        "params[\"W1\"].",

    "`{name}` starts as np.zeros_like(w) and keeps the shape "
    "of w.":
        "`{name}` сначала задаётся как np.zeros_like(w) и всегда сохраняет форму w.",

    "S is the moving average of dw**2, so it is never negative; did you pass the "
    "moving average of the gradients themselves (V of momentum) as `s`?":
        "S — скользящее среднее dw**2, поэтому оно не бывает отрицательным; не передали "
        "ли вы в качестве `s` скользящее среднее самих градиентов (V из метода моментов)?",

    "S is the moving average of dw**2, so it is never negative: are `v` and `s` "
    "swapped? adam_update takes (w, dw, v, s, t): V, the average of the "
    "gradients, comes before S, the average of their squares.":
        "S — скользящее среднее dw**2, поэтому оно не бывает отрицательным: не перепутаны "
        "ли `v` и `s`? adam_update принимает (w, dw, v, s, t): V, среднее градиентов, "
        "идёт раньше S, среднего их квадратов.",

    "`params` must be a dict of parameter name -> array. Received: "
    "{type_name}.\nHint: e.g. params = {{\"W1\": W1, \"b1\": b1}}; "
    "step() puts the new arrays into this dict.":
        "Аргумент `params` должен быть словарём вида имя параметра -> массив. "
        "Получено: {type_name}.\n"
        "Подсказка: например, params = {{\"W1\": W1, \"b1\": b1}}; step() записывает "
        "новые массивы в этот словарь.",

    "`grads` must be a dict of parameter name -> gradient array. Received: "
    "{type_name}.\nHint: use the keys of `params`, e.g. "
    "grads = {{\"W1\": dW1, \"b1\": db1}}.":
        "Аргумент `grads` должен быть словарём вида имя параметра -> массив градиента. "
        "Получено: {type_name}.\n"
        "Подсказка: используйте ключи `params`, например "
        "grads = {{\"W1\": dW1, \"b1\": db1}}.",

    "`grads` has no gradient for the parameter {name!r}. Received: "
    "grads keys {grads_keys}, params keys {params_keys}.\n"
    "Hint: pass one gradient per parameter, e.g. grads[{name!r}] for "
    "params[{name!r}].":
        "В `grads` нет градиента для параметра {name!r}. Получено: ключи grads "
        "{grads_keys}, ключи params {params_keys}.\n"
        "Подсказка: передайте по одному градиенту на каждый параметр, например "
        "grads[{name!r}] для params[{name!r}].",

    "`grads` has a gradient for {name!r}, which is not a parameter. Received: "
    "grads keys {grads_keys}, params keys {params_keys}.\n"
    "Hint: check the spelling; every key of grads must be a key of params.":
        "В `grads` есть градиент для {name!r}, но такого параметра нет. Получено: ключи "
        "grads {grads_keys}, ключи params {params_keys}.\n"
        "Подсказка: проверьте написание; каждый ключ grads должен быть ключом params.",

    "the gradient has the shape of its parameter; did you pass "
    "the gradient of another parameter as grads[{name!r}]?":
        "градиент имеет ту же форму, что и его параметр; не передали ли вы в "
        "grads[{name!r}] градиент другого параметра?",

    "params[{name!r}] changed shape since the previous step. Received: "
    "shape {shape}, state of shape {state_shape}.\n"
    "Hint: create a new optimizer for a new model.":
        "Форма params[{name!r}] изменилась с предыдущего шага. Получено: форма {shape}, "
        "а состояние оптимизатора имеет форму {state_shape}.\n"
        "Подсказка: для новой модели создайте новый оптимизатор.",

    "`{name}` must be an integer >= {minimum}. Received: {name}={value!r}.\n"
    "Hint: {hint}":
        "Аргумент `{name}` должен быть целым числом >= {minimum}. "
        "Получено: {name}={value!r}.\n"
        "Подсказка: {hint}",

    "pass one starting point, e.g. x0=np.array([-1.5, 2.0]).":
        "передайте одну начальную точку, например x0=np.array([-1.5, 2.0]).",

    "`optimizer` must be an optimizer object with a step(params, grads) method. "
    "Received: {optimizer!r}.\nHint: create it first, e.g. Adam(lr=0.01), not Adam.":
        "Аргумент `optimizer` должен быть объектом-оптимизатором с методом "
        "step(params, grads). Получено: {optimizer!r}.\n"
        "Подсказка: сначала создайте объект, например Adam(lr=0.01), а не просто Adam.",

    "e.g. steps=500.":
        "например, steps=500.",

    "`grad_fn` must return the gradient at x, of shape {shape}. Received: shape "
    "{grad_shape} at step {k}.\nHint: use the gradient function, e.g. "
    "rosenbrock_grad, not the function itself.":
        "Функция `grad_fn` должна возвращать градиент в точке x — массив формы {shape}. "
        "Получено: форма {grad_shape} на шаге {k}.\n"
        "Подсказка: передайте функцию градиента, например rosenbrock_grad, а не саму "
        "функцию.",

    "`minimize` stopped at step {k} of {steps}: the gradient at x={x} "
    "contains {kind}.\nHint: the path ran off to where the function blows up; "
    "this usually means lr is too large. Try a smaller lr.":
        "Функция `minimize` остановилась на шаге {k} из {steps}: градиент в точке x={x} "
        "содержит {kind}.\n"
        "Подсказка: траектория ушла в область, где значения функции становятся огромными; "
        "обычно это значит, что скорость обучения lr слишком велика. Попробуйте уменьшить "
        "lr.",

    "`X` and `y` must be arrays of samples. Received: X.shape={x_shape}, "
    "y.shape={y_shape}.\nHint: one sample per row, e.g. X of shape (n, d) and y of "
    "shape (n,).":
        "`X` и `y` должны быть массивами примеров. Получено: X.shape={x_shape}, "
        "y.shape={y_shape}.\n"
        "Подсказка: по одному примеру в строке, например X формы (n, d) и y формы (n,).",

    "`X` and `y` must have the same number of samples (rows). Received: "
    "len(X)={n_x}, len(y)={n_y}.\nHint: pass one target per sample; check "
    "that you did not pass X.T or mix a training and a test set.":
        "В `X` и `y` должно быть одинаковое число примеров (строк). Получено: "
        "len(X)={n_x}, len(y)={n_y}.\n"
        "Подсказка: передайте по одному целевому значению на каждый пример; проверьте, "
        "не передали ли вы X.T и не смешали ли обучающую и тестовую выборки.",

    "`X` is empty. Received: X.shape={x_shape}.\n"
    "Hint: pass at least one sample.":
        "Массив `X` пуст. Получено: X.shape={x_shape}.\n"
        "Подсказка: передайте хотя бы один пример.",

    "e.g. batch_size=32; use len(X) for full-batch "
    "gradient descent.":
        "например, batch_size=32; для градиентного спуска по всей выборке сразу "
        "(full-batch) используйте len(X).",

    "`shuffle` must be True or False. Received: shuffle={shuffle!r}.":
        "Аргумент `shuffle` должен быть True или False. Получено: shuffle={shuffle!r}.",

    "`rng` must be a numpy.random.Generator when shuffle=True. Received: "
    "rng={rng!r}.\nHint: create one with a seed, rng = np.random.default_rng(0), "
    "and pass the same rng for every epoch.":
        "Аргумент `rng` должен быть объектом numpy.random.Generator, если shuffle=True. "
        "Получено: rng={rng!r}.\n"
        "Подсказка: создайте его с фиксированным seed, rng = np.random.default_rng(0), "
        "и передавайте один и тот же rng в каждой эпохе.",
}
