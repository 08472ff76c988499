"""Russian messages of course_utils.batchnorm (English template -> Russian template).

``"{message}\\nHint: {hint}"`` (used by ``_rehint`` and ``_check_feature_vector``) is in
``course_utils/ru/validation.py``, next to ``_validation._fail`` that uses it too.
"""

MESSAGES: dict[str, str] = {
    # hints given to the shared checks
    "Keras uses epsilon=1e-3; eps only keeps the division defined when a feature's "
    "variance is 0, so it must be a small positive number.":
        "в Keras epsilon=1e-3; eps нужен лишь для того, чтобы деление имело смысл, когда "
        "дисперсия признака равна 0, поэтому это должно быть небольшое положительное число.",

    "Keras's default is momentum=0.99: the running statistics keep 99% of their "
    "old value and take 1% of the batch; momentum=1 would never update them.":
        "по умолчанию в Keras momentum=0.99: скользящие статистики сохраняют 99% прежнего "
        "значения и берут 1% от статистик мини-батча; при momentum=1 они бы никогда не "
        "обновлялись.",

    "batch normalization works on a batch of shape (N, D): N samples, D features; "
    "reshape one sample with x[None, :], a flat vector of one feature with "
    "x[:, None].":
        "батч-нормализация работает с мини-батчем формы (N, D): N примеров, D признаков; "
        "один пример приведите к этой форме через x[None, :], а плоский вектор значений "
        "одного признака — через x[:, None].",

    "`{name}` holds one number per feature: shape (D,), not (1, D) or (N, D).":
        "`{name}` содержит по одному числу на признак: форма (D,), а не (1, D) или (N, D).",

    "`{name}` must have shape (D,) = ({num_features},), one value per feature (column) "
    "of `{x_name}`. Received: {name}.shape={shape}, {x_name}.shape=(N, "
    "{num_features}).":
        "Массив `{name}` должен иметь форму (D,) = ({num_features},): по одному значению "
        "на каждый признак (столбец) `{x_name}`. Получено: {name}.shape={shape}, "
        "{x_name}.shape=(N, {num_features}).",

    "statistics and parameters are per feature "
    "(axis=0 reduces over the batch).":
        "статистики и параметры задаются отдельно для каждого признака (axis=0 — это "
        "вычисление по примерам мини-батча).",

    "`{name}` is a variance, the mean of *squared* "
    "deviations; did you forget the square?":
        "`{name}` — это дисперсия, среднее *квадратов* отклонений; не забыли ли вы "
        "возвести отклонения в квадрат?",

    "all four statistics hold one value per "
    "feature.":
        "все четыре статистики содержат по одному значению на признак.",

    "take the mean over the batch, axis=0.":
        "вычисляйте среднее по мини-батчу, axis=0.",

    "take the variance over the batch, axis=0.":
        "вычисляйте дисперсию по мини-батчу, axis=0.",

    # batchnorm_forward
    "batchnorm_forward got a batch of one sample: its variance is 0, so every output "
    "equals `beta`. Normalise batches of at least 2 samples, or use the running "
    "statistics (batchnorm_inference, or BatchNorm(...)(x, training=False)) to "
    "control this.":
        "Функция batchnorm_forward получила мини-батч из одного примера: его дисперсия "
        "равна 0, поэтому каждый выход равен `beta`. Нормализуйте мини-батчи хотя бы из "
        "2 примеров или используйте скользящие статистики (batchnorm_inference или "
        "BatchNorm(...)(x, training=False)), чтобы этого избежать.",

    # batchnorm_backward
    "`cache` must be the BatchNormCache returned by batchnorm_forward. Received: "
    "{type_name}.\nHint: keep both results, `out, cache = "
    "batchnorm_forward(x, gamma, beta)`, and pass that cache here.":
        "Аргумент `cache` должен быть объектом BatchNormCache, который вернула "
        "batchnorm_forward. Получено: {type_name}.\n"
        "Подсказка: сохраните оба результата, `out, cache = "
        "batchnorm_forward(x, gamma, beta)`, и передайте сюда этот cache.",

    "`dout` has the shape of the forward output, (N, D).":
        "форма `dout` совпадает с формой выхода прямого прохода, (N, D).",

    "`dout` is dL/d(out): one value per element of the forward "
    "output.":
        "`dout` — это dL/d(out): по одному значению на каждый элемент выхода прямого "
        "прохода.",

    # BatchNorm
    "`num_features` must be a positive integer. Received: "
    "num_features={num_features!r}.\nHint: pass D, the number of columns of "
    "the (N, D) inputs, e.g. x.shape[1].":
        "Аргумент `num_features` должен быть положительным целым числом. Получено: "
        "num_features={num_features!r}.\n"
        "Подсказка: передайте D — число столбцов входов формы (N, D), например x.shape[1].",

    "`training` must be True or False. Received: training={training!r}.\n"
    "Hint: training=True while fitting (batch statistics), training=False to "
    "evaluate or predict (running statistics).":
        "Аргумент `training` должен быть True или False. Получено: training={training!r}.\n"
        "Подсказка: training=True при обучении (статистики мини-батча), training=False "
        "при оценке или предсказании (скользящие статистики).",

    "`x` must have {num_features} features (columns). Received: "
    "x.shape={shape}.\nHint: the layer was built with num_features="
    "{num_features}; pass a batch of shape (N, {num_features}).":
        "Число признаков (столбцов) `x` должно быть равно {num_features}. Получено: "
        "x.shape={shape}.\n"
        "Подсказка: слой создан с num_features={num_features}; передайте мини-батч формы "
        "(N, {num_features}).",

    "BatchNorm got a batch of one sample with training=True: its variance is 0, "
    "so every output equals `beta`. Use batches of at least 2 samples, or "
    "`training=False` to control this.":
        "Слой BatchNorm получил мини-батч из одного примера при training=True: его "
        "дисперсия равна 0, поэтому каждый выход равен `beta`. Используйте мини-батчи "
        "хотя бы из 2 примеров или `training=False`, чтобы этого избежать.",
}
