"""Commands on accounts: users and API tokens."""

from __future__ import annotations

import os
import stat
import sys
from pathlib import Path

import click
from flask.cli import AppGroup

from tracker.accounts import services as accounts
from tracker.cli.common import quorum, session_scope
from tracker.db import utcnow
from tracker.review import assignments
from tracker.text import utc_iso


@click.group(cls=AppGroup)
def users() -> None:
    """Accounts of reviewers, editors and admins."""


# How a password reaches `users add` and `users set-password`, alike for both.
STDIN_HELP = (
    "Read the password from standard input (its first line); on a terminal it is typed unseen,"
    " twice."
)
GENERATE_HELP = "Set a new generated password and print it (the default on a terminal)."


def _stdin_kind() -> str:
    """`terminal`; `nothing` for a device such as /dev/null, where nothing can have been piped
    in; `input` for a pipe, a file or anything else that may hold a password."""
    stream = sys.stdin
    if stream is None:
        return "nothing"
    if stream.isatty():
        return "terminal"
    try:
        mode = os.fstat(stream.fileno()).st_mode
    except (OSError, ValueError):  # no file behind it (io.UnsupportedOperation is both)
        return "input"
    return "nothing" if stat.S_ISCHR(mode) else "input"


def _password(password_stdin: bool, generate: bool) -> tuple[str, bool]:
    """The password to set, and whether it was generated (and must be printed).

    Standard input is read only when --password-stdin says so: a command that read it unasked
    would swallow the next lines of a script fed to a shell on standard input. A pipe or a file
    given without either option is refused rather than ignored, so a password piped in is
    never silently replaced by a generated one."""
    if password_stdin and generate:
        raise click.UsageError("give --password-stdin or --generate, not both")
    kind = _stdin_kind()
    if password_stdin:
        if kind == "terminal":
            typed = click.prompt("Password", hide_input=True, confirmation_prompt=True, err=True)
            return str(typed), False
        line = sys.stdin.readline()
        if line == "":
            raise click.UsageError(
                "--password-stdin: standard input is empty; pipe the password in, e.g."
                " printf '%s\\n' \"$PASSWORD\" | tracker users ..."
            )
        return line.removesuffix("\n").removesuffix("\r"), False
    if generate or kind != "input":
        return accounts.generate_password(), True
    raise click.UsageError(
        "standard input is a pipe or a file, and it is read only when you say so: give"
        " --password-stdin to set the password it holds, or --generate to set a new one"
        " (printed)"
    )


@users.command("add")
@click.option("--email", required=True)
@click.option("--role", type=click.Choice(["reviewer", "editor", "admin"]), default="reviewer")
@click.option("--name", "display_name", help="The name shown with their resolutions.")
@click.option("--password-stdin", is_flag=True, help=STDIN_HELP)
@click.option("--generate", is_flag=True, help=GENERATE_HELP)
def users_add(
    email: str, role: str, display_name: str | None, password_stdin: bool, generate: bool
) -> None:
    """Create an account, with the password from standard input (--password-stdin) or a
    generated one that is printed."""
    password, generated = _password(password_stdin, generate)
    with session_scope() as session:
        user = accounts.add_user(
            session, email=email, role=role, display_name=display_name, password=password
        )
        assignments.fill_assignments(session, quorum())
    if generated:
        click.echo(f"added {user.email} ({role}); password: {password}")
    else:
        click.echo(f"added {user.email} ({role})")


@users.command("list")
def users_list() -> None:
    """List accounts with their role and state."""
    with session_scope() as session:
        for user in accounts.list_users(session):
            state = "active" if user.is_active else "disabled"
            click.echo(f"{user.id:>4}  {user.role:<8}  {state:<8}  {user.email}")


@users.command("set-password")
@click.option("--email", required=True)
@click.option("--password-stdin", is_flag=True, help=STDIN_HELP)
@click.option("--generate", is_flag=True, help=GENERATE_HELP)
def users_set_password(email: str, password_stdin: bool, generate: bool) -> None:
    """Set the password from standard input (--password-stdin) or a generated one that is
    printed; every login of the account ends."""
    password, generated = _password(password_stdin, generate)
    with session_scope() as session:
        user = accounts.find_user_by_email(session, email)
        if user is None:
            raise click.ClickException(f"there is no account {email}")
        accounts.set_password(session, user, password, None)
        address = user.email
    click.echo(f"password of {address} changed" + (f": {password}" if generated else ""))


@users.command("demo")
@click.option("--file", "path", type=click.Path(dir_okay=False), required=True)
def users_demo(path: str) -> None:
    """On an installation with no accounts, create an admin, an editor and two reviewers and
    keep their logins in FILE (readable by you only); print the logins in FILE."""

    target = Path(path)
    with session_scope() as session:
        if accounts.count_users(session) == 0:
            lines = []
            for email, role in (
                ("admin@tracker.local", "admin"),
                ("editor@tracker.local", "editor"),
                ("reviewer1@tracker.local", "reviewer"),
                ("reviewer2@tracker.local", "reviewer"),
            ):
                password = accounts.generate_password()
                accounts.add_user(session, email=email, role=role, password=password)
                lines.append(f"{role:<9} {email:<26} {password}")
            assignments.fill_assignments(session, quorum())
            target.parent.mkdir(parents=True, exist_ok=True)
            target.touch(mode=0o600)
            target.write_text("\n".join(lines) + "\n")
    if target.exists():
        click.echo("Log in at /login with one of these accounts (kept in " + str(target) + "):")
        click.echo(target.read_text().rstrip())
    else:
        click.echo(
            "Accounts exist already: log in with yours, or add one with `tracker users add`."
        )


@click.group(cls=AppGroup)
def tokens() -> None:
    """API tokens for scripts and newsroom tools."""


@tokens.command("create")
@click.option("--email", required=True)
@click.option("--name", default="API token", help="What the token is for.")
def tokens_create(email: str, name: str) -> None:
    """Print a new token for the account (only once: only its hash is kept)."""
    with session_scope() as session:
        user = accounts.find_user_by_email(session, email)
        if user is None:
            raise click.ClickException(f"there is no account {email}")
        token = accounts.create_token(session, user, name, None)
    click.echo(token)


@tokens.command("list")
@click.option("--email", help="Only this account's tokens.")
def tokens_list(email: str | None) -> None:
    """List tokens: id, account, name, created, last used, revoked."""
    with session_scope() as session:
        user_id = None
        if email:
            user = accounts.find_user_by_email(session, email)
            if user is None:
                raise click.ClickException(f"there is no account {email}")
            user_id = user.id
        for row in accounts.list_tokens(session, user_id):
            used = utc_iso(row.last_used_at) if row.last_used_at else "never"
            revoked = f"revoked {utc_iso(row.revoked_at)}" if row.revoked_at else "live"
            click.echo(f"{row.id:>4}  {row.user.email}  {row.name}  used {used}  {revoked}")


@tokens.command("revoke")
@click.argument("token_id", type=int)
def tokens_revoke(token_id: int) -> None:
    """Revoke a token by its id; requests with it are refused at once."""
    with session_scope() as session:
        accounts.revoke_token(session, token_id, utcnow(), None)
    click.echo(f"token {token_id} revoked")
