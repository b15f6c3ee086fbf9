"""A small fixed record to search: three sources, six claims, their questions and speakers,
written through the services as editors write them."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy.orm import Session

from tracker.record import services

PUBLISHED = dt.datetime(2020, 1, 3, 12, tzinfo=dt.UTC)
DEADLINE = dt.datetime(2021, 1, 1, tzinfo=dt.UTC)

EXAMINER = (
    "Iran will retaliate against American forces, the analyst said. "
    "The Strait of Hormuz may be closed to tankers within weeks. "
    "Élections in Iraq are likely next spring. "
    "Nothing else in this column matters as much."
)
MARKETS = (
    "Oil prices rose sharply on Friday. "
    "Analysts at Goldman Sachs expect oil to reach 80 dollars a barrel. "
    "A closure of the waterway would be unlikely, traders said. "
    "The café owners of Tehran kept their prices."
)
SPEECH = (
    "President Trump said the United States of America would not seek war. "
    "Trump predicted that any Iranian response would be limited. "
    "He spoke at the White House."
)


@dataclass(frozen=True)
class Corpus:
    examiner: int
    markets: int
    speech: int
    retaliate: int
    hormuz: int
    elections: int
    oil: int
    closure: int
    limited: int


def build(session: Session) -> Corpus:
    s1 = services.record_source(
        session, title="Iran vows retaliation after the strike", text=EXAMINER,
        outlet="Washington Examiner", author="Tom Rogan", published_at=PUBLISHED,
    )  # fmt: skip
    s2 = services.record_source(
        session, title="Markets shrug off tensions", text=MARKETS, outlet="Reuters",
        published_at=PUBLISHED + dt.timedelta(days=30),
    )  # fmt: skip
    s3 = services.record_source(
        session, title="A speech at the White House", text=SPEECH, outlet="Reuters",
        author="Jane Doe", published_at=PUBLISHED + dt.timedelta(days=60),
    )  # fmt: skip

    def forecast(source: int, quote: str, question: str, **extra: object) -> int:
        claim = services.record_claim(
            session, source, kind="forecast", quote=quote, question=question,
            deadline=DEADLINE, resolution_criteria="Reported by two major news agencies.",
            **extra,  # type: ignore[arg-type]
        )  # fmt: skip
        return claim.id

    corpus = Corpus(
        examiner=s1.id,
        markets=s2.id,
        speech=s3.id,
        retaliate=forecast(s1.id, "Iran will retaliate against American forces",
                           "Will Iran attack US forces before 2021?", tags=["iran"]),
        hormuz=forecast(s1.id, "The Strait of Hormuz may be closed to tankers within weeks",
                        "Will the Strait of Hormuz be closed to tankers?", tags=["oil"]),
        elections=forecast(s1.id, "Élections in Iraq are likely next spring",
                           "Will Iraq hold parliamentary elections by June 2020?"),
        oil=forecast(s2.id, "Analysts at Goldman Sachs expect oil to reach 80 dollars a barrel",
                     "Will Brent crude close above 80 dollars?", speaker="Goldman Sachs",
                     speaker_kind="organization", tags=["oil"]),
        closure=forecast(s2.id, "A closure of the waterway would be unlikely",
                         "Will the waterway close to shipping?"),
        limited=forecast(s3.id, "Trump predicted that any Iranian response would be limited",
                         "Will the Iranian response stay limited?", speaker="Donald Trump"),
    )  # fmt: skip
    session.commit()
    return corpus
