"""Russian messages of course_utils.validation (English template -> Russian template).

Also the messages of ``course_utils/__init__.py`` (``seed_everything``) and the
``"{message}\\nHint: {hint}"`` that both ``_validation._fail`` and ``testing._fail`` use.
"""

MESSAGES: dict[str, str] = {
    # The hint line of every message.
    "{message}\nHint: {hint}":
        "{message}\nПодсказка: {hint}",

    # as_float_array / check_nonempty
    " or ":
        " или ",
    "`{name}` must have {want} dimension(s). Received: {name}.shape={shape}.":
        "Число измерений (ndim) `{name}` должно быть равно {want}. "
        "Получено: {name}.shape={shape}.",
    "check the shape; a batch of samples is usually (n_samples, ...).":
        "проверьте форму массива; батч примеров обычно имеет форму (n_samples, ...).",
    "`{name}` is empty. Received: {name}.shape={shape}.":
        "`{name}` пуст. Получено: {name}.shape={shape}.",
    "pass at least one sample.":
        "передайте хотя бы один пример.",

    # as_real_array
    "`{name}` is None.":
        "`{name}` равен None.",
    "did a function forget to `return` its result?":
        "не забыла ли функция вернуть результат через `return`?",
    "`{name}` must be numbers (an array of floats). Received: {type_name} "
    "that numpy cannot convert ({exc}).":
        "`{name}` должен состоять из чисел (массив чисел с плавающей точкой). "
        "Получено: объект типа {type_name}, который numpy не может преобразовать ({exc}).",
    "pass a numpy array or a list of numbers of equal lengths.":
        "передайте массив numpy или список чисел (вложенные списки — одинаковой длины).",
    "`{name}` holds an integer too large for a float (above 1.8e308). Received: "
    "{type_name} of Python integers.":
        "`{name}` содержит целое число, слишком большое для float (больше 1.8e308). "
        "Получено: {type_name} из целых чисел Python.",
    "pass ordinary numbers; such a value usually comes from an integer power that "
    "grew without bound (use floats: 2.0 ** k instead of 2 ** k).":
        "передайте обычные числа; такое значение обычно получается из целочисленной степени, "
        "которая неограниченно растёт (используйте float: 2.0 ** k вместо 2 ** k).",

    # check_finite
    "`{name}` contains {kind} (first at index {idx}; {count} non-finite "
    "value(s) in all).":
        "`{name}` содержит {kind} (первое такое значение — по индексу {idx}; "
        "всего неконечных значений: {count}).",
    "NaN usually comes from log(0), 0/0 or a diverging update; check the step "
    "before.":
        "NaN обычно возникает из-за log(0), 0/0 или расходящегося обновления; "
        "проверьте предыдущий шаг.",

    # check_same_shape
    "`{name_a}` and `{name_b}` must have the same shape. Received: "
    "{name_a}.shape={shape_a}, {name_b}.shape={shape_b}.":
        "`{name_a}` и `{name_b}` должны иметь одинаковую форму. Получено: "
        "{name_a}.shape={shape_a}, {name_b}.shape={shape_b}.",
    "pass one value of `{name_b}` for each value of `{name_a}`.":
        "передайте по одному значению `{name_b}` на каждое значение `{name_a}`.",

    # check_in_range / check_probabilities
    "`{name}` must lie in [{low}, {high}]. "
    "Received: {name}{index}={value!r} "
    "({count} value(s) outside).":
        "Значения `{name}` должны лежать в [{low}, {high}]. "
        "Получено: {name}{index}={value!r} (значений вне диапазона: {count}).",
    "these look like logits or scores; apply a sigmoid/softmax first, "
    "or use from_logits=True.":
        "похоже, это логиты или ненормированные оценки; сначала примените sigmoid/softmax "
        "или передайте from_logits=True.",
    "each row of `{name}` must sum to 1 along axis {axis}. Received: a row "
    "summing to {total!r}.":
        "Сумма каждой строки `{name}` по оси {axis} должна быть равна 1. "
        "Получено: строка с суммой {total!r}.",
    "apply softmax to the scores, or normalise each row by its sum.":
        "примените softmax к оценкам или разделите каждую строку на её сумму.",

    # _check_scalar
    "`{name}` must be a real number. Received: {name}={value!r} "
    "of type {type_name}.":
        "`{name}` должен быть вещественным числом. Получено: {name}={value!r} "
        "типа {type_name}.",
    "pass a plain number such as 0.1 (not True/False, text, an array or a "
    "complex number).":
        "передайте обычное число, например 0.1 (не True/False, не текст, не массив "
        "и не комплексное число).",
    "`{name}` is an integer too large for a float (above 1.8e308). "
    "Received: {name} with {digits} digits.":
        "`{name}` — целое число, слишком большое для float (больше 1.8e308). "
        "Получено: {name}, число цифр: {digits}.",
    "pass an ordinary number such as 0.1.":
        "передайте обычное число, например 0.1.",
    "`{name}` must be finite. Received: {name}={value!r}.":
        "`{name}` должен быть конечным числом. Получено: {name}={value!r}.",
    "NaN or inf here usually comes from a computation that diverged.":
        "NaN или inf здесь обычно означает, что вычисление разошлось.",

    # check_beta / check_positive
    "`{name}` must be a float in [0, 1). Received: {name}={value!r}.":
        "`{name}` должен быть числом с плавающей точкой из [0, 1). Получено: {name}={value!r}.",
    "typical values are 0.9 for a moving average of gradients and 0.999 for "
    "squares; beta=1 would never move away from the initial 0.":
        "типичные значения — 0.9 для скользящего среднего градиентов и 0.999 для их "
        "квадратов; при beta=1 среднее никогда не сдвинется с начального 0.",
    "`{name}` must be positive. Received: {name}={value!r}.":
        "`{name}` должен быть положительным. Получено: {name}={value!r}.",

    # check_real_dtype
    "`{name}` must hold real numbers. Received: complex numbers (dtype={dtype}), "
    "e.g. {name}{index}={value!r}.":
        "`{name}` должен содержать вещественные числа. Получено: комплексные числа "
        "(dtype={dtype}), например {name}{index}={value!r}.",
    "complex numbers usually come from the root or log of a negative number in "
    "complex arithmetic; keep the values real, or pass np.real(...) if the "
    "imaginary part is really 0.":
        "комплексные числа обычно появляются, когда в комплексной арифметике берут корень "
        "или логарифм отрицательного числа; оставьте значения вещественными или передайте "
        "np.real(...), если мнимая часть действительно равна 0.",
    "`{name}` must hold numbers, not True/False. Received: a boolean array "
    "(dtype=bool, shape {shape}).":
        "`{name}` должен содержать числа, а не True/False. Получено: булев массив "
        "(dtype=bool, форма {shape}).",
    "did you pass a comparison (such as x > 0) instead of the values? If True/False "
    "stand for 1/0, convert with {name}.astype(float).":
        "не передали ли вы сравнение (например, x > 0) вместо самих значений? Если "
        "True/False означают 1/0, преобразуйте их: {name}.astype(float).",
    "`{name}` must hold numbers, not text. Received: strings (dtype={dtype}).":
        "`{name}` должен содержать числа, а не текст. Получено: строки (dtype={dtype}).",
    "convert numbers read as text with np.asarray({name}, dtype=float).":
        "преобразуйте числа, прочитанные как текст: np.asarray({name}, dtype=float).",
    "`{name}` must hold numbers. Received: dtype={dtype}.":
        "`{name}` должен содержать числа. Получено: dtype={dtype}.",
    "pass a numpy array of floats.":
        "передайте массив numpy из чисел с плавающей точкой.",

    # check_int64_range / check_nonnegative
    "`{name}` must hold integers in the int64 range [{low}, {high}]. "
    "Received: {name}{index}={value!r} ({count} value(s) "
    "outside).":
        "`{name}` должен содержать целые числа из диапазона int64 [{low}, {high}]. "
        "Получено: {name}{index}={value!r} (значений вне диапазона: {count}).",
    "class labels are small integers; re-encode other values with "
    "`classes, y = np.unique(y, return_inverse=True)`.":
        "метки классов — небольшие целые числа; перекодируйте другие значения: "
        "`classes, y = np.unique(y, return_inverse=True)`.",
    "`{name}` must be >= 0. Received: {name}{index}={value!r} "
    "({count} negative value(s)).":
        "Значения `{name}` должны быть >= 0. Получено: {name}{index}={value!r} "
        "(отрицательных значений: {count}).",

    # course_utils/__init__.py: seed_everything
    "`seed` must be a non-negative integer. Received: seed={seed!r}.\n"
    "Hint: use a fixed number such as 42 so that every run draws the same numbers.":
        "`seed` должен быть неотрицательным целым числом. Получено: seed={seed!r}.\n"
        "Подсказка: используйте фиксированное число, например 42, чтобы при каждом запуске "
        "получались одни и те же числа.",
}
