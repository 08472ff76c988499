# Lecture-02 workbook. Every target sets up what it needs on first use:
# the virtual environment .venv is created and the pinned packages installed when missing
# or when pyproject.toml changed.
#   make lab        open the student notebooks in JupyterLab
#   make test       the full test suite (the same command CI runs)
#   make release    regenerate notebooks/ from solutions/ with nbgrader
#   make autograde  grade every submission in submitted/ on every core, export grades.csv and
#                   list what needs attention (STUDENT=<id>, NOTEBOOK=<name>, FORCE=1 to grade
#                   one again, JOBS=<n> students at once)
#   make autograde-dask SCHEDULER=tcp://host:8786  the same on the workers of a Dask cluster
#                   (several machines sharing the course folder and a PostgreSQL gradebook,
#                   docs/scale.md)
#   make export     grades.csv (per notebook and question, late penalties, roster) and the
#                   Moodle and Canvas grade-import files
#   make report     the instructor report: report/index.html (plots) and report/*.csv
#   make formgrader the instructors' grading interface (manual grades) at /formgrader
#   make feedback   write feedback/ for the graded submissions (hidden tests left out)
#   make integrity  report broken, tampered or suspicious submissions (integrity_report.csv)
#   make bench      time every solution notebook, and one full submission graded side by
#                   side: this project's grading and stock nbgrader Execute
#   make student-edition  build dist/student-edition/ and .zip, what students receive

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
ASSIGNMENT := lecture02
# The editions: the Russian one (what students open by default) and the English one, each an
# nbgrader assignment built from the one English source (tools/editions.py, README).
EDITIONS := ru en
EDITION ?= ru
$(if $(filter-out $(EDITIONS),$(EDITION)),$(error EDITION must be one of: $(EDITIONS); got '$(EDITION)'. Example: make lab EDITION=en))
assignment_of = $(if $(filter en,$(1)),$(ASSIGNMENT),$(ASSIGNMENT)_$(1))
ASSIGNMENTS := $(foreach e,$(EDITIONS),$(call assignment_of,$(e)))

# nbgrader runs helper programs (alembic) from PATH; keep the venv's first.
export PATH := $(CURDIR)/$(BIN):$(PATH)
export PYTHONHASHSEED := 0
export PIP_DISABLE_PIP_VERSION_CHECK := 1

# Grading runs as root (sudo make autograde); what it writes into the course then goes back to
# the instructor who ran sudo (course_grader/ownership.py).
OWN := $(BIN)/python -m course_grader.ownership

.PHONY: setup sandbox-tools browser-tools postgres-tools lab test lint release autograde \
        autograde-dask export report \
        formgrader feedback integrity bench clean \
        student-edition

setup: $(STAMP)

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11 or newer is needed; found " + sys.version.split()[0] + ". Run: make PYTHON=python3.11 ...")'
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	@touch $(STAMP)

# Autograding runs student code in a bubblewrap sandbox (course_grader/SECURITY.md).
# As root on Debian/Ubuntu the tool is installed on first use; elsewhere this says how.
sandbox-tools:
	@command -v bwrap >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "Installing bubblewrap (the grading sandbox)"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq bubblewrap; \
	  else \
	    echo "Grading needs bubblewrap and root: sudo apt-get install bubblewrap; sudo make autograde" >&2; \
	  fi; }

# The instructor report and the student's JupyterLab are checked in a real browser by the
# tests (headless Chromium, driven by Playwright for the JupyterLab);
# as root on Debian/Ubuntu it is installed on first use, elsewhere that test is skipped.
browser-tools:
	@command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "Installing chromium (the report test's browser)"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; \
	  else \
	    echo "The report's browser test needs chromium: sudo apt-get install chromium" >&2; \
	  fi; }

