"""The README is true, and stays so.

- Every ```sh block of the README runs, in order, in one bash session (`set -euo pipefail`,
  curl failing on any error answer) against a fresh installation: a new SQLite database in a
  temporary folder, migrated and seeded, with the demo accounts, served by a real server on a
  free port that TRACKER_BASE_URL names (the README's http://127.0.0.1:5000 is replaced by it).
  A line `# → text` after a command says what the output ends with (`...` stands for anything);
  the test fails when it no longer does. Blocks that are synopses rather than examples are
  fenced as ```text. Lines that run `make` are left out: CI runs `make` itself (.ci/run), and
  `make test` is this suite.
- The /api page's curl and Python examples run the same way, as they are rendered.
- "What is there" names every route the application serves and no other; the command list
  names every command of the command line with every option, and only real ones; the
  Configuration tables name every setting the code reads, each with its true default.

Documentation is checked on SQLite only: one backend is enough to know that it is true.
"""

from __future__ import annotations

import ast
import html
import os
import re
import subprocess
import sys
import threading
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import click
import pytest
from flask import Flask
from flask.cli import ScriptInfo
from werkzeug.serving import make_server

from tracker import config
from tracker.app import create_app
from tracker.cli import main

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
VENV = Path(sys.prefix)  # the virtual environment the tests run in: .venv
DOCUMENTED_BASE = "http://127.0.0.1:5000"
EXPECTED = "# → "
# Every example runs with these: a failing command or error answer stops the session.
PRELUDE = """\
set -euo pipefail
curl() { command curl --fail-with-body "$@"; }
"""
MAKE_LINE = re.compile(r"^\s*(?:[A-Z_][A-Z0-9_]*=\S*\s+)*make(?:\s|$)")


@dataclass(frozen=True)
class Block:
    info: str
    body: str
    line: int  # where the block starts in README.md


def _blocks(text: str) -> list[Block]:
    blocks = []
    for match in re.finditer(r"^```([^\n`]*)\n(.*?)^```\s*$", text, re.S | re.M):
        blocks.append(Block(match[1].strip(), match[2], text.count("\n", 0, match.start()) + 1))
    return blocks


def _section(text: str, title: str) -> str:
    start = text.index(f"\n## {title}\n")
    end = text.find("\n## ", start + 1)
    return text[start : end if end != -1 else len(text)]


def _table_rows(text: str) -> list[list[str]]:
    rows = []
    for line in text.splitlines():
        if line.startswith("| `"):
            rows.append([cell.strip() for cell in line.strip().strip("|").split(" | ")])
    return rows


def _codes(cell: str) -> list[str]:
    return re.findall(r"`([^`]+)`", cell)


# Running the examples ----------------------------------------------------------------------


@dataclass
class Install:
    base: str
    home: Path
    env: dict[str, str]


@pytest.fixture(scope="module")
def install(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Install]:
    """A fresh installation as `make run` leaves it: migrated, seeded, the demo accounts made,
    and a real HTTP server (werkzeug's, threaded) on a free port."""
    home = tmp_path_factory.mktemp("readme")
    (home / ".venv").symlink_to(VENV)  # the examples call .venv/bin/tracker
    holder: dict[str, Flask] = {}
    server = make_server("127.0.0.1", 0, lambda e, s: holder["app"](e, s), threaded=True)
    try:
        yield from _installed(server, holder, home)
    finally:
        server.server_close()


def _installed(server: Any, holder: dict[str, Flask], home: Path) -> Iterator[Install]:
    base = f"http://127.0.0.1:{server.server_port}"
    env = {name: value for name, value in os.environ.items() if not name.startswith("TRACKER_")}
    env |= {
        "TRACKER_DATABASE_URL": f"sqlite:///{home / 'tracker.sqlite3'}",
        "TRACKER_SECRET_KEY": "readme-examples",
        "TRACKER_BASE_URL": base,
        "PATH": f"{VENV / 'bin'}{os.pathsep}{os.environ.get('PATH', '')}",
    }
    with pytest.MonkeyPatch.context() as patch:
        for name in os.environ:
            if name.startswith("TRACKER_"):
                patch.delenv(name)
        for name, value in env.items():
            patch.setenv(name, value)
        app = holder["app"] = create_app()
    runner = app.test_cli_runner()
    for args in (
        ["db", "upgrade"],
        ["seed"],
        ["users", "demo", "--file", str(home / "demo-logins.txt")],
    ):
        result = runner.invoke(main, args)
        assert result.exit_code == 0, (args, result.output)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield Install(base, home, env)
    finally:
        server.shutdown()
        thread.join(timeout=10)
        app.extensions["tracker.engine"].dispose()


