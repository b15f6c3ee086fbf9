"""Commands on the record: the seed article, importing, listing claims and the scorecard."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import click
from flask import current_app
from flask.cli import AppGroup, with_appcontext

from tracker.cli.common import iso_instant, public_address, quorum, session_scope
from tracker.db import utcnow
from tracker.errors import TrackerError
from tracker.imports import candidates as proposals
from tracker.imports import sources
from tracker.models import STATUSES, claim_status
from tracker.record import duplicates, services
from tracker.review import assignments
from tracker.text import plural, utc_iso


@click.command("seed")
@with_appcontext
def seed_command() -> None:
    """Record the seed article and its claims, and short excerpts of other coverage that
    forecast the same event (running it again changes nothing)."""
    from tracker.seed import seed, seed_related

    with session_scope() as session:
        result = seed(session)
        related = seed_related(session, result.source_id)
        assignments.fill_assignments(session, quorum())
    click.echo(
        f"source {result.source_id}: "
        + ("recorded" if result.source_created else "already recorded")
        + f"; {plural(result.claims_created, 'claim')} added, {result.claims_present} already"
        " there"
    )
    if related:
        click.echo(
            f"other coverage of the same events: {plural(related, 'forecast')} added, each"
            " linked to the seed's question it is about"
        )


@click.group(cls=AppGroup)
def claims() -> None:
    """Read recorded claims."""


@claims.command("list")
@click.option("--status", type=click.Choice(STATUSES))
@click.option("--kind", type=click.Choice(["forecast", "fact"]))
@click.option("--source-id", type=int)
@click.option("--key")
@click.option("--author")
@click.option("--outlet")
@click.option("--tag")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per line.")
def claims_list(as_json: bool, **filters: Any) -> None:
    """List claims, oldest first, with their derived status."""
    current = utcnow()
    with session_scope() as session:
        rows = services.list_claims(session, now=current, **filters)
        for claim in rows:
            status = claim_status(claim, current)
            if as_json:
                click.echo(
                    json.dumps(
                        {
                            "id": claim.id,
                            "source_id": claim.source_id,
                            "key": claim.key,
                            "kind": claim.kind,
                            "status": status,
                            "deadline": utc_iso(claim.deadline_at) if claim.deadline_at else None,
                            "probability": claim.probability,
                            "quote": claim.quote,
                        },
                        ensure_ascii=False,
                    )
                )
            else:
                deadline = claim.deadline_at.strftime("%Y-%m-%d") if claim.deadline_at else "-"
                probability = f"{claim.probability:.0%}" if claim.probability is not None else "-"
                click.echo(
                    f"{claim.id:>5}  {claim.kind:<8}  {status:<8}  {deadline:<10}  "
                    f"{probability:>4}  {claim.key}"
                )
        if not as_json:
            click.echo(plural(len(rows), "claim"), err=True)


@click.command("score")
@with_appcontext
@click.option("--author")
@click.option("--speaker", help="a speaker's name or slug: whose claims they are")
@click.option("--outlet")
@click.option("--tag")
@click.option("--source-id")
@click.option("--from", "date_from", help="first deadline day, YYYY-MM-DD")
@click.option("--to", "date_to", help="last deadline day, YYYY-MM-DD")
@click.option("--include-hedged", is_flag=True)
@click.option("--json", "as_json", is_flag=True, help="the scorecard as JSON, as the API gives it")
@click.option("--rebuild", is_flag=True, help="count every forecast again before scoring")
def score_command(as_json: bool, rebuild: bool, include_hedged: bool, **args: str | None) -> None:
    """Print the scorecard (the same numbers as the front page, CSV and API).

    Baseline: mean 100 * log2(probability given to what happened / 0.5), 0 is a coin. Peer:
    mean of a forecast's baseline less its question's mean, over the forecasts with peers."""
    from tracker.scorecard import services as scorecard

    query = {
        "from" if name == "date_from" else "to" if name == "date_to" else name: value
        for name, value in args.items()
        if value is not None
    }
    if include_hedged:
        query["include_hedged"] = "true"
    with session_scope() as session:
        filters = scorecard.parse_filters(query)
        if rebuild:
            counted = scorecard.rebuild(session)
            click.echo(f"counted {plural(counted, 'forecast')} again", err=True)
        card = scorecard.compute(session, filters)
        groups = [card.group, *card.authors, *card.outlets, *card.speakers]
        if as_json:
            click.echo(
                json.dumps(
                    {
                        "group": scorecard.group_record(card.group),
                        "authors": [scorecard.group_record(g) for g in card.authors],
                        "outlets": [scorecard.group_record(g) for g in card.outlets],
                        "speakers": [scorecard.group_record(g) for g in card.speakers],
                    },
                    ensure_ascii=False,
                )
            )
            return
        click.echo(
            f"{'':<8} {'rank':>4}  {'scored':>6}  {'brier':>6}  {'log':>7}  {'skill':>7}  "
            f"{'base':>6}  {'peer':>6}  {'peers':>5}  name"
        )
        for group in groups:
            record = scorecard.group_record(group)

            def number(value: float | None, width: int, digits: int = 3) -> str:
                return f"{value:>{width}.{digits}f}" if value is not None else f"{'-':>{width}}"

            click.echo(
                f"{group.dimension:<8} {group.rank or '-':>4}  {group.n_scored:>6}  "
                f"{number(record['brier'], 6)}  {number(record['log_score'], 7)}  "
                f"{number(record['skill_vs_chance'], 7)}  {number(record['baseline'], 6, 1)}  "
                f"{number(record['peer'], 6, 1)}  {record['n_peer']:>5}  {group.name}"
                + ("  (too few to judge)" if group.too_few_to_judge else "")
            )


def _published(value: str | None) -> dt.datetime | None:
    if not value:
        return None
    return iso_instant(value, "--published", "2020-01-03 or 2020-01-03T05:00:00Z")


# The import's options by the field a refusal names.
_IMPORT_OPTIONS = {
    "title": "--title",
    "url": "--url",
    "author": "--author",
    "outlet": "--outlet",
    "published_at": "--published",
}


@contextmanager
def _import_errors() -> Iterator[None]:
    """Refusals of an import as the command line says them: the option to give, and the
    address of the source that holds the text already."""
    try:
        yield
    except click.ClickException as error:
        cause = error.__cause__
        if isinstance(cause, duplicates.AlreadyArchived):
            link = f"{public_address('links')}/sources/{cause.source_id}"
            what = "this text" if cause.url is None else cause.url
            message = f"{what} is already archived as source {cause.source_id}: {link}"
            if cause.url is not None:
                message += "\nIf the page has changed since, give --new-version to keep both."
            raise click.ClickException(message) from cause
        if isinstance(cause, TrackerError):
            options = [_IMPORT_OPTIONS[f] for f in cause.fields if f in _IMPORT_OPTIONS]
            if options:
                raise click.ClickException(
                    f"{cause.message} (with {', '.join(options)})"
                ) from cause
        raise


@click.command("import")
@with_appcontext
@click.argument("location")
@click.option("--title", help="The title, when the page declares none (or to override it).")
@click.option("--outlet", help="The outlet, when the page declares none.")
@click.option("--author", help="The author, when the page names none.")
@click.option(
    "--published",
    help="Publication date or time, ISO 8601: a date is the start of that day, UTC; a time is"
    " UTC unless it says otherwise.",
)
@click.option("--url", "original_url", help="For a FILE: the address it was published at.")
@click.option(
    "--new-version",
    is_flag=True,
    help="The address is archived already and the page has changed: keep this version too.",
)
@click.option("--json", "as_json", is_flag=True, help="Print the candidates as JSON lines.")
def import_command(
    location: str,
    title: str | None,
    outlet: str | None,
    author: str | None,
    published: str | None,
    original_url: str | None,
    new_version: bool,
    as_json: bool,
) -> None:
    """Archive an article from a URL or a FILE (.html or plain text) and print the claims it
    seems to make: forecasts with their wording, probability and deadline, and facts. A text
    or address archived before is refused, naming the source it is in."""
    published_at = _published(published)
    is_url = location.lower().startswith(("http://", "https://"))
    address = location if is_url else original_url
    with _import_errors(), session_scope() as session:
        # Before fetching it again: is this address archived already?
        duplicates.check_new_address(session, address, new_version)
    if is_url:
        fetcher = current_app.extensions.get("tracker.fetcher") or sources.HttpFetcher.from_config(
            current_app.config
        )
        try:
            fetched = fetcher.fetch(location)
        except TrackerError as error:
            raise click.ClickException(error.message) from error
    else:
        path = Path(location)
        if not path.is_file():
            raise click.BadParameter(f"{location} is neither an http(s) URL nor a file")
        fetched = None
    with _import_errors(), session_scope() as session:
        fetched = fetched or sources.read_file(path)
        source = sources.import_fetched(
            session,
            fetched,
            url=address,
            title=title,
            outlet=outlet,
            author=author,
            published_at=published_at,
            new_version=new_version,
        )
        source_id = source.id
        click.echo(
            f"source {source_id}: {source.title!r}"
            f" ({source.outlet or 'outlet unknown'}, {source.author or 'author unknown'},"
            f" published {source.published_at.date() if source.published_at else 'unknown'})",
            err=True,
        )
        proposed = proposals.list_candidates(session, source_id)
    for item in proposed:
        candidate = item.candidate
        if as_json:
            data = candidate.as_dict()
            data["deadline"] = utc_iso(data["deadline"]) if data["deadline"] else None
            click.echo(json.dumps({"source_id": source_id, **data}, ensure_ascii=False))
            continue
        if candidate.kind == "forecast":
            assert candidate.deadline is not None and candidate.probability is not None
            flags = "".join(
                f" [{flag}]"
                for flag, on in (
                    ("hedged", candidate.hedged),
                    ("negated", candidate.negated),
                    ("conditional", candidate.condition is not None),
                )
                if on
            )
            click.echo(
                f"forecast  {candidate.quote_start:>6}-{candidate.quote_end:<6}"
                f" {candidate.probability:>4.0%} {candidate.phrase!r}"
                f" by {candidate.deadline.at.date()} ({candidate.deadline.origin}){flags}"
            )
            if candidate.condition:
                click.echo(f"          if: {candidate.condition}")
        else:
            click.echo(
                f"fact      {candidate.quote_start:>6}-{candidate.quote_end:<6} {candidate.reason}"
            )
        click.echo(f"          {candidate.quote}")
    click.echo(plural(len(proposed), "candidate"), err=True)
