"""Russian messages of course_utils.ema (English template -> Russian template)."""

MESSAGES: dict[str, str] = {
    "`{name}` must be True or False. Received: {name}={value!r}.\n"
    "Hint: bias_correction=True divides V_t by (1 - beta**t).":
        "Аргумент `{name}` должен быть True или False. Получено: {name}={value!r}.\n"
        "Подсказка: bias_correction=True включает коррекцию смещения, то есть делит V_t "
        "на (1 - beta**t).",

    "pass a sequence of shape (n,), or (n, d) for d sequences side by side.":
        "передайте последовательность формы (n,) или массив формы (n, d), в столбцах "
        "которого стоят d последовательностей.",

    "`theta` must have the same shape at every update. Received: "
    "theta.shape={shape}, earlier updates had shape {earlier_shape}.\n"
    "Hint: call reset() before averaging a different quantity.":
        "Форма `theta` должна быть одинаковой при каждом обновлении. Получено: "
        "theta.shape={shape}, а при предыдущих обновлениях форма была {earlier_shape}.\n"
        "Подсказка: вызовите reset(), прежде чем усреднять другую величину.",
}
