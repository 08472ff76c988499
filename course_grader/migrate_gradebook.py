"""Copy a gradebook into an empty database: every assignment, student, submission, score,
manual grade and comment, with the same ids (e.g. the one instructor's sqlite ``gradebook.db``
into the course team's PostgreSQL database).

    python -m course_grader.migrate_gradebook sqlite:///gradebook.db \\
        postgresql+psycopg://grader@db.example.org/ml2026

The source must be at nbgrader's current schema (run ``nbgrader db upgrade`` first) and is
only read; the destination gets nbgrader's schema and its alembic version, and must hold no
gradebook yet. Then set
``c.CourseDirectory.db_url`` in ``nbgrader_config.py`` to the destination (docs/scale.md).
"""

from __future__ import annotations

import argparse
import sys

from course_grader.gradebook_url import check_db_url, hide_password

__all__ = ["copy_gradebook", "main"]


def copy_gradebook(src_url: str, dst_url: str) -> dict[str, int]:
    """Copy every nbgrader table from ``src_url`` to ``dst_url``; return rows per table."""
    from nbgrader.api import Base
    from sqlalchemy import MetaData, create_engine, func, inspect, select

    for name, url in (("SRC_URL", src_url), ("DST_URL", dst_url)):
        try:
            check_db_url(url)
        except ValueError as e:
            raise ValueError(f"{name}: {e}") from None
    src, dst = create_engine(src_url), create_engine(dst_url)
    try:
        if "alembic_version" not in inspect(src).get_table_names():
            raise ValueError(f"SRC_URL: expected an nbgrader gradebook; "
                             f"{hide_password(src_url)} has no alembic_version table. Hint: "
                             "the gradebook's URL is c.CourseDirectory.db_url, by default "
                             "sqlite:///gradebook.db in the course folder.")
        version = MetaData()
        version.reflect(src, only=["alembic_version"])
        # parents before the rows that point at them; alembic's version table last
        tables = [*Base.metadata.sorted_tables, version.tables["alembic_version"]]
        with dst.connect() as con:
            Base.metadata.create_all(con)
            version.create_all(con)
            con.commit()
            filled = [t.name for t in tables
                      if con.execute(select(func.count()).select_from(t)).scalar()]
        if filled:
            raise ValueError(f"DST_URL: expected an empty database; "
                             f"{hide_password(dst_url)} already holds rows in "
                             f"{', '.join(filled)}. Hint: createdb a new one, or drop this one.")
        copied = {}
        with src.connect() as read, dst.begin() as write:
            for table in tables:
                rows = [dict(r._mapping) for r in read.execute(select(table))]
                if rows:
                    write.execute(table.insert(), rows)
                copied[table.name] = len(rows)
        return copied
    finally:
        src.dispose()
        dst.dispose()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("src_url", metavar="SRC_URL", help="e.g. sqlite:///gradebook.db")
    parser.add_argument("dst_url", metavar="DST_URL",
                        help="an empty database, e.g. postgresql+psycopg://USER@HOST/DB")
    args = parser.parse_args(argv)
    try:
        copied = copy_gradebook(args.src_url, args.dst_url)
    except ValueError as e:
        print(e, file=sys.stderr)
        return 1
    print(", ".join(f"{n} {t}" for t, n in copied.items() if n))
    print(f"Copied into {hide_password(args.dst_url)}; now set c.CourseDirectory.db_url to it "
          "in nbgrader_config.py.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
