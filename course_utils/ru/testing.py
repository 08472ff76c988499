"""Russian messages of course_utils.testing (English template -> Russian template).

Also the note of ``course_utils/_one_verdict.py``. The hint line of a failed check,
``"{message}\\nHint: {hint}"``, is in ``course_utils/ru/validation.py``.
"""

MESSAGES: dict[str, str] = {
    # _as_checked_array
    "got None.":
        "получено None.",
    "did you forget a `return`?":
        "вы не забыли `return`?",
    "expected a number (a Python float), got {got} with shape {shape}.":
        "ожидалось число (float в Python), получен объект типа {got} формы {shape}.",
    "expected a number (a Python float), got {got}.":
        "ожидалось число (float в Python), получен объект типа {got}.",
    "reduce to one number, e.g. with np.mean(...), and return float(...).":
        "сведите результат к одному числу, например с помощью np.mean(...), и верните float(...).",
    "expected a numpy.ndarray, got {got} (a subclass of numpy.ndarray).":
        "ожидался numpy.ndarray, получен объект типа {got} (подкласс numpy.ndarray).",
    "expected a numpy.ndarray, got {got}.":
        "ожидался numpy.ndarray, получен объект типа {got}.",
    "return a plain numpy array, e.g. np.asarray(result).":
        "верните обычный массив numpy, например np.asarray(result).",
    "expected an array of real numbers, got dtype={dtype} (complex "
    "numbers: their imaginary part would be lost).":
        "ожидался массив вещественных чисел, получен dtype={dtype} (комплексные числа: "
        "их мнимая часть была бы потеряна).",
    "expected an array of real numbers, got dtype={dtype} (True/False, "
    "not numbers).":
        "ожидался массив вещественных чисел, получен dtype={dtype} (True/False, а не числа).",
    "expected an array of real numbers, got dtype={dtype}.":
        "ожидался массив вещественных чисел, получен dtype={dtype}.",

    # assert_answered
    "an integer, e.g. 4":
        "целое число, например 4",
    "a number, e.g. 0.25":
        "число, например 0.25",
    "one of {choices}":
        "одно из {choices}",
    "assert_answered needs exactly one of `kind` and `choices`. "
    "Received: kind={kind!r}, choices={choices!r}.":
        "assert_answered нужен ровно один из аргументов `kind` и `choices`. "
        "Получено: kind={kind!r}, choices={choices!r}.",
    "`kind` must be one of {kinds}. Received: kind={kind!r}.":
        "`kind` должен быть одним из {kinds}. Получено: kind={kind!r}.",
    "not answered yet (it is still None).":
        "ответа пока нет (значение всё ещё None).",
    "replace None with {what}.":
        "замените None на {what}.",
    "expected {what}, got {value!r}.":
        "ожидалось {what}, получено {value!r}.",
    "write the letter of your choice as a lowercase string, e.g. "
    "{name} = {choice!r}.":
        "запишите букву выбранного варианта строкой в нижнем регистре, например "
        "{name} = {choice!r}.",
    "expected {what}, got {value!r} ({type_name}).":
        "ожидалось {what}, получено {value!r} ({type_name}).",
    "assign a plain number, e.g. {name} = {example}.":
        "присвойте переменной обычное число, например {name} = {example}.",

    # _pattern: how a wrong result differs as a whole (shown with a capital first letter)
    "every value has the wrong sign":
        "у всех значений неверный знак",
    "every value is {r:.6g} times the expected one (a factor such as 2, 1/N, or "
    "a mean instead of a sum?)":
        "все значения равны ожидаемым, умноженным на {r:.6g} (лишний множитель вроде 2 "
        "или 1/N либо среднее вместо суммы?)",
    "every value is shifted by {shift:.6g} from the expected one":
        "все значения сдвинуты на {shift:.6g} относительно ожидаемых",

    # assert_close
    "expected shape {expected_shape}, got shape {actual_shape}: (n,) and "
    "(n, 1) arrays broadcast to (n, n).":
        "ожидалась форма {expected_shape}, получена форма {actual_shape}: массивы форм (n,) "
        "и (n, 1) при broadcasting дают (n, n).",
    "expected shape {expected_shape}, got shape {actual_shape}.":
        "ожидалась форма {expected_shape}, получена форма {actual_shape}.",
    "got a non-finite value {value!r} at index {idx}.":
        "получено неконечное значение {value!r} по индексу {idx}.",
    "got a non-finite value {value!r}.":
        "получено неконечное значение {value!r}.",
    "log(0) or a division by 0? clip probabilities or add eps.":
        "log(0) или деление на 0? Ограничьте вероятности с помощью np.clip или добавьте eps.",
    "{count} of {size} values differ (rtol={rtol:g}, atol={atol:g}).\n"
    "First at index {idx}: expected {expected!r}, got {actual!r}.\n"
    "Largest error {error:.3g}.":
        "число несовпадающих значений — {count} из {size} (rtol={rtol:g}, atol={atol:g}).\n"
        "Первое — по индексу {idx}: ожидалось {expected!r}, получено {actual!r}.\n"
        "Наибольшая ошибка {error:.3g}.",
    "{count} of {size} values differ (rtol={rtol:g}, atol={atol:g}).\n"
    "First at index {idx}: expected {expected!r}, got {actual!r}.\n"
    "Largest error {error:.3g} (relative {relative:.3g}).":
        "число несовпадающих значений — {count} из {size} (rtol={rtol:g}, atol={atol:g}).\n"
        "Первое — по индексу {idx}: ожидалось {expected!r}, получено {actual!r}.\n"
        "Наибольшая ошибка {error:.3g} (относительная {relative:.3g}).",
    "expected {expected!r}, got {actual!r} (rtol={rtol:g}, atol={atol:g})."
    "\nError {error:.3g}.":
        "ожидалось {expected!r}, получено {actual!r} (rtol={rtol:g}, atol={atol:g})."
        "\nОшибка {error:.3g}.",
    "expected {expected!r}, got {actual!r} (rtol={rtol:g}, atol={atol:g})."
    "\nError {error:.3g} (relative {relative:.3g}).":
        "ожидалось {expected!r}, получено {actual!r} (rtol={rtol:g}, atol={atol:g})."
        "\nОшибка {error:.3g} (относительная {relative:.3g}).",
    "it looks like {mistake}.":
        "похоже, {mistake}.",

    # assert_gradient_close
    "expected gradient shape {expected_shape}, got {actual_shape}.":
        "ожидалась форма градиента {expected_shape}, получена {actual_shape}.",
    "the gradient has the shape of the variable it is taken with respect "
    "to.":
        "градиент имеет ту же форму, что и переменная, по которой он берётся.",
    "the gradient contains NaN or inf.":
        "градиент содержит NaN или inf.",
    "relative error {err:.2e} against the numerical gradient exceeds "
    "{max_rel_error:.0e}.":
        "относительная ошибка {err:.2e} по сравнению с численным градиентом превышает "
        "{max_rel_error:.0e}.",
    "did you divide by the batch size?":
        "вы делили на размер батча?",

    # course_utils/_one_verdict.py: a warning under nbgrader, printed on stdout
    "Note: {category}: {message} ({file}, line {lineno}). A warning does not "
    "change the grade of this cell.\n":
        "Примечание: {category}: {message} ({file}, строка {lineno}). Предупреждение "
        "не влияет на оценку этой ячейки.\n",
    "Note: {category}: {message}. A warning does not change the grade of this "
    "cell.\n":
        "Примечание: {category}: {message}. Предупреждение не влияет на оценку этой "
        "ячейки.\n",
}
