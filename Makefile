# Two commands: `make demo` runs the erasure demo on an embedded SQLite database, `make test` runs the tests
# (`make serve`: the demo, then the daemon on it; `make docs`: the README's CLI reference; `make floors`).
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin

.PHONY: demo serve test docs floors clean

$(BIN)/eraser: pyproject.toml
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "Python 3.11 is needed ($(PYTHON) not found; set PYTHON=...)"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[all,dev]'
	@touch $@

demo: $(BIN)/eraser
	$(BIN)/eraser demo

serve: $(BIN)/eraser
	$(BIN)/eraser demo --serve

test: $(BIN)/eraser
	$(BIN)/ruff check eraser connectors tests bench tools
	$(BIN)/mypy
	$(BIN)/cog -I tools --check --check-fail-msg 'run `make docs`' README.md
	$(BIN)/hadolint Dockerfile
	$(BIN)/pytest -q

# The README's CLI reference, regenerated from the commands' help.
docs: $(BIN)/eraser
	$(BIN)/cog -I tools -r README.md

# The declared dependency floors, installed exactly in .venv-floors, against the fast tests.
floors:
	bash .ci/floors

clean:
	rm -rf $(VENV) .venv-floors eraser-demo .pytest_cache .mypy_cache .ruff_cache
