"""How a password reaches `tracker users add` and `tracker users set-password`: from standard
input when --password-stdin says so, generated and printed with --generate (the default on a
terminal or with nothing on standard input), and never a password piped in silently replaced
by a generated one."""

from __future__ import annotations

import io
import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import click
import pytest
from flask import Flask
from flask.cli import ScriptInfo
from flask.testing import FlaskCliRunner
from sqlalchemy.orm import Session

from tests.conftest import PASSWORD
from tracker.accounts import services as accounts
from tracker.cli import accounts as accounts_cli
from tracker.cli import main
from tracker.models import User

MakeUser = Callable[..., User]
NEW = "a new passphrase, long enough"


def _works(session: Session, email: str, password: str) -> bool:
    """Whether the password is the account's now (read only: the next command may write)."""
    session.rollback()
    session.expire_all()  # see what the command committed
    matches = accounts.password_matches(accounts.login_attempt(session, email), password)
    session.rollback()
    return matches


@pytest.mark.parametrize("command", ["add", "set-password"])
def test_a_password_piped_in_without_the_option_is_refused_not_replaced(
    runner: FlaskCliRunner, session: Session, make_user: MakeUser, command: str
) -> None:
    user = make_user()
    email = user.email if command == "set-password" else "new@newsroom.test"
    result = runner.invoke(main, ["users", command, "--email", email], input=NEW + "\n")
    assert result.exit_code == 2, result.output
    assert "--password-stdin" in result.output and "--generate" in result.output
    assert "password:" not in result.output  # nothing was generated, nothing was set
    assert _works(session, user.email, PASSWORD)
    assert accounts.find_user_by_email(session, "new@newsroom.test") is None


def test_set_password_from_standard_input(
    runner: FlaskCliRunner, session: Session, make_user: MakeUser
) -> None:
    user = make_user()
    result = runner.invoke(
        main,
        ["users", "set-password", "--email", user.email, "--password-stdin"],
        input=NEW + "\r\nthe next line is not read\n",
    )
    assert result.exit_code == 0, result.output
    assert result.output.strip() == f"password of {user.email} changed"
    assert _works(session, user.email, NEW) and not _works(session, user.email, PASSWORD)


@pytest.mark.parametrize(
    ("given", "message"),
    [
        ("", "standard input is empty"),
        ("\n", "at least 12 characters"),
        ("short\n", "at least 12 characters"),
    ],
)
def test_set_password_refuses_an_empty_or_short_password(
    runner: FlaskCliRunner, session: Session, make_user: MakeUser, given: str, message: str
) -> None:
    user = make_user()
    args = ["users", "set-password", "--email", user.email, "--password-stdin"]
    result = runner.invoke(main, args, input=given)
    assert result.exit_code != 0 and message in result.output
    assert _works(session, user.email, PASSWORD)


def test_generate_prints_the_password_it_sets(
    runner: FlaskCliRunner, session: Session, make_user: MakeUser
) -> None:
    user = make_user()
    result = runner.invoke(
        main, ["users", "set-password", "--email", user.email, "--generate"], input="ignored\n"
    )
    assert result.exit_code == 0, result.output
    password = result.output.rsplit(": ", 1)[1].strip()
    assert len(password) >= 20 and _works(session, user.email, password)
    both = runner.invoke(
        main, ["users", "add", "--email", "x@newsroom.test", "--generate", "--password-stdin"]
    )
    assert both.exit_code == 2 and "not both" in both.output


def test_add_reads_the_password_from_standard_input(
    runner: FlaskCliRunner, session: Session
) -> None:
    result = runner.invoke(
        main,
        ["users", "add", "--email", "ed@newsroom.test", "--role", "editor", "--password-stdin"],
        input=NEW + "\n",
    )
    assert result.exit_code == 0, result.output
    assert result.output.strip() == "added ed@newsroom.test (editor)"
    assert _works(session, "ed@newsroom.test", NEW)


def test_on_a_terminal_the_password_is_typed_unseen_twice(
    runner: FlaskCliRunner, session: Session, make_user: MakeUser, monkeypatch: pytest.MonkeyPatch
) -> None:
    """On a terminal --password-stdin prompts without echo and asks again to confirm."""
    monkeypatch.setattr(accounts_cli, "_stdin_kind", lambda: "terminal")
    user = make_user()
    args = ["users", "set-password", "--email", user.email, "--password-stdin"]
    result = runner.invoke(main, args, input=f"{NEW}\n{NEW}\n")
    assert result.exit_code == 0, result.output
    assert NEW not in result.output and "Password" in result.output
    assert _works(session, user.email, NEW)


@pytest.fixture
def real_stdin(app: Flask, monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[..., Any]]:
    """Run a command with a real file descriptor as standard input (the test runner's input
    has none), as `tracker` does when started from a shell."""
    opened: list[Any] = []

    def run(stdin: Any, args: list[str], capsys: pytest.CaptureFixture[str]) -> str:
        opened.append(stdin)
        monkeypatch.setattr("sys.stdin", stdin)
        main.main(args, obj=ScriptInfo(create_app=lambda: app), standalone_mode=False)
        return capsys.readouterr().out

    yield run
    for stream in opened:
        stream.close()


def test_nothing_on_standard_input_or_a_terminal_generates_one(
    real_stdin: Callable[..., str],
    session: Session,
    make_user: MakeUser,
    capsys: pytest.CaptureFixture[str],
) -> None:
    user = make_user()
    args = ["users", "set-password", "--email", user.email]
    with_null = real_stdin(open(os.devnull), args, capsys)  # noqa: SIM115 - closed by the fixture
    password = with_null.rsplit(": ", 1)[1].strip()
    assert _works(session, user.email, password)
    controller, terminal = os.openpty()
    os.close(controller)
    with_terminal = real_stdin(io.TextIOWrapper(io.FileIO(terminal)), args, capsys)
    assert _works(session, user.email, with_terminal.rsplit(": ", 1)[1].strip())


def test_a_file_on_standard_input_is_refused_without_the_option(
    real_stdin: Callable[..., str],
    session: Session,
    make_user: MakeUser,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """`bash < setup.sh`: the commands' standard input is the rest of the script."""
    user = make_user()
    script = tmp_path / "setup.sh"
    script.write_text("tracker users list\n")
    with pytest.raises(click.UsageError, match="--password-stdin"):
        real_stdin(script.open(), ["users", "set-password", "--email", user.email], capsys)
    assert _works(session, user.email, PASSWORD)
