# Two commands a newcomer needs: `make demo` and `make test`. Both set themselves up.
UV_VERSION := 0.13.9
TOOLS := .tools
UV := $(TOOLS)/bin/uv
VENV := .venv
BIN := $(VENV)/bin

# The browser tests drive Debian's own Chromium (never a Playwright download) and need CJK fonts so
# Chinese text renders instead of tofu boxes. File targets keep this idempotent and silent once installed.
CHROMIUM := /usr/bin/chromium
CJK_FONT := /usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
APT_INSTALL := $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends

.PHONY: install browser demo test lint typecheck unit bench docs clean

$(UV):
	python3 -m venv $(TOOLS)
	$(TOOLS)/bin/pip install --quiet "uv==$(UV_VERSION)"

$(VENV)/.synced: pyproject.toml uv.lock | $(UV)
	$(UV) sync --frozen
	touch $@

# Try the install first; refresh package lists only when that fails (fresh machine, stale lists).
define apt_install
	@echo "== Installing Debian package(s) $(1) =="
	@$(APT_INSTALL) $(1) >/dev/null 2>&1 || { $(SUDO) apt-get update -qq && $(APT_INSTALL) $(1) >/dev/null; }
	@test -e $@ || { echo "$(1) installed but $@ is missing" >&2; exit 1; }
endef

$(CHROMIUM):
	$(call apt_install,chromium)

$(CJK_FONT):
	$(call apt_install,fonts-noto-cjk)

browser: $(CHROMIUM) $(CJK_FONT)

install: $(VENV)/.synced browser

demo: install
	@echo "== The seed case as the court found it (expect findings) =="
	$(BIN)/consentgate audit examples/seed-case/as-found.yaml --lang en --fail-on none
	@echo
	@echo "== The address-book case (expect the address-book finding) =="
	$(BIN)/consentgate audit examples/address-book-case/as-found.yaml --lang en --fail-on none
	@echo
	@echo "== The same app, fixed as the court requires (expect no finding at medium or above) =="
	$(BIN)/consentgate audit examples/seed-case/fixed.yaml --lang en
	@echo
	@echo "== The fixed app running on consentgate: three users and one visitor who only browses; feed, push, SMS, sharing (SQLite) =="
	$(BIN)/python examples/demo-app/demo.py --database var/demo.db --tenant demo
	@$(BIN)/python examples/demo-app/serve.py --database var/demo.db

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: install
	$(BIN)/mypy
	$(BIN)/mypy benchmarks examples/demo-app/demo.py examples/demo-app/serve.py

unit: install
	$(BIN)/pytest -n 2

test: lint typecheck unit

# The benchmarks' PostgreSQL engines need a key from outside the database (docs/keys.md): one made once here.
BENCH_KEYS := var/bench.keys

$(BENCH_KEYS): | $(VENV)/.synced
	@mkdir -p $(dir $@)
	$(BIN)/consentgate key create --out $@

bench: export CONSENTGATE_KEY_FILE := $(abspath $(BENCH_KEYS))
bench: install $(BENCH_KEYS)
	$(BIN)/python benchmarks/audit_throughput.py
	$(BIN)/python benchmarks/gate.py
	$(BIN)/python benchmarks/ledger.py
	$(BIN)/python benchmarks/auditlog.py
	$(BIN)/python benchmarks/auditlog_crash.py
	$(BIN)/python benchmarks/fanout.py
	$(BIN)/python benchmarks/rights.py
	$(BIN)/python benchmarks/http_load.py
	$(BIN)/python benchmarks/observe.py
	$(BIN)/python benchmarks/traces.py

docs: install
	$(BIN)/consentgate rules --format markdown > docs/rules.md

clean:
	rm -rf $(VENV) $(TOOLS) .mypy_cache .pytest_cache .ruff_cache
