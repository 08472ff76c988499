"""Russian messages of course_utils.landscapes (English template -> Russian template)."""

MESSAGES: dict[str, str] = {
    "pass one point as [x, y] (shape (2,)) or several points as rows of an array of "
    "shape (n, 2), e.g. np.column_stack([xs, ys]).":
        "передайте одну точку как [x, y] (форма (2,)) или несколько точек строками "
        "массива формы (n, 2), например np.column_stack([xs, ys]).",

    "`p` must hold points (x, y): shape (2,) or (n, 2). Received: p.shape={shape}.\n"
    "Hint: pass one point as [x, y] (shape (2,)) or several points as rows of an array "
    "of shape (n, 2), e.g. np.column_stack([xs, ys]).":
        "Массив `p` должен содержать точки (x, y): форма (2,) или (n, 2). "
        "Получено: p.shape={shape}.\n"
        "Подсказка: передайте одну точку как [x, y] (форма (2,)) или несколько точек "
        "строками массива формы (n, 2), например np.column_stack([xs, ys]).",

    "b=100 is the usual choice.":
        "обычно берут b=100.",

    "`scales` must be two numbers (s1, s2). Received: scales={scales!r}.\n"
    "Hint: e.g. scales=(1.0, 50.0) makes y fifty times steeper than x.":
        "Аргумент `scales` должен состоять из двух чисел (s1, s2). "
        "Получено: scales={scales!r}.\n"
        "Подсказка: например, при scales=(1.0, 50.0) функция вдоль y в пятьдесят раз "
        "круче, чем вдоль x.",

    "`{name}` must be two numbers (low, high). Received: {name}={lim!r}.\n"
    "Hint: e.g. {name}=(-2.0, 2.0).":
        "Аргумент `{name}` должен состоять из двух чисел (low, high). "
        "Получено: {name}={lim!r}.\n"
        "Подсказка: например, {name}=(-2.0, 2.0).",

    "`{name}` must be finite with low < high. Received: {name}={lim!r}.\n"
    "Hint: write the smaller end first, e.g. (-2.0, 2.0).":
        "Аргумент `{name}` должен состоять из конечных чисел, причём low < high. "
        "Получено: {name}={lim!r}.\n"
        "Подсказка: сначала запишите меньший конец, например (-2.0, 2.0).",

    "`n` must be an integer >= 2 (grid points per axis). Received: n={n!r}.\n"
    "Hint: 200 gives smooth contours; use 50 for a quick look.":
        "Аргумент `n` должен быть целым числом >= 2 (число узлов сетки по каждой оси). "
        "Получено: n={n!r}.\n"
        "Подсказка: при n=200 линии уровня получаются гладкими; чтобы быстро взглянуть, "
        "хватит 50.",

    "`f` must return one value per point: shape ({n_points},) for {n_points} points of "
    "shape ({n_points}, 2). Received: shape {shape}.\n"
    "Hint: write f with p[..., 0] and p[..., 1] so that it works on rows of points.":
        "Функция `f` должна возвращать по одному значению на точку: форму ({n_points},) "
        "для {n_points} точек в массиве формы ({n_points}, 2). Получено: форма {shape}.\n"
        "Подсказка: записывайте f через p[..., 0] и p[..., 1], чтобы она работала со "
        "строками точек.",
}
