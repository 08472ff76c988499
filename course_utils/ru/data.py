"""Russian messages of course_utils.data (English template -> Russian template)."""

MESSAGES: dict[str, str] = {
    # standardize
    "pass samples as rows, shape (n, d); one feature is x.reshape(-1, 1).":
        "передайте примеры строками, форма (n, d); один признак превращается в столбец "
        "через x.reshape(-1, 1).",

    "`others[{i}]` must have the {n_columns} columns of `X_train`. "
    "Received: X_train.shape={train_shape}, others[{i}].shape={shape}.\n"
    "Hint: pass the test part of the same split, with the same features.":
        "У `others[{i}]` должно быть столько же столбцов, сколько у `X_train`: {n_columns}. "
        "Получено: X_train.shape={train_shape}, others[{i}].shape={shape}.\n"
        "Подсказка: передайте тестовую часть того же разбиения, с теми же признаками.",

    # the sklearn splits
    "`test_size` must be a fraction in (0, 1). Received: test_size={test_size!r}.\n"
    "Hint: 0.25 keeps a quarter of the samples for testing.":
        "`test_size` должен быть долей из интервала (0, 1). Получено: test_size={test_size!r}.\n"
        "Подсказка: при 0.25 для теста остаётся четверть примеров.",

    "`seed` must be an integer in [0, 2**32). Received: seed={seed!r}.\n"
    "Hint: use a fixed number such as 0; the same seed gives the same split.":
        "`seed` должен быть целым числом из [0, 2**32). Получено: seed={seed!r}.\n"
        "Подсказка: возьмите фиксированное число, например 0; при одном и том же seed "
        "получается одно и то же разбиение.",

    "`scale` must be True or False. Received: scale={scale!r}.\n"
    "Hint: scale=True standardises the features with the training statistics.":
        "`scale` должен быть True или False. Получено: scale={scale!r}.\n"
        "Подсказка: scale=True стандартизует признаки по статистикам обучающей выборки.",

    # noisy_series
    "`n` must be a positive integer. Received: n={n!r}.":
        "`n` должен быть положительным целым числом. Получено: n={n!r}.",

    "`rng` must be a numpy.random.Generator. Received: {type_name}.\n"
    "Hint: pass rng=np.random.default_rng(0) (or the rng from seed_everything).":
        "`rng` должен быть объектом numpy.random.Generator. Получено: {type_name}.\n"
        "Подсказка: передайте rng=np.random.default_rng(0) (или rng из seed_everything).",

    "`noise` must be a finite number >= 0. Received: noise={noise!r}.\n"
    "Hint: it is the standard deviation of the noise in degrees; 4.0 is the default.":
        "`noise` должен быть конечным числом >= 0. Получено: noise={noise!r}.\n"
        "Подсказка: это стандартное отклонение шума в градусах; по умолчанию 4.0.",

    # digits_splits, polynomial_regression_data
    "`{name}` must be an integer of at least {low}. Received: {name}={value!r}.\n"
    "Hint: {hint}":
        "`{name}` должен быть целым числом не меньше {low}. Получено: {name}={value!r}.\n"
        "Подсказка: {hint}",

    "the digits set has 1,797 images; the defaults are n_train=300, n_val=300.":
        "в наборе digits 1797 изображений; по умолчанию n_train=300, n_val=300.",

    "use a fixed number such as 0.":
        "возьмите фиксированное число, например 0.",

    "`n_train` + `n_val` must leave at least 10 of the {n_images} images for the test "
    "part. Received: n_train={n_train}, n_val={n_val}.\nHint: {hint}":
        "Сумма `n_train` + `n_val` должна оставлять для тестовой части не меньше 10 "
        "из {n_images} изображений. Получено: n_train={n_train}, n_val={n_val}.\n"
        "Подсказка: {hint}",

    "the defaults are n_train=20, n_val=50, n_test=200.":
        "по умолчанию n_train=20, n_val=50, n_test=200.",

    "`noise` must be a finite number >= 0. Received: noise={noise!r}.\n"
    "Hint: 0.3 gives a visible but moderate scatter around sin(2 pi x).":
        "`noise` должен быть конечным числом >= 0. Получено: noise={noise!r}.\n"
        "Подсказка: при 0.3 точки заметно, но умеренно разбросаны вокруг sin(2 pi x).",
}
