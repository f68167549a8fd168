"""The matching rules in words: the method statement shown on the page, under the map and in
exports (columns, name normalisation, window, tolerance, boilerplate threshold, caveat)."""
from __future__ import annotations

from typing import Sequence

from geodata.problems import Text, count
from layers.numbers import format_number
from locales import N_

from .rules import NAME_STEPS, OverlapRules


class _Money(str):
    """An amount that is written in the reader's language wherever it is shown."""

    def __new__(cls, x: float, unit: str) -> "_Money":
        obj = super().__new__(cls, format_number(x, unit, compact=False))
        obj.x, obj.unit = x, unit
        return obj

    def __str__(self) -> str:
        return format_number(self.x, self.unit, compact=False)

    def __reduce__(self):
        return (_Money, (self.x, self.unit))


def _sentences(parts: Sequence[Text]) -> Text:
    out = parts[0]
    for p in parts[1:]:
        out = Text(N_("{sentence} {next_sentence}"), sentence=out, next_sentence=p)
    return out


def _listing(items: Sequence[str]) -> Text | str:
    if not items:
        return Text(N_("none"))
    out = items[0]
    for x in items[1:]:
        out = Text(N_("{item}, {next_item}"), item=out, next_item=x)
    return out


def method_text(rules: OverlapRules) -> Text:
    """The method in one short paragraph, in the reader's language wherever it is shown:
    columns, matching rules, window, boilerplate threshold, and the caveat."""
    steps = _listing([Text(NAME_STEPS[s]) for s in NAME_STEPS if s in rules.name_normalisation])
    shared = _listing(list(rules.exclude_ids))
    out: list[Text] = []
    ident = Text(N_("{label} (column {column})"), label=rules.recipient_id_label,
                 column=rules.recipient_id) if rules.recipient_id_label else \
        Text(N_("the column {column}"), column=rules.recipient_id)
    if rules.recipient_id and rules.recipient_name:
        out.append(Text(N_("Recipients are matched by {id}; where it is blank or a shared id set "
                           "aside ({shared}), by the name in {name} after normalisation "
                           "({steps})."), id=ident, shared=shared, name=rules.recipient_name,
                        steps=steps))
    elif rules.recipient_id:
        out.append(Text(N_("Recipients are matched by {id}; rows where it is blank or a shared "
                           "id set aside ({shared}) are left out."), id=ident, shared=shared))
    else:
        out.append(Text(N_("Recipients are matched by the name in {name} after normalisation "
                           "({steps})."), name=rules.recipient_name, steps=steps))
    period = rules.period or Text(N_("the whole table"))
    if rules.funders and rules.programme:
        out.append(Text(N_("A recipient is funded more than once when, in one period ({period}), "
                           "its awards come from more than one funder ({funders}) or more than "
                           "one programme ({programme})."), period=period,
                        funders=_listing(list(rules.funders)), programme=rules.programme))
    elif rules.funders:
        out.append(Text(N_("A recipient is funded more than once when, in one period ({period}), "
                           "its awards come from more than one funder ({funders})."),
                        period=period, funders=_listing(list(rules.funders))))
    elif rules.programme:
        out.append(Text(N_("A recipient is funded more than once when, in one period ({period}), "
                           "its awards come from more than one programme ({programme})."),
                        period=period, programme=rules.programme))
    else:
        out.append(Text(N_("No funder or programme column is named: only near-duplicate awards "
                           "are looked for.")))
    tol = _Money(rules.amount_tolerance, rules.unit)
    if rules.date and rules.window_days:
        when = Text(N_("at most {days} day(s) apart"), days=count(rules.window_days))
    else:
        when = Text(N_("in the same period"))
    if rules.amount_tolerance and rules.purpose:
        criteria = Text(N_("their amounts differ by {tolerance} or less or their purpose texts "
                           "are the same (case, punctuation and spacing ignored)"), tolerance=tol)
    elif rules.amount_tolerance:
        criteria = Text(N_("their amounts differ by {tolerance} or less"), tolerance=tol)
    elif rules.purpose:
        criteria = Text(N_("they have the same amount or the same purpose text (case, "
                           "punctuation and spacing ignored)"))
    else:
        criteria = Text(N_("they have the same amount"))
    out.append(Text(N_("Two awards to one recipient {when} are a possible duplicate when "
                       "{criteria}."), when=when, criteria=criteria))
    if rules.purpose:
        out.append(Text(N_("A purpose text written for more than {n} recipients is boilerplate "
                           "and does not make a pair on its own."),
                        n=count(rules.boilerplate_recipients)))
    out.append(Text(N_("These are leads for review, not findings: identical designations can be "
                       "legitimate (one per school or site).")))
    return _sentences(out)
