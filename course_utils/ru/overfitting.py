"""Russian messages of course_utils.overfitting (English template -> Russian template)."""

MESSAGES: dict[str, str] = {
    "`{name}` must be an integer >= 0. Received: {name}={degree!r}.\n"
    "Hint: degree 0 is a constant, 1 a straight line, 3 a cubic.":
        "`{name}` должен быть целым числом >= 0. Получено: {name}={degree!r}.\n"
        "Подсказка: степень 0 — это константа, 1 — прямая, 3 — кубический многочлен.",

    # polynomial_features, fit_least_squares
    "pass one value per sample, shape (n,); use x.ravel() on "
    "(n, 1).":
        "передайте по одному значению на пример, форма (n,); массив формы (n, 1) "
        "вытяните через x.ravel().",

    "X is the design matrix, shape (n_samples, n_features), e.g. "
    "polynomial_features(x, degree).":
        "X — матрица объекты–признаки (design matrix) формы (n_samples, n_features), "
        "например polynomial_features(x, degree).",

    "pass one target per sample, shape (n,).":
        "передайте по одному целевому значению на пример, форма (n,).",

    "`X` and `y` must have the same number of samples. Received: X.shape={x_shape}, "
    "y.shape={y_shape}.\nHint: one row of X per target in y.":
        "В `X` и `y` должно быть одинаковое число примеров. Получено: X.shape={x_shape}, "
        "y.shape={y_shape}.\n"
        "Подсказка: каждому целевому значению в y соответствует одна строка X.",

    # polynomial_mse_curve
    "`degrees` is empty.\nHint: pass e.g. range(1, 16).":
        "Список `degrees` пуст.\nПодсказка: передайте, например, range(1, 16).",

    # generalization_gap
    "pass one value per epoch, e.g. history.history['loss'].":
        "передайте по одному значению на эпоху, например history.history['loss'].",

    "pass one value per epoch, e.g. "
    "history.history['val_loss'].":
        "передайте по одному значению на эпоху, например history.history['val_loss'].",

    "both curves must come from the same run, one value per epoch.":
        "обе кривые должны быть получены в одном и том же запуске обучения, по одному "
        "значению на эпоху.",

    # best_epoch
    '`mode` must be "min" or "max". Received: mode={mode!r}.\n'
    'Hint: "min" for a loss, "max" for accuracy.':
        'Аргумент `mode` должен быть "min" или "max". Получено: mode={mode!r}.\n'
        'Подсказка: "min" для функции потерь, "max" для доли правильных ответов (accuracy).',

    "`values` is None.\nHint: did a function forget to `return`?":
        "Аргумент `values` равен None.\n"
        "Подсказка: не забыла ли функция вернуть результат через `return`?",

    "`values` must be numbers, one per epoch. Received: {type_name}.\n"
    "Hint: pass e.g. history.history['val_loss'].":
        "Аргумент `values` должен состоять из чисел, по одному на эпоху. "
        "Получено: {type_name}.\n"
        "Подсказка: передайте, например, history.history['val_loss'].",

    "`values` must be a non-empty 1-D sequence, one value per epoch. Received: "
    "values.shape={shape}.\nHint: pass e.g. history.history['val_loss'].":
        "Аргумент `values` должен быть непустой одномерной последовательностью, по одному "
        "значению на эпоху. Получено: values.shape={shape}.\n"
        "Подсказка: передайте, например, history.history['val_loss'].",

    "every value of `values` is NaN, so no epoch is best.\n"
    "Hint: the training diverged; lower the learning rate.":
        "Все значения `values` равны NaN, поэтому лучшей эпохи нет.\n"
        "Подсказка: обучение разошлось; уменьшите скорость обучения.",
}
