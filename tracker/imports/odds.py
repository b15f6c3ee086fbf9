"""Betting odds and prices as a text writes them: fractional (11/2, "5-1", "150-to-1", "2-1
against"), American (+240), decimal ("at 3.5", "4 euros are paid for each bet"), "evens", the
words that make a figure a price on an outcome ("8/11 favourites", "+450 to win"), a text's own
implied probability, and the words of betting and market prices that make a chance a market's."""

from __future__ import annotations

import re

from tracker.imports.number_words import PERCENT

FRACTIONAL_ODDS = re.compile(r"(?<![\d/.])(?P<a>\d{1,3})/(?P<b>\d{1,3})(?![\d/])")
AMERICAN_ODDS = re.compile(r"(?<![\w.])(?P<sign>[+-])(?P<n>\d{3,4})\b")
DECIMAL_PAYOUT = re.compile(
    r"\b(?P<n>\d+(?:\.\d+)?)\s+(?:euros?|pounds?|dollars?|units?)\s+"
    r"(?:are\s+|is\s+)?(?:paid|returned)?\s*(?:for\s+(?:each|every)\s+(?:euro|pound|dollar|bet))",
    re.IGNORECASE,
)
PAID = re.compile(
    r"\b(?:is|are)\s+paid\s+(?P<n>\d+(?:\.\d+)?)\s+(?:euros?|pounds?|dollars?)\s+for\s+"
    r"(?:each|every)\s+(?:euro|pound|dollar|bet)",
    re.IGNORECASE,
)
# Words after a figure that make it a price on an outcome: "8/11 favourites", "7-2 to win the
# title", "+450 to win", "priced at 3.5 to lift the trophy", "a 20/1 shot".
AS_ODDS = re.compile(
    r"\s+(?:odds\s+)?(?:(?:second|third|fourth|fifth|joint|clear|strong|heavy|hot|big|short|outright|"
    r"pre-race|pre-season|title|race|tournament)[- ])?(?:favou?rites?|shots?|outsiders?|underdogs?|"
    r"to\s+(?:win|lift|claim|take|finish|top|be\s+(?:crowned|relegated|named)|go\s+down|"
    r"reach|qualify|score|beat|land|capture|retain|defend|keep|make|advance|progress|survive|"
    r"stay|avoid|earn|secure|clinch|return)\b)",
    re.IGNORECASE,
)
PRICE_WORDS = re.compile(r"\b(?:odds(?:-on)?|favou?rites?)\b", re.IGNORECASE)
# "odds of winning the title are 5-1", "odds to win at": a price right after the odds' verb.
ODDS_ARE = re.compile(
    r"\bodds\b[^.;]{0,60}?\b(?:are|is|at|of|stand\s+at|now)\s+(?:just\s+|around\s+|about\s+)?$",
    re.IGNORECASE,
)
AGAINST_OR_ON = re.compile(r"\s+(?P<side>against|on)(?=\s*(?:[,.;:)]|$))", re.IGNORECASE)
# "evens", "at even money": a price of 1/1 on an outcome.
EVENS = re.compile(r"\b(?:at\s+)?(?:evens|even\s+money)\b", re.IGNORECASE)
HYPHEN_ODDS = re.compile(r"(?<![\d/.-])(?P<a>\d{1,3})-(?P<b>\d{1,2})(?![\d/-])")
# "150-to-1", "3 to 1 against": odds in words, read wherever they stand.
TO_ODDS = re.compile(r"(?<![\d/.-])(?P<a>\d{1,4})(?:-to-|\s+to\s+)(?P<b>\d{1,3})(?![\d/-])(?!\s*%)")
# The text's own conversion after a price: "4/1, with an implied probability of 20%", "7/4 price
# carries an implied probability of 36.4%", "10/3 with a 23.1% implied probability".
IMPLIED = re.compile(
    r",?\s+(?:price\s+)?(?:for|with|or|giving|meaning|and|carries|carrying|equalling|equaling|"
    r"equals|gives)?\s*(?:an?\s+)?(?:implied\s+(?:probability|percentage|chance|odds)\s+of\s+"
    rf"(?P<n>\d+(?:\.\d+)?){PERCENT}|(?P<m>\d+(?:\.\d+)?){PERCENT}\s+implied\s+(?:probability|chance))",
    re.IGNORECASE,
)
BARE_DECIMAL = re.compile(r"(?<![\d/.])(?P<n>\d{1,3}\.\d{1,2})(?![\d/])")
DECIMAL_ODDS = re.compile(r"\b(?:odds\s+of|at|priced\s+at)\s+(?P<n>\d{1,2}\.\d{1,2})\b", re.I)
MARKET_WORDS = re.compile(
    r"\b(?:bet|bets|betting|bookmakers?|bookies|oddsmakers|punters|wagers?|smarkets|betfair|"
    r"sportsbook|bet365|draftkings|fanduel|ladbrokes|paddy\s+power|william\s+hill|"
    r"sportsbooks?|prediction\s+markets?|polymarket|kalshi|predictit|fedwatch|priced\s+in|"
    r"pricing\s+in|prices?\s+in|futures)\b",
    re.IGNORECASE,
)
