"""Russian messages of course_utils.metrics (English template -> Russian template)."""

MESSAGES: dict[str, str] = {
    "'binary' scores the class `pos_label` only (two classes); 'micro' pools the counts of all "
    "classes (equal to accuracy for single-label data); 'macro' is the plain mean of the "
    "per-class scores; None returns one score per class.":
        "'binary' оценивает только класс `pos_label` (два класса); 'micro' суммирует счётчики по "
        "всем классам (для данных с одной меткой на объект это доля правильных ответов); 'macro' "
        "— простое среднее оценок по классам; None возвращает по одной оценке на каждый класс.",
    "{message}\nHint: {hint}": "{message}\nПодсказка: {hint}",
    "pass one label per sample, shape (n,).":
        "передайте по одной метке на объект, массив формы (n,).",
    "rows with several 1s (or none) are multilabel data, a set of labels per sample, which these "
    "metrics do not score. Score one label (column) at a time, e.g. accuracy(y_true[:, j], "
    "y_pred[:, j]); the share of samples with every label right is np.mean(np.all(y_true == "
    "y_pred, axis=1)).":
        "строки с несколькими единицами (или совсем без единиц) — это данные с несколькими "
        "метками на объект (multilabel), а такие данные эти метрики не оценивают. Оценивайте по "
        "одной метке (столбцу) за раз, например accuracy(y_true[:, j], y_pred[:, j]); долю "
        "объектов, у которых верны все метки, даёт np.mean(np.all(y_true == y_pred, axis=1)).",
    "rows with a single 1 are one-hot labels; turn them into class labels with "
    "{name}.argmax(axis=1).":
        "строки с единственной единицей — это метки в кодировке one-hot; превратите их в метки "
        "классов с помощью {name}.argmax(axis=1).",
    "rows summing to 1 look like class probabilities; turn them into labels with "
    "labels_from_probabilities({name}) (the argmax of each row).":
        "строки с суммой 1 похожи на вероятности классов; превратите их в метки с помощью "
        "labels_from_probabilities({name}) (argmax каждой строки).",
    "k columns per sample look like scores; the predicted class is the argmax of each row, "
    "{name}.argmax(axis=1).":
        "k столбцов на объект похожи на оценки (scores) модели; предсказанный класс — это argmax "
        "каждой строки, {name}.argmax(axis=1).",
    "`{name}` is None.": "`{name}` равен None.",
    "did a function forget to `return` its result?":
        "не забыла ли функция вернуть результат через `return`?",
    "`{name}` must be a 1-D array of labels. Received: {type_name} that numpy cannot turn into "
    "an array (rows of different lengths?).":
        "`{name}` должен быть одномерным массивом меток. Получено: {type_name}, который numpy не "
        "может превратить в массив (строки разной длины?).",
    "pass one label per sample, e.g. a list of ints.":
        "передайте по одной метке на объект, например список целых чисел.",
    "`{name}` must hold integer class labels. Received: dtype={dtype}.":
        "`{name}` должен содержать целочисленные метки классов. Получено: dtype={dtype}.",
    "encode other labels as integers first, e.g. `classes, y = np.unique(y, "
    "return_inverse=True)`.":
        "сначала закодируйте метки другого типа целыми числами, например `classes, y = "
        "np.unique(y, return_inverse=True)`.",
    "flatten a column of labels with y.ravel(); if these are sigmoid outputs, use "
    "labels_from_probabilities(y, threshold=0.5).":
        "превратите столбец меток в одномерный массив с помощью y.ravel(); если это выходы "
        "сигмоиды, используйте labels_from_probabilities(y, threshold=0.5).",
    "pass one label per sample, e.g. [{value!r}] for a single sample.":
        "передайте по одной метке на объект, например [{value!r}] для одного объекта.",
    "`{name}` must be 1-D, one label per sample. Received: {name}.shape={shape}.":
        "`{name}` должен быть одномерным, по одной метке на объект. Получено: "
        "{name}.shape={shape}.",
    "`{name}` is empty. Received: {name}.shape={shape}.":
        "`{name}` пуст. Получено: {name}.shape={shape}.",
    "a metric needs at least one sample.": "метрике нужен хотя бы один объект.",
    "these look like probabilities; turn them into labels first with "
    "labels_from_probabilities({name}, threshold=0.5).":
        "значения похожи на вероятности; сначала превратите их в метки с помощью "
        "labels_from_probabilities({name}, threshold=0.5).",
    "these look like scores or regression outputs; classification metrics need class labels "
    "(threshold the scores, or take the argmax).":
        "значения похожи на оценки (scores) модели или выходы регрессии; метрикам классификации "
        "нужны метки классов (сравните оценки с порогом или возьмите argmax).",
    "`{name}` must hold class labels (whole numbers). Received: {name}[{i}]={value!r} ({count} "
    "non-integer value(s)).":
        "`{name}` должен содержать метки классов (целые числа). Получено: {name}[{i}]={value!r} "
        "(нецелых значений: {count}).",
    "`labels` must be a flat list of class labels. Received: a ragged nesting "
    "(labels={labels!r}).":
        "`labels` должен быть плоским списком меток классов. Получено: вложенные списки разной "
        "длины (labels={labels!r}).",
    "`labels` must be a flat list of class labels. Received: labels.shape={shape} "
    "(labels={labels!r}).":
        "`labels` должен быть плоским списком меток классов. Получено: labels.shape={shape} "
        "(labels={labels!r}).",
    "a single class is a list of one, e.g. labels=[1]; leave labels=None to count every class "
    "that occurs.":
        "один класс задаётся списком из одного элемента, например labels=[1]; оставьте "
        "labels=None, чтобы учесть все встречающиеся классы.",
    "list each class once, e.g. labels=[0, 1, 2], not [[0, 1, 2]]; leave labels=None to count "
    "every class that occurs.":
        "перечислите каждый класс по одному разу, например labels=[0, 1, 2], а не [[0, 1, 2]]; "
        "оставьте labels=None, чтобы учесть все встречающиеся классы.",
    "`labels` must list at least one class. Received: labels=[] (empty).":
        "`labels` должен содержать хотя бы один класс. Получено: labels=[] (пустой список).",
    "list the classes to count, e.g. labels=[0, 1], or leave labels=None to count every class "
    "that occurs.":
        "перечислите классы, которые нужно учесть, например labels=[0, 1], или оставьте "
        "labels=None, чтобы учесть все встречающиеся классы.",
    "pass one prediction per label, for the same samples in the same order.":
        "передайте по одному предсказанию на каждую метку, для тех же объектов и в том же "
        "порядке.",
    "`average` must be one of 'binary', 'micro', 'macro', None. Received: average={average!r}. "
    "(scikit-learn's 'weighted' and 'samples' are not used in this course.)":
        "`average` должен быть одним из 'binary', 'micro', 'macro', None. Получено: "
        "average={average!r}. (Варианты 'weighted' и 'samples' из scikit-learn в этом курсе не "
        "используются.)",
    "`average` must be one of 'binary', 'micro', 'macro', None. Received: average={average!r}.":
        "`average` должен быть одним из 'binary', 'micro', 'macro', None. Получено: "
        "average={average!r}.",
    "`zero_division` must be one of 'warn', 0.0, 1.0. Received: zero_division={zero_division!r}.":
        "`zero_division` должен быть одним из 'warn', 0.0, 1.0. Получено: "
        "zero_division={zero_division!r}.",
    "'warn' returns 0.0 and warns when a score is undefined (0/0); 0.0 or 1.0 return that value "
    "silently.":
        "при 'warn' для неопределённой оценки (0/0) возвращается 0.0 с предупреждением; при 0.0 "
        "или 1.0 возвращается это значение без предупреждения.",
    "`pos_label` must be a class label (a whole number, like the labels). Received: "
    "pos_label={pos_label!r} of type {type_name}.":
        "`pos_label` должен быть меткой класса (целым числом, как сами метки). Получено: "
        "pos_label={pos_label!r} типа {type_name}.",
    "pos_label is the label of the positive class, usually 1 (or True for boolean labels); "
    "encode other classes as integers first.":
        "pos_label — метка положительного класса, обычно 1 (или True для булевых меток); классы "
        "другого типа сначала закодируйте целыми числами.",
    "A single label was found in `y_true` and `y_pred`, so the confusion matrix is 1 x 1. Use "
    "the `labels` parameter to pass all known labels and get the full shape.":
        "В `y_true` и `y_pred` встречается только одна метка, поэтому матрица ошибок имеет "
        "размер 1 x 1. Передайте все известные метки в параметре `labels`, чтобы получить "
        "матрицу полной формы.",
    "`labels` must not repeat a class. Received: labels={labels} (repeated: {repeated}).":
        "В `labels` классы не должны повторяться. Получено: labels={labels} (повторяются: "
        "{repeated}).",
    "list each class once, in the order of the rows you want.":
        "перечислите каждый класс по одному разу, в том порядке, в каком должны идти строки.",
    "At least one of `labels` must occur in `y_true`. Received: labels={labels}, y_true holds "
    "{present}.":
        "Хотя бы одна из меток `labels` должна встречаться в `y_true`. Получено: "
        "labels={labels}, а y_true содержит {present}.",
    "`labels` lists class labels (values of y_true), not positions.":
        "`labels` перечисляет метки классов (значения y_true), а не их номера по порядку.",
    "Precision is ill-defined and being set to 0.0 in labels with no predicted samples (labels "
    "{labels}). Use `zero_division` parameter to control this behavior.":
        "Точность не определена и принимается равной 0.0 для классов, которые ни разу не "
        "предсказаны (метки {labels}). Чтобы управлять этим поведением, используйте параметр "
        "`zero_division`.",
    "Recall is ill-defined and being set to 0.0 in labels with no true samples (labels "
    "{labels}). Use `zero_division` parameter to control this behavior.":
        "Полнота не определена и принимается равной 0.0 для классов, которых нет среди истинных "
        "меток (метки {labels}). Чтобы управлять этим поведением, используйте параметр "
        "`zero_division`.",
    "F-score is ill-defined and being set to 0.0 in labels with no true nor predicted samples "
    "(labels {labels}). Use `zero_division` parameter to control this behavior.":
        "F-мера не определена и принимается равной 0.0 для классов, которых нет ни среди "
        "истинных, ни среди предсказанных меток (метки {labels}). Чтобы управлять этим "
        "поведением, используйте параметр `zero_division`.",
    "Precision is ill-defined and being set to 0.0 due to no predicted samples of "
    "pos_label={pos_label}. Use `zero_division` parameter to control this behavior.":
        "Точность не определена и принимается равной 0.0: ни один объект не предсказан как класс "
        "pos_label={pos_label}. Чтобы управлять этим поведением, используйте параметр "
        "`zero_division`.",
    "Recall is ill-defined and being set to 0.0 due to no true samples of pos_label={pos_label}. "
    "Use `zero_division` parameter to control this behavior.":
        "Полнота не определена и принимается равной 0.0: среди истинных меток нет класса "
        "pos_label={pos_label}. Чтобы управлять этим поведением, используйте параметр "
        "`zero_division`.",
    "F-score is ill-defined and being set to 0.0 due to no true nor predicted samples of "
    "pos_label={pos_label}. Use `zero_division` parameter to control this behavior.":
        "F-мера не определена и принимается равной 0.0: класса pos_label={pos_label} нет ни "
        "среди истинных, ни среди предсказанных меток. Чтобы управлять этим поведением, "
        "используйте параметр `zero_division`.",
    "Precision is ill-defined and being set to 0.0 due to no predicted samples. Use "
    "`zero_division` parameter to control this behavior.":
        "Точность не определена и принимается равной 0.0: ни один объект не предсказан как этот "
        "класс. Чтобы управлять этим поведением, используйте параметр `zero_division`.",
    "Recall is ill-defined and being set to 0.0 due to no true samples. Use `zero_division` "
    "parameter to control this behavior.":
        "Полнота не определена и принимается равной 0.0: среди истинных меток нет этого класса. "
        "Чтобы управлять этим поведением, используйте параметр `zero_division`.",
    "F-score is ill-defined and being set to 0.0 due to no true nor predicted samples. Use "
    "`zero_division` parameter to control this behavior.":
        "F-мера не определена и принимается равной 0.0: этого класса нет ни среди истинных, ни "
        "среди предсказанных меток. Чтобы управлять этим поведением, используйте параметр "
        "`zero_division`.",
    "average='binary' needs two classes, but `y_true` and `y_pred` hold {count}: {classes} "
    "(scikit-learn: 'Target is multiclass but average='binary''). Received: average='binary'.":
        "average='binary' рассчитан на два класса, а в `y_true` и `y_pred` их {count}: {classes} "
        "(в scikit-learn: 'Target is multiclass but average='binary''). Получено: "
        "average='binary'.",
    "choose another average setting, one of 'micro', 'macro', or None (one score per class).":
        "выберите другой способ усреднения: 'micro', 'macro' или None (по одной оценке на каждый "
        "класс).",
    "`pos_label` must be one of the labels {labels}. Received: pos_label={pos_label}.":
        "`pos_label` должен быть одной из меток {labels}. Получено: pos_label={pos_label}.",
    "pos_label is the label of the positive class, e.g. pos_label=1 for labels 0/1 or -1/1.":
        "pos_label — метка положительного класса, например pos_label=1 для меток 0/1 или -1/1.",
    "`pos_label` (set to {pos_label}) is ignored when average != 'binary' (got {average!r}). Use "
    "average='binary' to score one class, or leave pos_label at its default to control this.":
        "`pos_label` (задано значение {pos_label}) игнорируется при average != 'binary' "
        "(получено {average!r}). Используйте average='binary', чтобы оценить один класс, или "
        "оставьте pos_label по умолчанию, чтобы убрать это предупреждение.",
    "pass (n,) or (n, 1) probabilities of class 1, or (n, k) class probabilities, one row per "
    "sample.":
        "передайте вероятности класса 1 формы (n,) или (n, 1) либо вероятности классов формы (n, "
        "k), по одной строке на объект.",
    "`threshold` must be a float in [0, 1]. Received: threshold={threshold!r}.":
        "`threshold` должен быть вещественным числом из [0, 1]. Получено: "
        "threshold={threshold!r}.",
    "it is a probability cut-off; 0.5 is the usual choice.":
        "это порог вероятности; обычно берут 0.5.",
    "`threshold` applies only to binary probabilities of shape (n,) or (n, 1). Received: "
    "y_prob.shape={shape}, threshold={threshold!r}.":
        "`threshold` применяется только к вероятностям бинарной классификации формы (n,) или (n, "
        "1). Получено: y_prob.shape={shape}, threshold={threshold!r}.",
    "with k columns the label is the argmax of each row; drop `threshold`, or pass y_prob[:, 1] "
    "for the probability of class 1 of a 2-column output.":
        "при k столбцах метка — это argmax каждой строки; уберите `threshold` или, если выход "
        "модели из двух столбцов, передайте y_prob[:, 1] — вероятность класса 1.",
}
