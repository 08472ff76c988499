"""Import Keras (TensorFlow backend) quietly, and small Keras helpers the notebooks share.

``from course_utils.keras_helpers import keras, tf`` is the one place the workbook imports
TensorFlow. TensorFlow writes two log lines straight to the process's stderr while it loads
("All log messages before absl::InitializeLog() ..." and "oneDNN custom operations are on ...");
under nbgrader any stderr in a graded cell scores 0, so the import sends file descriptor 2 to
``/dev/null`` for its duration and restores it afterwards. Later TensorFlow C++ logging is
limited to errors with ``TF_CPP_MIN_LOG_LEVEL=3``.
"""

from __future__ import annotations

import os
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("KERAS_BACKEND", "tensorflow")

__all__ = ["keras", "tf"]


def _quiet_import():
    """Import tensorflow and keras with file descriptor 2 silenced; return both modules."""
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (AttributeError, ValueError):
            pass
    saved = os.dup(2)
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, 2)
        import keras
        import tensorflow as tf
    finally:
        os.dup2(saved, 2)
        os.close(saved)
        os.close(devnull)
    tf.get_logger().setLevel("ERROR")
    try:
        from absl import logging as absl_logging

        absl_logging.set_verbosity(absl_logging.ERROR)
    except ImportError:  # absl is a TensorFlow dependency; be safe anyway
        pass
    return tf, keras


tf, keras = _quiet_import()