def _script(blocks: list[Block], base: str) -> tuple[str, list[tuple[int, str]]]:
    """One bash script of the blocks, with a marker printed at each `# → ` expectation; the
    expectations in order, each with the README line it is on."""
    lines = [PRELUDE]
    expectations: list[tuple[int, str]] = []
    for block in blocks:
        pending: list[str] = []
        # A line past the block's end closes an expectation that ends the block.
        for number, line in enumerate([*block.body.splitlines(), ""], start=block.line + 1):
            line = line.replace(DOCUMENTED_BASE, base)
            if line.lstrip().startswith(EXPECTED):
                pending.append(line.lstrip()[len(EXPECTED) :])
                continue
            if pending:
                expectations.append((number - len(pending), "\n".join(pending)))
                lines.append(f"printf '\\n@@CHECK {len(expectations)}@@\\n'")
                pending = []
            lines.append("" if MAKE_LINE.match(line) else line)
    return "\n".join(lines) + "\n", expectations


def _pattern(expected: str) -> re.Pattern[str]:
    """`...` (or `…`) stands for anything; the rest is literal."""
    parts = re.split(r"\.\.\.|…", expected)
    return re.compile(r"(?:\A|\n)" + ".*?".join(map(re.escape, parts)) + r"\Z", re.S)


