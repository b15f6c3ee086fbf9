"""Commands on accounts: users and API tokens."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from flask.cli import AppGroup

from tracker.accounts import services as accounts
from tracker.cli.common import quorum, session_scope
from tracker.db import utcnow
from tracker.review import assignments


@click.group(cls=AppGroup)
def users() -> None:
    """Accounts of reviewers, editors and admins."""


@users.command("add")
@click.option("--email", required=True)
@click.option("--role", type=click.Choice(["reviewer", "editor", "admin"]), default="reviewer")
@click.option("--name", "display_name", help="The name shown with their resolutions.")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
def users_add(email: str, role: str, display_name: str | None, password_stdin: bool) -> None:
    """Create an account; prints a generated password unless --password-stdin is given."""
    password = sys.stdin.readline().rstrip("\n") if password_stdin else accounts.generate_password()
    with session_scope() as session:
        user = accounts.add_user(
            session, email=email, role=role, display_name=display_name, password=password
        )
        assignments.fill_assignments(session, quorum())
    if password_stdin:
        click.echo(f"added {user.email} ({role})")
    else:
        click.echo(f"added {user.email} ({role}); password: {password}")


@users.command("list")
def users_list() -> None:
    """List accounts with their role and state."""
    with session_scope() as session:
        for user in accounts.list_users(session):
            state = "active" if user.is_active else "disabled"
            click.echo(f"{user.id:>4}  {user.role:<8}  {state:<8}  {user.email}")


@users.command("set-password")
@click.option("--email", required=True)
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
def users_set_password(email: str, password_stdin: bool) -> None:
    """Set a new password (ends every session of the account); prints it if generated."""
    password = sys.stdin.readline().rstrip("\n") if password_stdin else accounts.generate_password()
    with session_scope() as session:
        user = accounts.find_user_by_email(session, email)
        if user is None:
            raise click.ClickException(f"there is no account {email}")
        accounts.set_password(session, user, password, None)
    click.echo("password changed" if password_stdin else f"password: {password}")


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
            used = row.last_used_at.isoformat() if row.last_used_at else "never"
            revoked = f"revoked {row.revoked_at.isoformat()}" if row.revoked_at else "live"
            click.echo(f"{row.id:>4}  {row.user.email}  {row.name}  used {used}  {revoked}")


@tokens.command("revoke")
@click.argument("token_id", type=int)
def tokens_revoke(token_id: int) -> None:
    """Revoke a token by its id; requests with it are refused at once."""
    with session_scope() as session:
        accounts.revoke_token(session, token_id, utcnow(), None)
    click.echo(f"token {token_id} revoked")
