"""Where a course's gradebook is: the ``c.CourseDirectory.db_url`` of its ``nbgrader_config.py``.

sqlite (``gradebook.db`` in the course folder) is the default, for one instructor; a course
team sets a PostgreSQL URL (``postgresql+psycopg://grader@db.example.org/ml2026``, see
docs/scale.md). Every instructor tool here reads the gradebook through :func:`course_db_url`,
so it follows the configuration as ``nbgrader`` itself does.

    python -m course_grader.gradebook_url [COURSE]   # print the URL (password hidden), check it
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

__all__ = ["check_db_url", "course_db_url", "hide_password", "is_sqlite", "sqlite_path"]


def _configured(course: Path) -> str | None:
    config_file = course / "nbgrader_config.py"
    if not config_file.is_file():
        return None
    from traitlets.config.loader import PyFileConfigLoader

    cfg = PyFileConfigLoader(config_file.name, path=str(course)).load_config()
    url = cfg.get("CourseDirectory", {}).get("db_url")
    return str(url) if url else None


def is_sqlite(url: str) -> bool:
    return url.startswith(("sqlite:", "sqlite+"))


def sqlite_path(url: str) -> Path | None:
    """The file of a sqlite URL (``None`` for another database or an in-memory one)."""
    if not is_sqlite(url) or ":///" not in url:
        return None
    path = url.split(":///", 1)[1].split("?", 1)[0]
    return Path(path) if path and path != ":memory:" else None


def course_db_url(course: str | os.PathLike = ".") -> str:
    """The gradebook URL of ``course``: its configured ``db_url``, else its ``gradebook.db``.

    A relative sqlite path is taken relative to the course folder (nbgrader runs there)."""
    course = Path(course).resolve()
    url = _configured(course) or "sqlite:///gradebook.db"
    path = sqlite_path(url)
    if path is not None and not path.is_absolute():
        prefix, rest = url.split(":///", 1)
        query = rest.split("?", 1)[1] if "?" in rest else ""
        url = f"{prefix}:///{course / path}" + (f"?{query}" if query else "")
    return url


def hide_password(url: str) -> str:
    """``url`` as it can be printed: a password becomes ``***``."""
    from sqlalchemy.engine import make_url

    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:  # noqa: BLE001 - not a URL at all: nothing to hide
        return url


def check_db_url(url: str) -> None:
    """Raise ``ValueError`` saying what went wrong when ``url`` does not reach a database."""
    from sqlalchemy import create_engine, text

    if is_sqlite(url):
        return  # nbgrader makes the file when it is missing; nothing to reach
    shown = hide_password(url)
    try:
        engine = create_engine(url)
    except Exception as e:  # noqa: BLE001 - reported with the URL and a hint
        raise ValueError(
            f"db_url: expected a SQLAlchemy URL such as sqlite:///gradebook.db or "
            f"postgresql+psycopg://USER@HOST/DATABASE; received {shown!r} ({type(e).__name__}: "
            f"{e}). Hint: set c.CourseDirectory.db_url in nbgrader_config.py "
            f"(docs/scale.md).") from None
    try:
        with engine.connect() as con:
            con.execute(text("SELECT 1"))
    except Exception as e:  # noqa: BLE001
        first = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
        raise ValueError(
            f"db_url: expected a database that accepts a connection; {shown} answered: "
            f"{first}. Hint: is the server running, do the database and role exist "
            f"(createuser/createdb, docs/scale.md), and may this machine connect "
            f"(pg_hba.conf, the password in ~/.pgpass)?") from None
    finally:
        engine.dispose()


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    url = course_db_url(args[0] if args else ".")
    try:
        check_db_url(url)
    except ValueError as e:
        print(e, file=sys.stderr)
        return 1
    print(hide_password(url))
    return 0


if __name__ == "__main__":
    sys.exit(main())
