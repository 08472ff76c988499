"""Russian messages of course_utils.regularization (English template -> Russian template).

Four templates of this module are also used by ``_validation`` and have their Russian in
``course_utils/ru/validation.py``: ``"{message}\\nHint: {hint}"``, the "must be a real number"
and "must be finite" messages of ``_check_number``, and "did a function forget to `return`
its result?".
"""

MESSAGES: dict[str, str] = {
    # hints shared by several checks
    "lam is the lecture's lambda, a small number >= 0 such as 1e-3; lam=0 turns the "
    "penalty off.":
        "lam — это лямбда из лекции, небольшое число >= 0, например 1e-3; lam=0 отключает "
        "штраф.",

    "`rate` is the probability of DROPPING a unit (Keras's convention), e.g. 0.5; "
    "rate=1 would drop everything and divide by 0.":
        "`rate` — вероятность ОТКЛЮЧИТЬ нейрон (соглашение Keras), например 0.5; при rate=1 "
        "отключились бы все нейроны и пришлось бы делить на 0.",

    # _check_lam, _as_kernels
    "`lam` must be >= 0. Received: lam={lam!r}.":
        "Аргумент `lam` должен быть >= 0. Получено: lam={lam!r}.",

    "pass one kernel array, or a list of kernels such as [W1, W2] (kernels only, "
    "not biases).":
        "передайте один массив весов (kernel) или список таких массивов, например [W1, W2] "
        "(только веса, без смещений).",

    "`weights` is an empty sequence. Received: weights="
    "{weights!r}.":
        "Аргумент `weights` — пустая последовательность. Получено: weights={weights!r}.",

    "`weights` must be an array or a list of arrays. Received: "
    "{type_name}.":
        "Аргумент `weights` должен быть массивом или списком массивов. Получено: "
        "{type_name}.",

    # dropout_forward, dropout_backward
    "`rate` must be a float between 0 (included) and 1 (excluded). "
    "Received: rate={rate!r}.":
        "Аргумент `rate` должен быть числом от 0 (включительно) до 1 (не включая). "
        "Получено: rate={rate!r}.",

    "pass the activations of a layer, e.g. shape (N, D).":
        "передайте активации слоя, например массив формы (N, D).",

    "`training` must be True or False. Received: training={training!r}.":
        "Аргумент `training` должен быть True или False. Получено: training={training!r}.",

    "training=True while fitting (units are dropped), training=False to "
    "evaluate or predict (the identity).":
        "training=True при обучении (нейроны отключаются), training=False при оценке или "
        "предсказании (тождественное преобразование).",

    "`rng` is required when training=True. Received: rng=None.":
        "При training=True аргумент `rng` обязателен. Получено: rng=None.",

    "pass rng=np.random.default_rng(seed) (or an int seed) so that the "
    "dropped units can be drawn, and repeated.":
        "передайте rng=np.random.default_rng(seed) (или целое число seed), чтобы "
        "отключаемые нейроны можно было выбрать случайно и повторить этот выбор.",

    "`rng` must be a numpy Generator or an int seed. Received: "
    "{type_name}.":
        "Аргумент `rng` должен быть объектом numpy Generator или целым числом seed. "
        "Получено: {type_name}.",

    "rng=np.random.default_rng(0).":
        "rng=np.random.default_rng(0).",

    "`dout` has the shape of the forward output.":
        "форма `dout` совпадает с формой выхода прямого прохода.",

    "pass the mask returned by dropout_forward.":
        "передайте маску, которую вернула dropout_forward.",

    "use the mask of the same forward call: out, mask = "
    "dropout_forward(x, ...), then dropout_backward(dout, mask).":
        "используйте маску из того же вызова прямого прохода: out, mask = "
        "dropout_forward(x, ...), затем dropout_backward(dout, mask).",

    # early_stopping_epoch
    "`values` is None.":
        "Аргумент `values` равен None.",

    "`values` must be numbers, one per epoch. Received: {type_name}.":
        "Аргумент `values` должен состоять из чисел, по одному на эпоху. "
        "Получено: {type_name}.",

    "`values` must be a non-empty 1-D sequence, one value per epoch. "
    "Received: values.shape={shape}.":
        "Аргумент `values` должен быть непустой одномерной последовательностью, по одному "
        "значению на эпоху. Получено: values.shape={shape}.",

    'pass a list such as history.history["val_loss"].':
        'передайте список, например history.history["val_loss"].',

    "`patience` must be an integer >= 0. Received: patience={patience!r}.":
        "Аргумент `patience` должен быть целым числом >= 0. Получено: patience={patience!r}.",

    "patience=5 stops after 5 epochs without improvement.":
        "при patience=5 обучение останавливается после 5 эпох без улучшения.",

    "e.g. min_delta=1e-3; 0 counts any improvement.":
        "например, min_delta=1e-3; при 0 засчитывается любое улучшение.",

    "`min_delta` must be >= 0. Received: min_delta={min_delta!r}.":
        "Аргумент `min_delta` должен быть >= 0. Получено: min_delta={min_delta!r}.",

    "min_delta is a size; the direction comes from `mode`.":
        "min_delta — это величина изменения, а его направление задаёт `mode`.",

    "`mode` must be 'min' or 'max'. Received: mode={mode!r}.":
        "Аргумент `mode` должен быть 'min' или 'max'. Получено: mode={mode!r}.",

    "'min' for a loss, 'max' for an accuracy.":
        "'min' для функции потерь, 'max' для доли правильных ответов (accuracy).",

    "e.g. baseline=0.5, or None.":
        "например, baseline=0.5 или None.",
}
