"""A picture of a Keras model's graph, drawn with matplotlib from the model's config.

``keras.utils.plot_model`` needs Graphviz (``pydot`` and the ``dot`` program), which a fresh
machine does not have; this draws the same information without it: one box per layer (its
name, its class and its output shape), an arrow for every tensor passed from one layer to
another, layers placed in rows by their distance from the inputs. It reads only
``model.get_config()`` and the layers' output shapes, so it imports neither Keras nor
TensorFlow by itself.
"""

from __future__ import annotations

import matplotlib.pyplot as plt

from course_utils.language import tr

__all__ = ["model_graph_edges", "plot_model_graph"]


def _histories(node, found: list[str]) -> None:
    """Names of the layers whose outputs a serialized inbound node uses (any nesting)."""
    if isinstance(node, dict):
        history = node.get("config", {}).get("keras_history") if "config" in node else None
        if isinstance(history, (list, tuple)) and history:
            found.append(str(history[0]))
            return
        for value in node.values():
            _histories(value, found)
    elif isinstance(node, (list, tuple)):
        for value in node:
            _histories(value, found)


def model_graph_edges(model) -> tuple[list[str], list[tuple[str, str]]]:
    """The layers of ``model`` (names, in the config's order) and its edges ``(src, dst)``.

    A layer that is called twice (a shared layer) appears once, with an edge for each call:
    an edge is listed as many times as a tensor goes from ``src`` to ``dst``. A
    ``Sequential`` model is a chain.
    """
    config = model.get_config()
    layers = config.get("layers", [])
    names = [layer.get("config", {}).get("name", layer.get("name")) for layer in layers]
    if type(model).__name__ == "Sequential":
        names = ["input"] + [layer.name for layer in model.layers]
        return names, list(zip(names[:-1], names[1:], strict=True))
    edges = []
    for layer, name in zip(layers, names, strict=True):
        found: list[str] = []
        _histories(layer.get("inbound_nodes", []), found)
        edges += [(src, name) for src in found]
    return names, edges


def _depths(names: list[str], edges: list[tuple[str, str]]) -> dict[str, int]:
    depth = dict.fromkeys(names, 0)
    for _ in names:  # longest path from an input; the graph has no cycles
        for src, dst in edges:
            depth[dst] = max(depth[dst], depth[src] + 1)
    return depth


def _label(model, name: str) -> str:
    try:
        layer = model.get_layer(name)
    except (ValueError, AttributeError):
        return f"{name}\nInputLayer"
    shape = getattr(getattr(layer, "output", None), "shape", None)
    shape = "" if shape is None else "\n" + str(tuple(shape))
    return f"{name}\n{type(layer).__name__}{shape}"


def plot_model_graph(model, *, ax=None, title: str | None = None):
    """Draw the graph of a Keras model: layers as boxes, tensors as arrows.

    Parameters
    ----------
    model : keras.Model
        A functional or ``Sequential`` model.
    ax : matplotlib Axes, optional
        Where to draw; a new figure sized to the graph if None.
    title : str, optional
        Defaults to the model's name.

    Returns
    -------
    matplotlib.axes.Axes
    """
    names, edges = model_graph_edges(model)
    depth = _depths(names, edges)
    rows: dict[int, list[str]] = {}
    for name in names:
        rows.setdefault(depth[name], []).append(name)
    width = max(len(r) for r in rows.values())
    if ax is None:
        _, ax = plt.subplots(figsize=(max(4.0, 2.6 * width), 1.25 * (len(rows) + 1)))
    pos = {}
    for d, row in rows.items():
        for i, name in enumerate(row):
            pos[name] = ((i + 0.5) * width / len(row), -d)
    seen: dict[tuple[str, str], int] = {}
    for src, dst in edges:
        (x0, y0), (x1, y1) = pos[src], pos[dst]
        k = seen[(src, dst)] = seen.get((src, dst), -1) + 1
        # the calls of a shared layer side by side; an arrow that skips rows is bent so that
        # it does not hide behind the boxes in between
        shift = 0.15 * (k - (edges.count((src, dst)) - 1) / 2)
        bend = 0.5 if depth[dst] - depth[src] > 1 else 0.0
        ax.annotate("", xy=(x1 + shift, y1 + 0.28), xytext=(x0 + shift, y0 - 0.28),
                    arrowprops={"arrowstyle": "->", "color": "0.35",
                                "connectionstyle": f"arc3,rad={bend}"})
    for name, (x, y) in pos.items():
        ax.text(x, y, _label(model, name), ha="center", va="center", fontsize=8,
                bbox={"boxstyle": "round,pad=0.35", "fc": "#e8f0fb", "ec": "#4a6fa5"})
    ax.set_xlim(0, width)
    ax.set_ylim(-max(rows) - 0.6, 0.6)
    ax.set_axis_off()
    ax.set_title(title or tr("graph of the model '{name}'", name=model.name))
    return ax
