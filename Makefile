# Two commands do all the set-up on a fresh machine: `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test lint typecheck check-generated build bench clean java node chromium

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

build: $(STAMP)
	$(BIN)/pol build

demo: build
	@echo
	@echo '== 第二十四条：投资 8000 万元的旅游项目（封顶 50 万元）=='
	$(BIN)/pol calc policies/wucheng2023.pol --clause art24_investment \
	    --input 非政府性资金投资=是 --input 固定资产投资=8000万元 --input 实际投资额=8000万元
	@echo
	@echo '== 第三十一条：年销售额恰为 3 亿元（“及以上”含本数）=='
	$(BIN)/pol calc policies/wucheng2023.pol --clause art31_independent_entity \
	    --input 分支机构转为独立法人=是 --input 纳入限上统计=是 --input 年销售额=3亿元
	@echo
	@echo '== 一家企业按整份文件计算：多条可享受，同一事项就高从优 =='
	$(BIN)/pol calc --set policies --profile examples/enterprise.yaml
	@echo
	@echo '== 一批申请按列计算（含一行有误的申请），结果写入 build/results.csv =='
	$(BIN)/pol batch examples/applications.csv -o build/results.csv --no-progress
	@echo
	@echo '== 审核页：每份政策、每条规则一页，签署栏在政策页末 =='
	$(BIN)/pol site -o build/site

test: $(STAMP) java node chromium lint typecheck check-generated
	$(BIN)/python -m pytest

# Java 17 or newer for Spark (pol spark, tests/test_spark.py): Debian's, where there is no java on the PATH.
java:
	@command -v java >/dev/null 2>&1 || { \
	    SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	    $$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq default-jre-headless; }

# Node.js for tests/test_javascript.py (the site's calculators, run against the Python ones): Debian's, where there is none.
node:
	@command -v node >/dev/null 2>&1 || { \
	    SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	    $$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq nodejs; }

# Chromium and CJK fonts for tests/test_browser.py (pol site's pages in a real browser; Playwright drives
# /usr/bin/chromium and downloads no browser of its own): Debian's, where they are missing.
chromium:
	@{ command -v chromium >/dev/null 2>&1 && fc-list :lang=zh 2>/dev/null | grep -q .; } || { \
	    SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	    $$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq chromium fonts-noto-cjk; }

lint: $(STAMP)
	$(BIN)/ruff check compiler pol_runtime tests benchmarks generated

# The compiler and runtime; then the committed calculators as a caller sees them (tests/test_typing.py has more).
typecheck: $(STAMP)
	$(BIN)/mypy
	$(BIN)/mypy --strict generated tests/typing/caller.py

check-generated: $(STAMP)
	$(BIN)/pol build --check

bench: $(STAMP) java
	$(BIN)/python benchmarks/startup.py
	$(BIN)/python benchmarks/spark_speed.py
	$(BIN)/python benchmarks/compile_speed.py
	$(BIN)/python benchmarks/check_speed.py
	$(BIN)/python benchmarks/call_speed.py
	$(BIN)/python benchmarks/vector_speed.py --check-rows 100000
	$(BIN)/python benchmarks/batch_speed.py
	$(BIN)/python benchmarks/serve_load.py
	-$(MAKE) $(OPENFISCA)/.installed  # where OpenFisca installs, it is measured too
	$(BIN)/python benchmarks/openfisca_speed.py

# OpenFisca, for benchmarks/openfisca_speed.py only, in a venv of its own.
OPENFISCA := .venv-openfisca
$(OPENFISCA)/.installed:
	$(PYTHON) -m venv $(OPENFISCA)
	$(OPENFISCA)/bin/python -m pip install --quiet 'openfisca-core==46.*'
	touch $@

clean:
	rm -rf $(VENV) $(OPENFISCA) .pytest_cache .mypy_cache .ruff_cache