# The PostgreSQL gradebook is tested against a real server the tests start themselves (a
# throwaway cluster in a temporary folder, tests/postgres.py); it needs Debian's postgresql
# (initdb, pg_ctl). As root on Debian/Ubuntu it is installed on first use (the package's own
# cluster is left stopped: the tests never use it), elsewhere that test is skipped.
postgres-tools:
	@command -v initdb >/dev/null 2>&1 || ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "Installing postgresql (the PostgreSQL gradebook test's server)"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql; \
	  else \
	    echo "The PostgreSQL gradebook test needs postgresql: sudo apt-get install postgresql" >&2; \
	  fi; }

LAB_ARGS ?=
# Jupyter refuses to run as root unless told (containers, CI); a normal user never needs it.
LAB_ROOT := $(shell [ "$$(id -u)" = 0 ] && echo --allow-root)
# The printed link (and the page the browser opens) is 00_start_here, with the file browser in
# its folder.
START := notebooks/$(call assignment_of,$(EDITION))/00_start_here.ipynb
# The Russian edition also shows JupyterLab's own menus in Russian (its language pack, chosen
# by i18n/ru/jupyterlab/labconfig/default_setting_overrides.json).
LAB_CONFIG := $(if $(filter en,$(EDITION)),,$(CURDIR)/i18n/$(EDITION)/jupyterlab)
lab: $(STAMP)
	@echo "Opening the $(EDITION) edition at $(START) (the other one: make lab EDITION=$(filter-out $(EDITION),$(EDITIONS)))."
	JUPYTER_CONFIG_PATH=$(LAB_CONFIG)$(if $(JUPYTER_CONFIG_PATH),:$(JUPYTER_CONFIG_PATH)) \
	$(BIN)/jupyter lab --ServerApp.root_dir=. --LabApp.default_url=/lab/tree/$(START) $(LAB_ROOT) $(LAB_ARGS)

# The doctests and the suite, then nbval re-executing the Russian edition's solution notebooks
# one per core (pytest-xdist; each notebook's cells stay together in one worker). `pytest`
# alone runs the same tests (pyproject.toml's testpaths) one after the other.
NBVAL_DIR := solutions/$(ASSIGNMENT)_ru
test: $(STAMP) sandbox-tools browser-tools postgres-tools
	@status=0; $(BIN)/python -m pytest course_utils tests || status=$$?; \
	$(BIN)/python -m pytest -n $(JOBS) --dist loadfile $(NBVAL_DIR) || status=$$?; \
	exit $$status

lint: $(STAMP)
	$(BIN)/ruff check course_utils tests bench tools

# Builds the other editions' sources from solutions/lecture02 and i18n/ (tools/editions.py),
# then every edition's release.
release: $(STAMP)
	$(BIN)/python tools/editions.py build ru
	@for a in $(ASSIGNMENTS); do $(BIN)/nbgrader generate_assignment $$a --force || exit 1; done
	@$(OWN)

