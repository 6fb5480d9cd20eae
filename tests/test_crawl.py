"""Every page of every role, crawled in Chinese and in English: no English words or raw codes
on the Chinese UI, no untranslated Chinese on the English UI.

The crawl follows links from each role's landing page (one page per URL pattern) with the test
client and reads the visible text. Record data (names of people, villages, tickets' texts,
usernames) is neither language's UI and is left out. ``KNOWN_*`` lists the pages of other
capabilities that still leak, so that the test fails on any new leak and on a fixed page left in
the list; shrink it as those pages are mended."""

import re

import pytest
from django.apps import apps
from django.db import models
from django.test import Client
from django.utils import translation

from powerexpress.accounts.models import User
from powerexpress.repair.tests.factories import report, work_to
from tests.crawl import chinese_runs, crawl, latin_words, visible_text


@pytest.fixture(autouse=True)
def keep_the_active_language():
    """Requests in Chinese must not leave Chinese active for the next test."""
    language = translation.get_language()
    yield
    translation.activate(language)


ROLES = ("clerk_a", "crew_a", "team_a", "manager", "auditor")

# Pages owned by other capabilities that still show English on the Chinese UI (with the words).
KNOWN_LATIN = {
    # The tariff editor edits the definition as JSON, whose keys are the format's own.
    "billing:tariff_edit": {
        *("cycle", "cycle_start_month", "extra_kwh", "large_household", "min_size", "monthly"),
        *("months", "null", "price_yuan_per_kwh", "seasons", "tiers", "up_to_kwh"),
    },
}
KNOWN_CHINESE = {
    # The channel's label names the credit union's service 村村通 (a stored choice label: a
    # new English label needs a billing migration).
    "billing:agreements": {"村村通"},
    "outreach:notice_board": None,  # the notice board is printed in Chinese by design
}


def data_strings(language: str) -> list[str]:
    """Text values stored in the database (record data, not UI), longest first: on the Chinese UI
    only those without English words (names, codes; a stored English note is still a leak) plus
    the usernames, on the English UI all of them."""
    values = set(User.objects.values_list("username", flat=True))
    for model in apps.get_models():
        names = [
            f.name for f in model._meta.concrete_fields if isinstance(f, models.CharField | models.TextField)
        ]
        for row in model.objects.values_list(*names) if names else ():
            values.update(v for v in row if isinstance(v, str) and v.strip())
    if language == "zh-hans":
        values = {v for v in values if not latin_words(v)} | set(
            User.objects.values_list("username", flat=True)
        )
    return sorted(values, key=len, reverse=True)


def strip_data(text: str, data: list[str]) -> str:
    for value in data:
        if value in text:
            text = text.replace(value, " ")
    return text


def leaks(language: str, world) -> dict[str, set[str]]:
    work_to(world, report(world), "dispatched")
    data = data_strings(language)
    found: dict[str, set[str]] = {}
    for who in ROLES:
        client = Client(HTTP_ACCEPT_LANGUAGE=language)
        client.force_login(world.users[who])
        for name, (_url, html) in crawl(client).items():
            text = strip_data(visible_text(html), data)
            words = latin_words(text) if language == "zh-hans" else chinese_runs(text)
            if words:
                found.setdefault(name, set()).update(words)
    return found


def check(found: dict[str, set[str]], known: dict[str, set[str] | None]) -> list[str]:
    problems = []
    for name, words in sorted(found.items()):
        allowed = known.get(name, set())
        extra = set() if allowed is None else words - allowed
        if extra:
            problems.append(f"{name}: {sorted(extra)}")
    problems += [f"{name}: fixed — remove it from the known list" for name in known if name not in found]
    return problems


def test_no_page_of_any_role_shows_english_on_the_chinese_ui(world):
    assert check(leaks("zh-hans", world), KNOWN_LATIN) == []


def test_no_page_of_any_role_shows_untranslated_chinese_on_the_english_ui(world):
    assert check(leaks("en", world), KNOWN_CHINESE) == []


def test_the_crawl_reaches_the_field_pages_of_each_role(world):
    for who, route in (
        ("crew_a", "repair:crew_ticket"),
        ("team_a", "outreach:today"),
        ("clerk_a", "core:home"),
    ):
        client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
        client.force_login(world.users[who])
        if who == "crew_a":
            work_to(world, report(world), "dispatched")
        assert route in crawl(client)


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("工单 F2026 已派给 XD-001", set()),
        ("状态 open → in_progress", {"open", "in_progress"}),
        ("容量 100 kVA", set()),
        ("文件（Parquet）", set()),
    ],
)
def test_the_latin_rule_flags_english_words_but_not_units_or_codes(text, words):
    assert latin_words(text) == words


@pytest.mark.parametrize(
    ("html", "words"),
    [
        ("户号（<code>account_no</code>）", set()),
        ("<td><code>guizhou-residential-annual</code></td>", set()),
        ("<code>estimated yes or no</code>", {"estimated", "yes", "or", "no"}),
        ("<code>Account</code> 户号", {"Account"}),
        ("户号 account_no", {"account_no"}),
    ],
)
def test_a_machine_name_shown_as_code_is_not_a_leak_but_words_in_code_are(html, words):
    assert latin_words(visible_text(html)) == words


def test_the_chinese_rule_ignores_the_language_switch():
    assert chinese_runs("English 简体中文 Overview") == set()
    assert re.sub(r"\s", "", "".join(chinese_runs("Status 待处理"))) == "待处理"
