"""Russian messages of course_utils.plotting (English template -> Russian template).

One catalogue for every module of the package (``__init__``, ``_batchnorm``, ``_callbacks``,
...); a template that several of them use is listed once, under the first.
"""

MESSAGES: dict[str, str] = {
    # __init__: the lazy attributes
    "module {module!r} has no attribute {name!r}":
        "в модуле {module!r} нет атрибута {name!r}",
    "module {module!r} has no plot named {name!r}.\n"
    "Hint: the plots are {plots}":
        "В модуле {module!r} нет графика с именем {name!r}.\n"
        "Подсказка: есть такие графики: {plots}",

    # _batchnorm
    "Batch before normalization":
        "Батч до нормализации",
    "After batch normalization":
        "После батч-нормализации",
    "feature {index}":
        "признак {index}",
    "samples of the batch":
        "примеры батча",
    "mean ± std per feature":
        "среднее ± std по каждому признаку",
    "Running mean of one feature during training":
        "Скользящее среднее одного признака во время обучения",
    "running mean":
        "скользящее среднее",
    "training step (batches seen)":
        "шаг обучения (сколько батчей пройдено)",
    "mean of the whole data":
        "среднее по всем данным",
    "Gradient size per layer at initialisation":
        "Величина градиента по слоям при инициализации",
    "Dense layer l (1 = next to the input)":
        "слой Dense l (1 = ближайший ко входу)",
    "{norm} (log scale)":
        "{norm} (логарифмическая шкала)",
    "cross-entropy loss":
        "функция потерь (кросс-энтропия)",
    "epoch":
        "эпоха",
    "training":
        "обучающая выборка",
    "validation":
        "валидационная выборка",

    # _callbacks
    "Loss after each batch and its moving average":
        "Функция потерь после каждого батча и её скользящее среднее",
    "training batch (from 0, over all epochs)":
        "батч обучения (нумерация с 0, сквозная по всем эпохам)",
    "loss":
        "функция потерь",
    "logs['loss'] per batch":
        "logs['loss'] после каждого батча",
    "moving average (bias-corrected)":
        "скользящее среднее (с коррекцией смещения)",
    "value":
        "значение",
    "Values recorded after each epoch":
        "Значения, записанные после каждой эпохи",
    "epoch (from 0, as Keras counts)":
        "эпоха (с 0, как считает Keras)",
    "best epoch ({best})":
        "лучшая эпоха ({best})",

    # _ema
    "Exponential moving average of a noisy series":
        "Экспоненциальное скользящее среднее зашумлённого ряда",
    "day t":
        "день t",
    "temperature":
        "температура",
    r"$\theta_t$ (noisy data)":
        r"$\theta_t$ (зашумлённые данные)",
    "Weight of {theta} in $V_t$":
        "Вес {theta} в $V_t$",
    "k = steps back (0 = newest value)":
        "k = число шагов назад (0 = самое свежее значение)",
    "weight":
        "вес",
    r"$\beta$ = {beta:g}: window $1/(1-\beta)$ = {window:.0f}, weights sum to {total:.3f}":
        r"$\beta$ = {beta:g}: окно $1/(1-\beta)$ = {window:.0f}, сумма весов {total:.3f}",
    "The first {n} days: the start-up bias and its correction":
        "Дни 1–{n}: смещение в начале ряда и его коррекция",
    r"$\beta$ = {beta:g}, $V_t$ (no correction)":
        r"$\beta$ = {beta:g}, $V_t$ (без коррекции)",

    # _keras
    "graph of the model '{name}'":
        "граф модели «{name}»",

    # _losses
    "residual {r}":
        "остаток {r}",
    "Loss of one prediction":
        "Функция потерь для одного предсказания",
    "Its derivative (what gradient descent follows)":
        "Её производная (по ней движется градиентный спуск)",
    "Misclassified test samples":
        "Неверно классифицированные тестовые примеры",
    "predicted probability of the true class":
        "предсказанная вероятность истинного класса",
    "loss of the sample":
        "функция потерь на примере",
    "BCE of a misclassified sample":
        "BCE неверно классифицированного примера",
    "MSE of a misclassified sample":
        "MSE неверно классифицированного примера",
    "decision threshold":
        "порог классификации",

    # _metrics
    "`cm` must be a square (k, k) matrix. Received: cm.shape={shape}.":
        "`cm` должна быть квадратной матрицей формы (k, k). Получено: cm.shape={shape}.",
    "`class_names` must have one name per class ({k}). Received: {n_names} names.":
        "В `class_names` должно быть по одному имени на класс ({k}). "
        "Получено имён: {n_names}.",
    "samples":
        "число примеров",
    "predicted class":
        "предсказанный класс",
    "true class":
        "истинный класс",
    "Confusion matrix":
        "Матрица ошибок",
    "Metrics vs decision threshold":
        "Метрики в зависимости от порога классификации",
    "threshold  (predict 1 when p > threshold)":
        "порог  (предсказываем 1, когда p больше порога)",
    "metric value":
        "значение метрики",
    "threshold {default:g}":
        "порог {default:g}",
    "model":
        "модель",
    "Precision-recall curve":
        "Кривая точность–полнота",
    "recall  R = TP / (TP + FN)":
        "полнота  R = TP / (TP + FN)",
    "precision  P = TP / (TP + FP)":
        "точность  P = TP / (TP + FP)",
    "random guessing (P = {positive_rate:.2f})":
        "случайное угадывание (P = {positive_rate:.2f})",
    "metric":
        "метрика",
    "A loss is smooth, a metric is a staircase":
        "Функция потерь гладкая, а метрика ступенчатая",

    # _optimizers
    "minimum":
        "минимум",
    "start":
        "начальная точка",

    # _overfitting
    "true function":
        "истинная функция",
    "validation points":
        "точки валидационной выборки",
    "training points":
        "точки обучающей выборки",
    "fitted polynomial":
        "подобранный многочлен",
    "Error against capacity (polynomial degree)":
        "Ошибка в зависимости от ёмкости модели (степени многочлена)",
    "polynomial degree (capacity)":
        "степень многочлена (ёмкость)",
    "mean squared error (log scale)":
        "среднеквадратичная ошибка (логарифмическая шкала)",
    "training MSE":
        "MSE на обучающей выборке",
    "validation MSE":
        "MSE на валидационной выборке",
    "lowest validation MSE: {best}":
        "наименьшая MSE на валидационной выборке: {best}",
    "best epoch: {best}":
        "лучшая эпоха: {best}",
    "validation {metric} there: {value:.3f}":
        "{metric} на валидационной выборке в этой эпохе: {value:.3f}",
    "Training and validation curves":
        "Кривые на обучающей и валидационной выборках",
    "Validation curve alone (zoomed)":
        "Только валидационная кривая (крупнее)",
    "Generalization gap (validation - training)":
        "Разрыв обобщения (валидация - обучение)",
    "gap in {ylabel}":
        "разрыв: {ylabel}",
    "gap":
        "разрыв",

    # _regularization
    "{title}\n{zeros} of {n} coefficients exactly 0 at the largest lambda":
        "{title}\nровно 0 при наибольшем lambda: {zeros} из {n} коэффициентов",
    "lambda (log scale)":
        "lambda (логарифмическая шкала)",
    "coefficient":
        "коэффициент",
    "epoch (from 0)":
        "эпоха (с 0)",
    "best validation (epoch {best})":
        "лучшее значение на валидационной выборке (эпоха {best})",
}
