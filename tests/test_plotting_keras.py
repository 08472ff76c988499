"""The model-graph picture of notebook 08 (``plotting.plot_model_graph``), drawn without
Graphviz from a model's config."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402

from course_utils import plotting  # noqa: E402


@pytest.fixture(scope="module")
def keras():
    from course_utils.keras_helpers import keras

    return keras


def test_a_skip_connection_is_an_edge_from_the_input_to_the_add(keras):
    x = keras.Input(shape=(4,), name="x")
    f = keras.layers.Dense(4, name="f2")(keras.layers.Dense(4, name="f1")(x))
    model = keras.Model(x, keras.layers.Add(name="add")([x, f]))
    names, edges = plotting.model_graph_edges(model)
    assert names == ["x", "f1", "f2", "add"]
    assert sorted(edges) == sorted([("x", "f1"), ("f1", "f2"), ("x", "add"), ("f2", "add")])


def test_a_shared_layer_appears_once_with_an_edge_per_call(keras):
    left, right = keras.Input(shape=(3,), name="left"), keras.Input(shape=(3,), name="right")
    encoder = keras.layers.Dense(2, name="encoder")
    both = keras.layers.Concatenate(name="both")([encoder(left), encoder(right)])
    names, edges = plotting.model_graph_edges(keras.Model([left, right], both))
    assert names.count("encoder") == 1
    assert edges.count(("encoder", "both")) == 2
    assert {("left", "encoder"), ("right", "encoder")} <= set(edges)


def test_a_sequential_model_is_a_chain_and_every_graph_is_drawn(keras):
    model = keras.Sequential([keras.Input(shape=(3,)), keras.layers.Dense(2, name="a"),
                              keras.layers.Dense(1, name="b")])
    names, edges = plotting.model_graph_edges(model)
    assert names == ["input", "a", "b"] and edges == [("input", "a"), ("a", "b")]
    ax = plotting.plot_model_graph(model, title="chain")
    assert ax.get_title() == "chain" and len(ax.texts) == 3 + 2  # boxes, then arrows
    plt.close("all")
