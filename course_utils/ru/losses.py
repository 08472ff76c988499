"""Russian messages of course_utils.losses (English template -> Russian template)."""

MESSAGES: dict[str, str] = {
    "`{name}` must have at least 1 dimension (the last axis holds the classes or "
    "outputs of one sample). Received: {name}={value!r}, a scalar.\n"
    "Hint: pass a batch, e.g. shape (n_samples, n_outputs); one sample is "
    "np.array([...]).":
        "Массив `{name}` должен иметь хотя бы 1 измерение (по последней оси идут классы "
        "или выходы одного примера). Получено: {name}={value!r}, скаляр.\n"
        "Подсказка: передайте мини-батч, например формы (n_samples, n_outputs); один пример "
        "записывается как np.array([...]).",

    "pass one prediction per label; for a single output use shape (n, 1) for "
    "both (y.reshape(-1, 1)), since (n,) and (n, 1) would broadcast to (n, n).":
        "передайте по одному предсказанию на каждую метку; если выход один, задайте обоим "
        "массивам форму (n, 1) (y.reshape(-1, 1)): формы (n,) и (n, 1) при трансляции "
        "(broadcasting) дали бы (n, n).",

    "`{name}` must be True or False. Received: {name}={value!r}.\n"
    "Hint: use from_logits=True when y_pred holds raw scores (before "
    "sigmoid/softmax), False when it holds probabilities.":
        "Аргумент `{name}` должен быть True или False. Получено: {name}={value!r}.\n"
        "Подсказка: используйте from_logits=True, если в y_pred «сырые» оценки (до "
        "sigmoid/softmax), и False, если в нём вероятности.",

    "labels are 0/1 (one-hot) or probabilities; did you swap y_true "
    "and y_pred, or pass class indices (use "
    "sparse_categorical_crossentropy)?":
        "метки должны быть 0/1 (one-hot) или вероятностями; не перепутаны ли y_true и "
        "y_pred? Если вы передали номера классов, используйте "
        "sparse_categorical_crossentropy.",

    "each row of `y_pred` must have a positive sum (it is divided by it). "
    "Received: the row at index {idx} is all zeros.\n"
    "Hint: y_pred should be the softmax output of the model, one distribution "
    "per row.":
        "Сумма каждой строки `y_pred` должна быть положительной (строка делится на неё). "
        "Получено: строка с индексом {idx} состоит из одних нулей.\n"
        "Подсказка: y_pred должен быть выходом softmax модели, по одному распределению "
        "в строке.",

    "`y_true` must hold one integer class label per sample, with shape "
    "y_pred.shape[:-1]={batch_shape} (or {column_shape}). Received: "
    "y_true.shape={true_shape}, y_pred.shape={pred_shape}.\n"
    "Hint: for one-hot labels use categorical_crossentropy, or convert them with "
    "y_true.argmax(axis=-1).":
        "Массив `y_true` должен содержать по одной целочисленной метке класса на пример, "
        "то есть иметь форму y_pred.shape[:-1]={batch_shape} (или {column_shape}). "
        "Получено: y_true.shape={true_shape}, y_pred.shape={pred_shape}.\n"
        "Подсказка: для меток в формате one-hot используйте categorical_crossentropy или "
        "преобразуйте их с помощью y_true.argmax(axis=-1).",

    "`y_true` must hold integer class labels in [0, {last}] (y_pred has k={k} "
    "classes). Received: y_true{index}={value!r} "
    "({n_bad} invalid label(s)).\n"
    "Hint: labels count from 0; for one-hot or probability labels use "
    "categorical_crossentropy.":
        "Массив `y_true` должен содержать целочисленные метки классов из [0, {last}] "
        "(число классов в y_pred: k={k}). Получено: y_true{index}={value!r} "
        "(всего некорректных меток: {n_bad}).\n"
        "Подсказка: классы нумеруются с 0; для меток в формате one-hot или меток-"
        "вероятностей используйте categorical_crossentropy.",

    "delta is the residual size where the loss turns from "
    "quadratic to linear; Keras's default is 1.0.":
        "delta — величина остатка, при которой функция потерь из квадратичной становится "
        "линейной; по умолчанию в Keras delta=1.0.",
}
