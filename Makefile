# Lecture-02 workbook. Every target sets up what it needs on first use:
# the virtual environment .venv is created and the pinned packages installed when missing
# or when pyproject.toml changed.
#   make lab        open the student notebooks in JupyterLab
#   make test       the full test suite (the same command CI runs)
#   make release    regenerate notebooks/ from solutions/ with nbgrader
#   make autograde  grade every submission in submitted/ and export grades.csv
#                   (STUDENT=<id>, NOTEBOOK=<name>, FORCE=1 to grade one again)
#   make formgrader the instructors' grading interface (manual grades) at /formgrader
#   make feedback   write feedback/ for the graded submissions (hidden tests left out)
#   make integrity  report broken, tampered or suspicious submissions (integrity_report.csv)
#   make bench      time every solution notebook and one full autograde

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
ASSIGNMENT := lecture02

# nbgrader runs helper programs (alembic) from PATH; keep the venv's first.
export PATH := $(CURDIR)/$(BIN):$(PATH)
export PYTHONHASHSEED := 0
export PIP_DISABLE_PIP_VERSION_CHECK := 1

.PHONY: setup sandbox-tools lab test lint release autograde formgrader feedback integrity bench clean

setup: $(STAMP)

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11 or newer is needed; found " + sys.version.split()[0] + ". Run: make PYTHON=python3.11 ...")'
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	@touch $(STAMP)

# Autograding runs student code in a bubblewrap sandbox (course_utils/grading/SECURITY.md).
# As root on Debian/Ubuntu the tool is installed on first use; elsewhere this says how.
sandbox-tools:
	@command -v bwrap >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "Installing bubblewrap (the grading sandbox)"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq bubblewrap; \
	  else \
	    echo "Grading needs bubblewrap and root: sudo apt-get install bubblewrap; sudo make autograde" >&2; \
	  fi; }

LAB_ARGS ?=
# Jupyter refuses to run as root unless told (containers, CI); a normal user never needs it.
LAB_ROOT := $(shell [ "$$(id -u)" = 0 ] && echo --allow-root)
lab: $(STAMP)
	$(BIN)/jupyter lab --notebook-dir=. $(LAB_ROOT) $(LAB_ARGS) notebooks/$(ASSIGNMENT)/00_start_here.ipynb

test: $(STAMP) sandbox-tools
	$(BIN)/python -m pytest

lint: $(STAMP)
	$(BIN)/ruff check course_utils tests bench

release: $(STAMP)
	$(BIN)/nbgrader generate_assignment $(ASSIGNMENT) --force

# The gradebook holds the source cells autograde restores and scores against; it is made
# (or refreshed) from solutions/ by generate_assignment, which also rewrites the release.
gradebook.db: $(wildcard solutions/$(ASSIGNMENT)/*.ipynb) nbgrader_config.py | $(STAMP)
	$(BIN)/nbgrader generate_assignment $(ASSIGNMENT) --force
	@touch gradebook.db

# Options: STUDENT=<id> grades one student, NOTEBOOK=<name> one notebook, FORCE=1 grades again
# what is graded already (after a fix). grades.csv is written even when a submission failed;
# the exit status then says that something needs attention.
AUTOGRADE_ARGS = $(if $(STUDENT),--student=$(STUDENT)) $(if $(NOTEBOOK),--notebook=$(NOTEBOOK)) \
                 $(if $(FORCE),--force)
autograde: $(STAMP) sandbox-tools gradebook.db
	@status=0; $(BIN)/nbgrader autograde $(ASSIGNMENT) $(AUTOGRADE_ARGS) || status=$$?; \
	$(BIN)/nbgrader export --to grades.csv && echo "Grades written to grades.csv"; \
	if [ $$status -ne 0 ]; then \
	  echo "Some submissions could not be graded (see the errors above); fix them, then" \
	       "run: make autograde STUDENT=<id> FORCE=1" >&2; \
	fi; exit $$status

# The instructors' grading interface (manual grades of written answers, submissions,
# the gradebook), in JupyterLab at /formgrader.
formgrader: $(STAMP) gradebook.db
	$(BIN)/jupyter lab --notebook-dir=. $(LAB_ROOT) --ServerApp.default_url=/formgrader $(LAB_ARGS)

feedback: $(STAMP) gradebook.db
	$(BIN)/nbgrader generate_feedback $(ASSIGNMENT)

integrity: $(STAMP)
	$(BIN)/python -m course_utils.grading.integrity --assignment $(ASSIGNMENT) --out integrity_report.csv

bench: $(STAMP)
	$(BIN)/python bench/bench.py

clean:
	rm -rf .pytest_cache .ruff_cache build *.egg-info
