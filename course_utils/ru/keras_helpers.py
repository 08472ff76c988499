"""Russian messages of course_utils.keras_helpers (English template -> Russian template)."""

MESSAGES: dict[str, str] = {
    # digits_mlp
    "`{name}` must be a float in [0, {upper:g}). Received: {name}={value!r}.\n"
    "Hint: {hint}":
        "`{name}` должен быть вещественным числом из [0, {upper:g}). "
        "Получено: {name}={value!r}.\nПодсказка: {hint}",

    "`{name}` must be a float >= 0. Received: {name}={value!r}.\nHint: {hint}":
        "`{name}` должен быть вещественным числом >= 0. Получено: {name}={value!r}.\n"
        "Подсказка: {hint}",

    "lam is the lecture's lambda, e.g. 1e-3; 0 turns L2 off.":
        "lam — это lambda из лекции, например 1e-3; при 0 штраф L2 выключен.",

    "e.g. 1e-4; 0 turns L1 off.":
        "например 1e-4; при 0 штраф L1 выключен.",

    "dropout is the probability of dropping a unit, e.g. 0.5.":
        "dropout — это вероятность отключить нейрон, например 0.5.",

    "Adam's default is 1e-3.":
        "у Adam по умолчанию 1e-3.",

    "`learning_rate` must be positive. Received: learning_rate=0.\n"
    "Hint: Adam's default is 1e-3.":
        "Скорость обучения `learning_rate` должна быть положительной. "
        "Получено: learning_rate=0.\nПодсказка: у Adam по умолчанию 1e-3.",

    "`hidden` must be a sequence of positive integers. Received: hidden={hidden!r}.\n"
    "Hint: hidden=(128, 128) gives two hidden layers of 128 units.":
        "`hidden` должен быть последовательностью положительных целых чисел. "
        "Получено: hidden={hidden!r}.\n"
        "Подсказка: hidden=(128, 128) задаёт два скрытых слоя по 128 нейронов.",
}