# The gradebook holds the source cells autograde restores and scores against; it is made
# (or refreshed) from solutions/ by generate_assignment, which also rewrites the release.
gradebook.db: $(foreach a,$(ASSIGNMENTS),$(wildcard solutions/$(a)/*.ipynb)) nbgrader_config.py | $(STAMP)
	@for a in $(ASSIGNMENTS); do $(BIN)/nbgrader generate_assignment $$a --force || exit 1; done
	@touch gradebook.db
	@$(OWN)

# Options: STUDENT=<id> grades one student, NOTEBOOK=<name> one notebook, FORCE=1 grades again
# what is graded already (after a fix), JOBS=<n> students at once (default: every core; each
# job is one nbgrader worker, course_grader/parallel.py). grades.csv is written even
# when a submission failed; the exit status then says that something needs attention.
JOBS ?= $(shell nproc 2>/dev/null || echo 1)
AUTOGRADE_ARGS = $(if $(STUDENT),--student=$(STUDENT)) $(if $(NOTEBOOK),--notebook=$(NOTEBOOK)) \
                 $(if $(FORCE),--force)
# Each edition is graded in turn (STUDENT=<id>: the editions that student handed in).
EDITION_LOOP = status=0; found=; for a in $(ASSIGNMENTS); do \
	  if [ -n "$(STUDENT)" ] && [ ! -d "submitted/$(STUDENT)/$$a" ]; then continue; fi; found=1;
EDITION_LOOP_END = done; if [ -z "$$found" ]; then echo "STUDENT=$(STUDENT): no submission" \
	  "in submitted/$(STUDENT)/ of any edition ($(ASSIGNMENTS))" >&2; status=2; fi;
autograde: $(STAMP) sandbox-tools gradebook.db
	@$(EDITION_LOOP) \
	  $(BIN)/python -m course_grader.parallel $$a --jobs=$(JOBS) $(AUTOGRADE_ARGS) \
	  || status=$$?; $(EDITION_LOOP_END) \
	$(BIN)/nbgrader export --to grades.csv && echo "Grades written to $(GRADES)"; \
	$(BIN)/python -m course_grader.attention $(if $(STUDENT),--student=$(STUDENT)) \
	  || status=1; \
	if [ $$status -ne 0 ]; then \
	  echo "Some submissions need attention (listed above); fix them, then" \
	       "run: make autograde STUDENT=<id> FORCE=1" >&2; \
	fi; $(OWN); exit $$status

# Grading workers on several machines (course_grader/distributed.py, docs/scale.md): one Dask
# task per student; SCHEDULER=tcp://host:8786 (a running cluster) or LOCAL=<n> worker processes.
SCHEDULER ?=
LOCAL ?= $(JOBS)
autograde-dask: $(STAMP) sandbox-tools gradebook.db
	@$(EDITION_LOOP) \
	  $(BIN)/python -m course_grader.distributed $$a \
	  $(if $(SCHEDULER),--scheduler=$(SCHEDULER),--local=$(LOCAL)) $(AUTOGRADE_ARGS) \
	  || status=$$?; $(EDITION_LOOP_END) \
	$(BIN)/nbgrader export --to grades.csv && echo "Grades written to $(GRADES)"; \
	$(BIN)/python -m course_grader.attention $(if $(STUDENT),--student=$(STUDENT)) \
	  || status=1; $(OWN); exit $$status

# grades.csv (per-notebook, per-question and late-penalty columns, joined with the roster
# imported by `nbgrader db student import roster.csv`) and the Moodle and Canvas import files;
# see course_grader/export.py and docs/instructors.md.
GRADES := grades.csv, grades_moodle.csv and grades_canvas.csv
export: $(STAMP) gradebook.db
	@status=0; $(BIN)/nbgrader export --to grades.csv || status=$$?; $(OWN); \
	if [ $$status -eq 0 ]; then echo "Grades written to $(GRADES)"; fi; exit $$status

# The instructor report of the last grading run (course_grader/report.py):
# report/index.html (one page, plots embedded) with students.csv, cells.csv and mistakes.csv.
report: $(STAMP) gradebook.db
	@status=0; $(BIN)/python -m course_grader.report || status=$$?; $(OWN); exit $$status

# The instructors' grading interface (manual grades of written answers, submissions,
# the gradebook), in JupyterLab at /formgrader.
formgrader: $(STAMP) gradebook.db
	$(BIN)/jupyter lab --notebook-dir=. $(LAB_ROOT) --ServerApp.default_url=/formgrader $(LAB_ARGS)

feedback: $(STAMP) gradebook.db
	@status=0; for a in $(ASSIGNMENTS); do \
	  $(BIN)/nbgrader generate_feedback $$a || status=$$?; done; $(OWN); exit $$status

# integrity_report.csv for the English edition, integrity_report_ru.csv for the Russian one
integrity: $(STAMP)
	@status=0; $(foreach e,$(EDITIONS),$(BIN)/python -m course_grader.integrity \
	  --assignment $(call assignment_of,$(e)) \
	  --out integrity_report$(if $(filter en,$(e)),,_$(e)).csv || status=$$?;) $(OWN); exit $$status

bench: $(STAMP) sandbox-tools
	$(BIN)/python bench/bench.py

# What students get instead of this repository (tools/student_edition.py, docs/student-edition.md).
student-edition: $(STAMP)
	$(BIN)/python tools/student_edition.py --out dist

clean:
	rm -rf .pytest_cache .ruff_cache build *.egg-info