def _run(install: Install, script: str, name: str) -> str:
    path = install.home / name
    path.write_text(script)
    result = subprocess.run(  # noqa: S603 - bash on a script this test wrote
        ["/bin/bash", str(path)],
        cwd=install.home,
        env=install.env,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, (
        f"{name} failed with status {result.returncode}\n--- output (end) ---\n"
        f"{result.stdout[-3000:]}\n--- errors ---\n{result.stderr[-3000:]}"
    )
    return result.stdout


def _check(output: str, expectations: list[tuple[int, str]]) -> None:
    chunks = re.split(r"\n?@@CHECK \d+@@\n", output)
    assert len(chunks) == len(expectations) + 1, "an expectation marker went missing"
    for (line, expected), chunk in zip(expectations, chunks, strict=False):
        shown = chunk.rstrip()
        assert _pattern(expected).search(shown), (
            f"README.md line {line}: the output does not end as the README says\n"
            f"--- README ---\n{expected}\n--- output (end) ---\n{shown[-1500:]}"
        )


def test_readme_examples_run_against_a_fresh_installation(install: Install) -> None:
    blocks = [b for b in _blocks(README.read_text()) if b.info == "sh"]
    assert len(blocks) >= 5, "the README's runnable examples went missing"
    script, expectations = _script(blocks, install.base)
    assert len(expectations) >= 6
    _check(_run(install, script, "readme.sh"), expectations)


def test_every_shell_block_is_an_example_or_marked_as_a_synopsis() -> None:
    """A block is run unless fenced as text: an unmarked synopsis (`A|B`, `[--flag]`) would be
    run, fail, and say so here first."""
    for block in _blocks(README.read_text()):
        assert block.info in ("sh", "text"), f"README.md line {block.line}: fence {block.info!r}"
        if block.info == "sh":
            for line in block.body.splitlines():
                code = line.split(" # ", 1)[0]
                assert not re.search(r"\[--|\w\|\w", code), f"README.md line {block.line}: {line}"


def _api_examples(base: str) -> dict[str, str]:
    with urllib.request.urlopen(f"{base}/api", timeout=30) as answer:  # noqa: S310 - local
        page = answer.read().decode()
    examples = {}
    for name in ("curl", "python"):
        found = re.search(
            rf'<h3 id="example-{name}">.*?</h3>\s*<pre><code>(.*?)</code></pre>', page, re.S
        )
        assert found, f"the /api page has no {name} example"
        examples[name] = html.unescape(found[1])
    return examples


def test_api_page_examples_run_against_a_fresh_installation(install: Install) -> None:
    """The /api page's examples, pasted as they are rendered: the curl one in bash, then the
    Python one with the tokens the curl one made."""
    examples = _api_examples(install.base)
    ast.parse(examples["python"])  # a syntax error is reported as such
    (install.home / "api_example.py").write_text(examples["python"])
    script = (
        PRELUDE
        + examples["curl"]
        + "\nprintf '\\n@@CHECK 1@@\\n'\n"
        + "export EDITOR_TOKEN REVIEWER_TOKEN\npython3 api_example.py\n"
    )
    output = _run(install, script, "api_examples.sh")
    by_curl, by_python = re.split(r"\n?@@CHECK 1@@\n", output)
    assert by_curl.rstrip().endswith('"state":"pending"}'), by_curl[-500:]
    lines = by_python.splitlines()
    assert lines[0] == "pending", lines[:3]
    due = [line for line in lines[1:] if re.match(r"\d+ \d{4}-\d\d-\d\dT", line)]
    assert len(due) == len(lines) - 1 and len(due) >= 10  # the seed's due forecasts at least


# What the README lists ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def quiet_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    """An application that is never served: its routes and commands are read."""
    folder = tmp_path_factory.mktemp("listing")
    app = create_app(
        {"DATABASE_URL": f"sqlite:///{folder / 'unused.sqlite3'}", "SECRET_KEY": "listing"}
    )
    yield app
    app.extensions["tracker.engine"].dispose()


@pytest.fixture(scope="module")
def routes(quiet_app: Flask) -> set[tuple[str, str]]:
    """(method, path with every <variable> as <>) of every route the application serves."""
    app = quiet_app
    found = set()
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static":
            continue
        for method in rule.methods or ():
            if method not in ("HEAD", "OPTIONS"):
                found.add((method, re.sub(r"<[^>]+>", "<>", rule.rule)))
    return found


def test_what_is_there_names_every_route_and_only_real_ones(routes: set[tuple[str, str]]) -> None:
    listed = set()
    for row in _table_rows(_section(README.read_text(), "What is there")):
        for code in _codes(row[0]):
            method, _, path = code.rpartition(" ")
            listed.add((method or "GET", re.sub(r"<[^>]+>", "<>", path)))
    assert listed <= routes, f"listed but not served: {sorted(listed - routes)}"
    # Every page and read, and every API write; the forms' POST targets are named with the
    # page they belong to.
    wanted = {(m, p) for m, p in routes if m == "GET" or p.startswith("/api/")}
    assert wanted <= listed, f"served but not listed: {sorted(wanted - listed)}"


def _synopsis() -> list[tuple[list[str], set[str], int]]:
    """(command path, options, README line) of every line of the command list."""
    text = README.read_text()
    block = next(b for b in _blocks(text) if b.info == "text" and "tracker db upgrade" in b.body)
    entries: list[tuple[list[str], set[str], int]] = []
    for number, line in enumerate(block.body.splitlines(), start=block.line + 1):
        code = re.split(r"\s#\s", line, maxsplit=1)[0]
        options = set(re.findall(r"(?<![\w-])(--?[a-z][\w-]*)", code))
        if code.startswith("tracker "):
            words = code.split()[1:]
            path = []
            for word in words:
                if not re.fullmatch(r"[a-z][a-z-]*", word):
                    break
                path.append(word)
            entries.append((path, options, number))
        elif code.strip():
            entries[-1][1].update(options)  # a continuation line
    return entries


def _leaves(
    group: click.Group, context: click.Context, prefix: list[str]
) -> Iterator[tuple[list[str], click.Command]]:
    for name in group.list_commands(context):
        command = group.get_command(context, name)
        assert command is not None
        if isinstance(command, click.Group):
            yield from _leaves(command, click.Context(command, parent=context), [*prefix, name])
        else:
            yield [*prefix, name], command


def _product_command(command: click.Command) -> bool:
    """Ours, not Flask's (routes, run, shell) or Flask-Limiter's."""
    return getattr(command.callback, "__module__", "").startswith("tracker.")


def test_command_list_names_every_command_and_option(quiet_app: Flask) -> None:
    context = click.Context(main, obj=ScriptInfo(create_app=lambda: quiet_app))
    commands = {tuple(path): command for path, command in _leaves(main, context, [])}
    listed: dict[tuple[str, ...], set[str]] = {}
    for path, options, line in _synopsis():
        assert tuple(path) in commands, f"README.md line {line}: no command tracker {path}"
        command = commands[tuple(path)]
        known = {"--help"}
        for param in command.params:
            known.update(param.opts, param.secondary_opts)
        assert options <= known, f"README.md line {line}: {sorted(options - known)} unknown"
        listed.setdefault(tuple(path), set()).update(options)
    for path, command in commands.items():
        if not _product_command(command):
            continue
        assert path in listed, f"tracker {' '.join(path)} is missing from the command list"
        for param in command.params:
            if isinstance(param, click.Option):
                names = {*param.opts, *param.secondary_opts}
                assert names & listed[path], f"tracker {' '.join(path)}: {param.opts} missing"


def _documented_settings() -> dict[str, str]:
    """Each variable of the Configuration tables, with its default as written (a code literal,
    or `None` when the default is described in words)."""
    documented: dict[str, str] = {}
    for row in _table_rows(_section(README.read_text(), "Configuration")):
        names = _codes(row[0])
        literals = _codes(row[1])
        plain = re.sub(r"`[^`]*`|,|\s", "", row[1]) == ""
        for position, name in enumerate(names):
            documented[name] = literals[position] if plain and len(literals) == len(names) else ""
    return documented


def _same(written: str, value: Any) -> bool:
    if value is None:
        return written == "null"
    if isinstance(value, bool):
        return written == ("true" if value else "false")
    if isinstance(value, int | float):
        try:
            return float(written) == float(value)
        except ValueError:
            return False
    return _pattern(written).search(str(value)) is not None


def _environment_reads() -> dict[str, str]:
    """Variables the code, the Makefile and gunicorn's settings read outside TRACKER_* config,
    with their defaults (the benchmarks' own BENCH_* knobs aside)."""
    found: dict[str, str] = {}
    sources = [*ROOT.glob("tracker/**/*.py"), *ROOT.glob("deploy/*.py"), ROOT / "wsgi.py"]
    for source in sources:
        for name, default in re.findall(
            r"os\.(?:environ\.get|getenv)\(\s*\"([A-Z0-9_]+)\"(?:,\s*\"([^\"]*)\")?",
            source.read_text(),
        ):
            found[name] = default
    makefile = (ROOT / "Makefile").read_text()
    for name, default in re.findall(
        r"^(?:export\s+)?([A-Z][A-Z0-9_]*)\s*\?=\s*(.*)$", makefile, re.M
    ):
        if not name.startswith("BENCH_"):
            found[name] = default.strip()
    return found


def test_configuration_names_every_setting_with_its_true_default() -> None:
    documented = _documented_settings()
    settings = {f"TRACKER_{key}": value for key, value in config.defaults(Path("/srv")).items()}
    settings["TRACKER_DATABASE_URL"] = config.default_database_url()
    missing = sorted(set(settings) - set(documented))
    assert not missing, f"settings the README's Configuration does not name: {missing}"
    for name, value in settings.items():
        written = documented[name]
        if written:
            assert _same(written, value), f"{name}: the README says {written}, the code {value!r}"
        else:
            assert value is None or name in ("TRACKER_DATABASE_URL",), (
                f"{name}: its default {value!r} is described in words, not given"
            )
    reads = _environment_reads()
    missing = sorted(set(reads) - set(documented))
    assert not missing, f"variables read that the README's Configuration does not name: {missing}"
    for name, default in reads.items():
        written = documented[name]
        if written and default and "$" not in default and "(" not in default:
            assert written == default, f"{name}: the README says {written}, the code {default}"
    documented_extra = set(documented) - set(settings) - set(reads)
    assert documented_extra <= {"GUNICORN_CMD_ARGS"}, f"named but never read: {documented_extra}"
