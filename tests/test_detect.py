"""The rule stages of detection: type, modality, figures, force, place, date, actors, claimant,
additional.

These tests pin the rules' mechanisms, so they run with the rules deciding
(``RUDPRK_DETECTION=rules``); the learned decisions that sit on top of them are measured on
labelled sets (tests/test_detection_regression.py, docs/detection.md).
"""

from __future__ import annotations

import json
from datetime import date, datetime

import pytest

from alerts.detect import ALERT_TYPES, EVENT_TYPES, DetectedEvent, Detection, detect_article

PUB = date(2025, 1, 15)  # a Wednesday


@pytest.fixture(autouse=True)
def _rules_decide(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RUDPRK_DETECTION", "rules")


def main(text: str, lang: str | None = None, published: date | None = PUB) -> DetectedEvent:
    d = detect_article(text, lang=lang, published=published)
    assert d.main_event is not None, text
    return d.main_event


# ------------------------------------------------------------------ types


@pytest.mark.parametrize(
    ("text", "event_type"),
    [
        ("North Korea has dispatched 1,500 special forces to Russia, the NIS said.", "deployment"),
        (
            "Pyongyang a envoyé des milliers d'ouvriers du bâtiment en Russie, selon Séoul.",
            "deployment",
        ),
        (
            "Russia and North Korea signed a memorandum on healthcare cooperation on Monday.",
            "agreement",
        ),
        (
            "La Russie a ratifié le traité de partenariat stratégique avec la Corée du Nord.",
            "agreement",
        ),
        (
            "Russian Railways agreed with North Korea to resume passenger trains to Pyongyang "
            "from 17 June.",
            "agreement",
        ),
        (
            "North Korea delivered 6,700 containers of shells to Russia, Seoul said.",
            "arms_transfer",
        ),
        ("Sergueï Lavrov est arrivé vendredi à Pyongyang pour rencontrer Kim Jong-un.", "visit"),
        (
            "About 400 North Korean soldiers were killed near Kursk, Ukraine's GUR said.",
            "casualties",
        ),
        (
            "Russia vetoed the renewal of the UN panel of experts monitoring sanctions on "
            "North Korea.",
            "sanctions",
        ),
        (
            "Two North Korean soldiers captured in Kursk asked to go to South Korea, Kyiv said.",
            "other",
        ),
    ],
)
def test_event_type(text: str, event_type: str) -> None:
    assert main(text).event_type == event_type


def test_signature_during_a_visit_is_an_agreement() -> None:
    text = (
        "Lors de sa visite d'État à Pyongyang, Vladimir Poutine a signé avec Kim Jong-un un "
        "traité de partenariat stratégique global."
    )
    assert main(text).event_type == "agreement"


def test_troops_mentioned_as_thanks_during_a_summit_keep_the_visit() -> None:
    text = (
        "Putin and Kim Jong Un held talks in Beijing; the Kremlin said Putin thanked Kim for "
        "the North Korean soldiers sent to help Russia."
    )
    event = main(text, published=date(2025, 9, 3))
    assert event.event_type == "visit"
    assert not event.alert_worthy


# ------------------------------------------------------------------ modality


@pytest.mark.parametrize(
    ("text", "modality"),
    [
        ("North Korea has sent 3,000 more troops to Russia, the NIS said on Monday.", "new"),
        ("North Korea could send up to 30,000 more troops to Russia, Kyiv warned.", "speculative"),
        ("La Corée du Nord pourrait envoyer des ouvriers en Russie.", "speculative"),
        (
            "Moscou et Pyongyang devraient signer un accord sur les visas le mois prochain.",
            "speculative",
        ),
        ("Russia plans to sign a fisheries agreement with North Korea next year.", "speculative"),
        (
            "The Kremlin dismissed as fake news reports that North Korean troops were sent to Russia.",
            "denied",
        ),
        (
            "Pyongyang dément avoir envoyé des soldats en Russie, une « rumeur sans fondement ».",
            "denied",
        ),
        (
            "Le traité signé le 19 juin 2024 entre Moscou et Pyongyang prévoit une assistance "
            "mutuelle, rappelle un chercheur.",
            "background",
        ),
        (
            "In an analysis, experts recall that North Korea sent troops to Russia last year.",
            "background",
        ),
    ],
)
def test_modality(text: str, modality: str) -> None:
    assert main(text).modality == modality


def test_denial_in_a_concessive_clause_is_not_the_main_content() -> None:
    text = (
        "Pyongyang confirme pour la première fois avoir envoyé des troupes en Russie, alors "
        "que Moscou et la Corée du Nord avaient nié pendant des mois."
    )
    event = main(text, published=date(2025, 4, 28))
    assert event.event_type == "deployment"
    assert event.modality == "new"


def test_ratification_recalling_the_signature_is_new() -> None:
    text = (
        "Le Conseil de la Fédération a ratifié mercredi le traité avec la Corée du Nord, "
        "signé le 19 juin à Pyongyang."
    )
    event = main(text, published=date(2024, 11, 6))
    assert (event.event_type, event.modality) == ("agreement", "new")
    assert event.force == "treaty:ratification"


def test_running_total_since_a_date_is_new() -> None:
    text = "North Korea has shipped about 20,000 containers of shells to Russia since September."
    event = main(text, published=date(2026, 2, 25))
    assert (event.event_type, event.modality) == ("arms_transfer", "new")


def test_korean_sentence_final_plan_is_speculative() -> None:
    text = "러시아와 북한은 다음 주 평양에서 새 협정에 서명할 예정이다."
    event = main(text, lang="ko")
    assert (event.event_type, event.modality) == ("agreement", "speculative")


# ------------------------------------------------------------------ figures


@pytest.mark.parametrize(
    ("text", "low", "high", "qualifier"),
    [
        ("La Corée du Nord a envoyé 12 000 soldats en Russie.", 12000, 12000, "exact"),
        ("Corea del Norte envió 12.000 soldados a Rusia.", 12000, 12000, "exact"),
        ("North Korea sent 12,000 troops to Russia.", 12000, 12000, "exact"),
        ("La Corée du Nord a envoyé douze mille soldats en Russie.", 12000, 12000, "exact"),
        ("La Corée du Nord a envoyé plus de 10 000 soldats en Russie.", 10000, 10000, "more_than"),
        ("North Korea sent about 3,000 troops to Russia.", 3000, 3000, "approx"),
        ("North Korea sent 10k troops to Russia.", 10000, 10000, "exact"),
    ],
)
def test_figures(text: str, low: int, high: int, qualifier: str) -> None:
    event = main(text)
    assert (event.low, event.high, event.qualifier) == (low, high, qualifier)


def test_figure_of_the_north_korean_contingent_not_the_russian_one() -> None:
    text = (
        "Russia has massed 50,000 soldiers near Kursk; among them, North Korean troops have "
        "taken up positions, 12,000 men according to the report."
    )
    assert main(text).figure == 12000


def test_partitive_figure_counts_the_part() -> None:
    text = "Kyiv said two of the five missiles fired at Kharkiv were North Korean KN-23s."
    assert main(text).figure == 2


def test_durations_and_dates_are_not_figures() -> None:
    text = "Nine North Korean sappers died during a 120-day mission in Kursk, KCNA said."
    assert main(text).figure == 9


def test_first_system_counts_one() -> None:
    text = (
        "Ukraine's intelligence chief said the first Russian Pantsir air defence system has "
        "been installed in Pyongyang."
    )
    event = main(text)
    assert (event.event_type, event.figure) == ("arms_transfer", 1)


def test_up_to_figure_is_the_upper_bound() -> None:
    event = main("North Korea may send up to 25,000 workers to Russia.")
    assert event.qualifier == "up_to"
    assert event.figure == 25000


# ------------------------------------------------------------------ other fields


def test_fields_of_a_deployment_report() -> None:
    text = (
        "Selon le NIS, la Corée du Nord a envoyé mardi plus de 10 000 soldats dans la région "
        "russe de Koursk."
    )
    event = main(text, lang="fr")
    assert event.event_type == "deployment"
    assert event.modality == "new"
    assert event.force == "troops"
    assert event.place == "Kursk"
    assert event.event_date == date(2025, 1, 14)
    assert event.date_precision == "day"
    assert event.actors == ("KP", "RU")
    assert event.claimant == "NIS"
    assert not event.additional
    assert event.evidence == text
    assert 0.5 <= event.confidence <= 1.0
    assert event.alert_worthy
    assert (
        event.summary() == "Deployment: over 10,000 North Korean troops to Kursk (claimed by NIS)"
    )


@pytest.mark.parametrize(
    "text",
    [
        "North Korea has sent 3,000 additional troops to Russia, the NIS said.",
        "Pyongyang a envoyé 3 000 soldats supplémentaires en Russie.",
        "Pyongyang has dispatched another contingent of troops to Russia.",
        "Nordkorea hat weitere 3.000 Soldaten nach Russland entsandt.",
    ],
)
def test_additional_contingents_are_marked(text: str) -> None:
    assert main(text).additional


def test_relative_dates_resolve_against_publication() -> None:
    event = main("North Korea sent 2,000 troops to Russia last week, Seoul said.")
    assert event.date_precision == "week"
    assert event.event_date is not None and event.event_date < PUB


def test_evidence_is_the_sentence_of_the_event() -> None:
    text = (
        "Tensions rose in the region this month. North Korea has sent 5,000 builders to "
        "Russia, the NIS said. Officials in Seoul condemned the move."
    )
    event = main(text)
    assert event.evidence == "North Korea has sent 5,000 builders to Russia, the NIS said."
    assert event.force == "builders"


def test_speculative_and_background_are_not_alert_worthy() -> None:
    assert not main("North Korea could send 10,000 troops to Russia.").alert_worthy
    event = main("La Corée du Nord a envoyé 12 000 soldats en Russie.")
    assert event.alert_worthy
    assert set(EVENT_TYPES) >= ALERT_TYPES


def test_irrelevant_article_never_alerts() -> None:
    d = detect_article("La Russie a déployé 1 500 soldats en Biélorussie.", published=PUB)
    assert not d.relevance.relevant
    assert not d.alert_worthy


def test_detection_serialises_to_json() -> None:
    d = detect_article(
        "North Korea has sent 3,000 troops to Kursk, the NIS said on Monday.",
        title="NIS: more North Korean troops in Russia",
        published=datetime(2025, 1, 15, 8, 30),
    )
    payload = json.loads(json.dumps(d.to_dict()))
    assert payload["relevant"] is True
    assert payload["language"] == "en"
    assert payload["events"][0]["event_type"] == "deployment"
    assert payload["events"][0]["low"] == 3000
    assert payload["events"][0]["event_date"] == "2025-01-13"
    assert {r["field"] for r in payload["reasons"]} == {"title", "text"}


def test_empty_text_gives_an_irrelevant_detection() -> None:
    d = detect_article("")
    assert isinstance(d, Detection)
    assert d.events == () and not d.relevance.relevant and d.main_event is None


def test_a_second_alert_worthy_act_in_the_lead_is_reported_too() -> None:
    text = (
        "Russia and North Korea signed an agreement on Monday to resume passenger flights "
        "between Moscow and Pyongyang, and North Korea sent 500 construction workers to "
        "Vladivostok."
    )
    d = detect_article(text, published=PUB)
    assert [e.event_type for e in d.events] == ["agreement", "deployment"]
    agreement, deployment = d.events
    assert agreement.figure is None  # "500 workers" counts the deployment, not the agreement
    assert deployment.figure == 500 and deployment.force == "builders"
    assert all(e.alert_worthy for e in d.events)


def test_recalled_acts_further_down_are_not_extra_events() -> None:
    text = (
        "About 400 North Korean soldiers were killed near Kursk last month, Kyiv said. "
        "Seoul says some 5,000 more troops have been sent since September."
    )
    d = detect_article(text, published=PUB)
    assert [e.event_type for e in d.events] == ["casualties"]


@pytest.mark.parametrize(
    ("text", "claimant"),
    [
        (
            "Ukraine's military intelligence said North Korea has sent 3,000 more troops to Russia.",
            "GUR",
        ),
        ("Selon Yonhap, la Corée du Nord a envoyé 3 000 soldats en Russie.", "Yonhap"),
        ("KCNA reported that Kim Jong Un decided to send 1,000 sappers to Russia.", "KCNA"),
        ("The Pentagon said 8,000 North Korean troops had arrived in Kursk.", "Pentagon"),
        ("Le Kremlin a démenti l'envoi de soldats nord-coréens en Russie.", "Kremlin"),
        ("NATO confirmed that North Korean troops have been deployed to the Kursk region.", "NATO"),
        ("По данным южнокорейской разведки, КНДР направила в Россию военных.", "NIS"),
        ("North Korea has sent troops to Russia.", None),
    ],
)
def test_claimants(text: str, claimant: str | None) -> None:
    assert main(text).claimant == claimant


def test_a_stated_presence_is_news_only_when_someone_claims_it() -> None:
    claimed = main("Zelensky said 11,000 North Korean soldiers are now in Russia's Kursk region.")
    assert (claimed.event_type, claimed.modality) == ("deployment", "new")
    context = main(
        "La présence de soldats nord-coréens en Russie inquiète les voisins de la Corée."
    )
    assert context.modality == "background"


def test_a_reaction_makes_the_act_context() -> None:
    text = (
        "South Korea summoned the Russian ambassador to protest against the defence treaty "
        "signed this week by Putin and Kim Jong Un."
    )
    assert not main(text, published=date(2024, 6, 21)).alert_worthy


def test_troops_coming_home_are_not_a_deployment() -> None:
    text = "Kim Jong-un a accueilli à Pyongyang des soldats revenus de la région de Koursk."
    assert main(text).event_type != "deployment"


def test_a_question_answered_by_a_denial_is_denied() -> None:
    text = (
        "La Russie et la Corée du Nord ont-elles signé un accord secret sur les missiles ? "
        "Le Kremlin dément catégoriquement."
    )
    assert main(text).modality == "denied"
    assert main("Russia and North Korea signed a secret deal?").modality == "speculative"


def test_the_party_that_admits_is_the_claimant() -> None:
    text = "La Corée du Nord admet pour la première fois avoir envoyé des soldats en Russie."
    assert main(text, published=date(2025, 4, 28)).claimant == "North Korea"


def test_very_long_pages_are_read_up_to_a_bound() -> None:
    lead = "North Korea has sent 3,000 more troops to Russia, the NIS said. "
    filler = "The weather was mild and markets were calm that day. " * 3000
    d = detect_article(lead + filler + "Putin and Kim signed a new treaty.", published=PUB)
    assert d.main_event is not None and d.main_event.event_type == "deployment"
    assert all("treaty" not in e.evidence for e in d.events)


@pytest.mark.parametrize(
    "text",
    [
        "North Korea's deployment of troops to Russia, first reported in October 2024, has "
        "given its army rare combat experience, analysts say.",
        "Seoul is trying to verify reports that North Korea sent another 2,000 soldiers to Russia.",
        "Des informations non confirmées font état de l'arrivée de 2 000 soldats nord-coréens "
        "supplémentaires en Russie.",
        "North Korea has not sent any more troops to Russia since the spring, the NIS said.",
        "La Russie n'a toujours pas ratifié l'accord sur la pêche signé avec Pyongyang.",
    ],
)
def test_unconfirmed_negated_and_recalled_acts_do_not_alert(text: str) -> None:
    assert not main(text, published=date(2026, 9, 10)).alert_worthy


def test_titles_count_as_the_lead() -> None:
    d = detect_article(
        "The two leaders met in Vladivostok on Tuesday.",
        title="Putin, Kim sign agreement on nuclear energy",
        published=PUB,
    )
    assert d.alert_worthy
    commentary = detect_article(
        "Two years after the treaty, Pyongyang has sent troops and shells to Russia.",
        title="Analysis: what North Korea gains from its Russian alliance",
        published=PUB,
    )
    assert commentary.relevance.relevant and not commentary.alert_worthy


def test_the_acting_side_comes_first_and_names_the_force() -> None:
    event = main("About 200 Russian military instructors arrived in Pyongyang, the NIS said.")
    assert event.actors[0] == "RU"
    assert (
        event.summary() == "Deployment: about 200 Russian instructors to Pyongyang (claimed by NIS)"
    )
    assert main("North Korea has sent 3,000 troops to Russia.").actors[0] == "KP"


# ------------------------------------------------------------------ presence, movement, disclosure


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("Kyiv said some 2,000 North Korean soldiers have crossed into the Bryansk region.", "en"),
        ("Selon Kiev, 2 000 soldats nord-coréens sont entrés dans la région de Briansk.", "fr"),
        ("Según Kiev, ya hay 2.000 soldados norcoreanos en la región de Briansk.", "es"),
        ("D'après Séoul, 900 soldats nord-coréens se trouvaient déjà près de Briansk.", "fr"),
        ("Seoul said 3,000 North Korean workers have been moving to Siberia since May.", "en"),
    ],
)
def test_presence_arrival_and_entry_are_deployments(text: str, lang: str) -> None:
    event = main(text, lang)
    assert (event.event_type, event.modality) == ("deployment", "new")


def test_a_number_makes_a_demonym_a_personnel_noun() -> None:
    event = main("Selon Moscou, 7 000 Nord-Coréens sont arrivés en Sibérie l'an passé.", "fr")
    assert event.event_type == "deployment"
    assert event.figure == 7000


def test_recent_act_disclosed_now_is_new() -> None:
    text = (
        "North Korea sent about 1,500 additional troops to Russia in November, "
        "Seoul's military said on Wednesday."
    )
    event = main(text, "en", published=date(2025, 1, 15))
    assert (event.event_type, event.modality, event.additional) == ("deployment", "new", True)


def test_act_under_since_stays_a_reference_point() -> None:
    text = (
        "Since North Korea sent troops to Russia in October 2023, Tokyo has raised its "
        "alert level, the ministry said."
    )
    assert main(text, "en").modality == "background"


@pytest.mark.parametrize(
    ("text", "lang", "modality"),
    [
        (
            "Le ministère russe a assuré qu'aucun protocole militaire n'avait été signé "
            "avec Pyongyang pendant la visite.",
            "fr",
            "denied",
        ),
        (
            "Moscow insisted no agreement on North Korean pilots was signed during the talks.",
            "en",
            "denied",
        ),
        (
            "Rétrospective : comment les soldats nord-coréens ont été envoyés en Russie.",
            "fr",
            "background",
        ),
        (
            "Year in review: North Korea sent troops to Russia and signed a pact with Moscow.",
            "en",
            "background",
        ),
        (
            "Russia's Federation Council voted to ratify the new protocol with North Korea.",
            "en",
            "new",
        ),
        (
            "Près de 900 soldats nord-coréens auraient été tués près de Soudja, selon Kiev.",
            "fr",
            "new",
        ),
        (
            "Des soldats nord-coréens pourraient avoir été tués près de Soudja, selon Kiev.",
            "fr",
            "speculative",
        ),
        (
            "Pyongyang aurait envoyé 900 soldats de plus en Russie, selon des sources.",
            "fr",
            "speculative",
        ),
    ],
)
def test_negation_headers_votes_and_reported_losses(text: str, lang: str, modality: str) -> None:
    assert main(text, lang).modality == modality


@pytest.mark.parametrize(
    ("text", "lang", "figure", "force"),
    [
        (
            "Pyongyang has sent 300 sappers and 1,200 engineers to Russia, TASS said.",
            "en",
            1500,
            "engineers+sappers",
        ),
        (
            "La Corée du Nord a envoyé 400 démineurs et 2 600 bâtisseurs en Russie.",
            "fr",
            3000,
            "builders+sappers",
        ),
        (
            "La Corée du Nord a envoyé 400 démineurs et 2 600 bâtisseurs, 3 000 au total.",
            "fr",
            3000,
            None,
        ),
        ("Between 4,000 and 5,000 troops were sent to Russia, Seoul said.", "en", 4000, "troops"),
    ],
)
def test_coordinated_parts_sum_to_one_figure(
    text: str, lang: str, figure: int, force: str | None
) -> None:
    event = main(text, lang)
    assert event.figure == figure
    if force is not None and "+" in force:
        assert event.force is not None and "+" in event.force


def test_a_demonym_adjective_leaves_the_force_to_its_noun() -> None:
    event = main("Laut Kiew sind 4000 nordkoreanische Soldaten in Brjansk eingetroffen.", "de")
    assert (event.event_type, event.force, event.figure) == ("deployment", "troops", 4000)


def test_a_year_after_since_is_not_the_event_date() -> None:
    text = "Choe Son Hui a été reçue mardi à Moscou par Lavrov, sa première visite depuis 2019."
    event = main(text, "fr", published=date(2025, 1, 15))
    assert event.event_date is not None and event.event_date.year == 2025


def test_a_dispatch_announced_during_a_visit_is_the_news() -> None:
    text = (
        "En visite à Moscou, le ministre nord-coréen a annoncé que Pyongyang avait décidé "
        "d'envoyer en Russie 1 200 ouvriers du bâtiment."
    )
    event = main(text, "fr")
    assert (event.event_type, event.figure) == ("deployment", 1200)


def test_the_price_in_an_exchange_is_context() -> None:
    text = "Pyongyang obtained Russian radars in exchange for the soldiers it sent, Seoul said."
    assert main(text, "en").event_type == "arms_transfer"


def test_ratified_by_decree_is_a_ratification() -> None:
    text = "Kim Jong Un ratified the customs agreement with Russia by decree, KCNA said."
    event = main(text, "en")
    assert event.force is not None and event.force.endswith(":ratification")


def test_a_first_batch_spans_up_to_its_whole() -> None:
    text = "Seoul said 700 North Korean troops were shipped, the first batch of a force of 4,000."
    event = main(text, "en")
    assert (event.low, event.high, event.figure) == (700, 4000, 700)


@pytest.mark.parametrize(
    ("text", "lang", "expected"),
    [
        (
            "The first direct flight from Khabarovsk to Pyongyang took off on Monday.",
            "en",
            ("agreement", "new"),
        ),
        (
            "Первый регулярный рейс из Хабаровска в Пхеньян вылетел в понедельник.",
            "ru",
            ("agreement", "new"),
        ),
        (
            "Russia's Federation Council voted unanimously on Friday to ratify the customs "
            "protocol with North Korea.",
            "en",
            ("agreement", "new"),
        ),
        (
            "Pyongyang would dispatch engineers to Kursk if Moscow asked, its envoy said.",
            "en",
            ("deployment", "speculative"),
        ),
        (
            "Russian Railways said freight trains to Rason would resume on 3 March.",
            "en",
            ("agreement", "new"),
        ),
    ],
)
def test_departures_votes_and_would(text: str, lang: str, expected: tuple[str, str]) -> None:
    event = main(text, lang)
    assert (event.event_type, event.modality) == expected


def test_an_accused_act_is_context_of_the_main_one() -> None:
    text = (
        "North Korea's parliament ratified the fisheries accord with Russia, a week after "
        "Seoul accused Pyongyang of sending more troops."
    )
    d = detect_article(text, lang="en", published=PUB)
    assert [e.event_type for e in d.events if e.alert_worthy] == ["agreement"]


@pytest.mark.parametrize(
    ("text", "lang", "event_type"),
    [
        (
            "Nordkoreanische Baubrigaden sind in Belgorod eingetroffen, so Moskau.",
            "de",
            "deployment",
        ),
        ("Seoul said North Korean artillery crews were sent to Russia in May.", "en", "deployment"),
        ("Kyiv says 2,000 North Korean soldiers are positioned near Kherson.", "en", "deployment"),
        ("Russia and North Korea initialled a memorandum on fisheries.", "en", "agreement"),
        ("Russia shipped S-300 batteries to North Korea, analysts said.", "en", "arms_transfer"),
        ("국정원은 북한이 러시아에 노동자 2천 명을 보낸 것으로 파악했다.", "ko", "deployment"),
    ],
)
def test_more_forces_and_acts(text: str, lang: str, event_type: str) -> None:
    assert main(text, lang).event_type == event_type


@pytest.mark.parametrize(
    ("text", "lang", "expected"),
    [
        (
            "Moscow confirmed that 800 North Korean builders are working in the Kursk region.",
            "en",
            ("deployment", "new"),
        ),
        (
            "Three years ago this week, North Korean troops arrived in Russia; what has changed.",
            "en",
            ("deployment", "background"),
        ),
        (
            "Le Kremlin n'a pas l'intention de faire venir des ouvriers nord-coréens à Moscou.",
            "fr",
            ("deployment", "denied"),
        ),
        (
            "Russland und Nordkorea verhandeln über ein Abkommen zum Fährverkehr.",
            "de",
            ("agreement", "speculative"),
        ),
    ],
)
def test_activity_anniversaries_intentions_negotiations(
    text: str, lang: str, expected: tuple[str, str]
) -> None:
    event = main(text, lang)
    assert (event.event_type, event.modality) == expected


@pytest.mark.parametrize(
    ("text", "lang", "force"),
    [
        (
            "Russland und Nordkorea haben ein Abkommen über den Zugverkehr unterzeichnet.",
            "de",
            "trains:signature",
        ),
        (
            "Moscow and Pyongyang signed an agreement to open a ferry line to Rajin.",
            "en",
            "ferry:signature",
        ),
    ],
)
def test_a_generic_accord_takes_its_link_as_object(text: str, lang: str, force: str) -> None:
    assert main(text, lang).force == force


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        (
            "Hundreds of North Korean workers were sent to a Russian missile plant, Seoul said.",
            "en",
        ),
        ("Des centaines d'ouvriers nord-coréens sont envoyés à l'usine de drones de Kazan.", "fr"),
        ("북한 노동자 수백 명이 러시아 드론 공장에 투입됐다고 국정원이 밝혔다.", "ko"),
    ],
)
def test_a_weapon_naming_a_factory_is_not_the_object(text: str, lang: str) -> None:
    event = main(text, lang)
    assert (event.event_type, event.modality) == ("deployment", "new")


def test_sanctions_cap_breach() -> None:
    text = "Russia shipped oil to North Korea far above the UN cap, a monitoring group said."
    assert main(text, "en").event_type == "sanctions"


@pytest.mark.parametrize(
    ("text", "lang", "expected"),
    [
        (
            "North Korea moved about 900 more soldiers to Bryansk last week, Kyiv said.",
            "en",
            ("deployment", "new"),
        ),
        (
            "Правительство России одобрило проект соглашения с КНДР о паромной линии.",
            "ru",
            ("agreement", "speculative"),
        ),
        (
            "Moscow denied it would hand submarines to North Korea, calling it fake news.",
            "en",
            ("arms_transfer", "denied"),
        ),
        (
            "Russia is sharing missile technology with North Korea, Seoul said.",
            "en",
            ("other", "new"),
        ),
    ],
)
def test_movement_drafts_submarines_and_know_how(
    text: str, lang: str, expected: tuple[str, str]
) -> None:
    event = main(text, lang)
    assert (event.event_type, event.modality) == expected


@pytest.mark.parametrize(
    ("text", "lang", "expected"),
    [
        (
            "Bei ihrem Treffen haben Kim und Putin einen neuen Grenzübergang bei Chassan vereinbart.",
            "de",
            ("agreement", "new"),
        ),
        (
            "Moscow and Pyongyang agreed to study the feasibility of a gas pipeline.",
            "en",
            ("agreement", "speculative"),
        ),
        (
            "미 국방부는 북한군 약 2천 명이 러시아 쿠르스크에 있다고 확인했다.",
            "ko",
            ("deployment", "new"),
        ),
    ],
)
def test_objects_studies_and_korean_presence(
    text: str, lang: str, expected: tuple[str, str]
) -> None:
    event = main(text, lang)
    assert (event.event_type, event.modality) == expected


@pytest.mark.parametrize(
    ("text", "lang", "expected"),
    [
        (
            "Der Kreml wies Berichte über nordkoreanische Soldaten in Cherson zurück.",
            "de",
            ("deployment", "denied"),
        ),
        (
            "Россия и КНДР договорились возобновить прямые авиарейсы до Вонсана.",
            "ru",
            ("agreement", "new"),
        ),
        (
            "Moskau und Pjöngjang haben vereinbart, wieder Direktflüge anzubieten.",
            "de",
            ("agreement", "new"),
        ),
    ],
)
def test_separable_denials_and_russian_agreeing(
    text: str, lang: str, expected: tuple[str, str]
) -> None:
    event = main(text, lang)
    assert (event.event_type, event.modality) == expected


def test_russian_agreeing_is_not_a_treaty() -> None:
    text = "Россия и КНДР договорились возобновить прямые авиарейсы до Вонсана."
    force = main(text, "ru").force
    assert force is not None and force.startswith("flights:")


def test_a_sign_of_is_not_a_signing() -> None:
    d = detect_article(
        "The move is a sign of the deepening pact between Moscow and Pyongyang.",
        title="Moscow and Pyongyang Acknowledge Presence of North Korean Builders in Russia",
        lang="en",
        published=PUB,
    )
    assert d.main_event is not None
    assert (d.main_event.event_type, d.main_event.modality) == ("deployment", "new")


@pytest.mark.parametrize(
    ("text", "lang", "expected"),
    [
        (
            "La Corée du Nord envoie 2 000 ouvriers de plus en Russie, selon Séoul",
            "fr",
            "deployment",
        ),
        ("North Korea ships 2,000 more soldiers to Russia, Kyiv says", "en", "deployment"),
        ("Russia, North Korea ink deal on a joint fishing fleet", "en", "agreement"),
    ],
)
def test_present_tense_headlines(text: str, lang: str, expected: str) -> None:
    event = main(text, lang)
    assert (event.event_type, event.modality) == (expected, "new")


def test_an_expected_dispatch_in_the_subjunctive_is_speculative() -> None:
    text = "Des experts s'attendent à ce que Pyongyang envoie des ouvriers en Sibérie cet hiver."
    assert main(text, "fr").modality == "speculative"


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        (
            "Lithuania's foreign minister said 2,000 North Korean gunners were now in Belgorod.",
            "en",
        ),
        (
            "Речник ГУР заявив, що в Бєлгороді вже перебувають 2 тисячі північнокорейських солдатів.",
            "uk",
        ),
        (
            "El jefe de la OTAN aseguró que 2.000 soldados norcoreanos se encuentran en Bélgorod.",
            "es",
        ),
    ],
)
def test_a_stated_presence_with_its_claimant_is_a_deployment(text: str, lang: str) -> None:
    event = main(text, lang)
    assert (event.event_type, event.modality, event.low) == ("deployment", "new", 2000)


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        (
            "Die NATO geht von 3.000 nordkoreanischen Arbeitern aus, die nach Sibirien geschickt wurden.",
            "de",
        ),
        ("Seoul counts 3,000 North Korean workers, who were sent to Siberia in the spring.", "en"),
    ],
)
def test_a_relative_clause_sends_its_antecedent(text: str, lang: str) -> None:
    event = main(text, lang, published=date(2025, 6, 10))
    assert (event.event_type, event.modality, event.low) == ("deployment", "new", 3000)


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        (
            "Five years after the first direct flight between Moscow and Pyongyang, airlines "
            "resumed the route twice a week, a travel review finds.",
            "en",
        ),
        (
            "Un an après l'envoi des premiers ouvriers nord-coréens en Sibérie, ce reportage "
            "décrit leurs conditions de travail en Russie.",
            "fr",
        ),
        ("북한 공병 2천 명이 러시아에 파견된 지 1년이 지났다. 북한은 파병을 공식 인정했다.", "ko"),
    ],
)
def test_an_anniversary_opening_frames_a_look_back(text: str, lang: str) -> None:
    assert main(text, lang).modality == "background"


def test_a_fresh_claim_after_an_anniversary_clause_is_news() -> None:
    text = (
        "Two years after North Korean troops reached Kursk, Kyiv says Pyongyang sent "
        "2,000 more soldiers to Belgorod this week."
    )
    event = main(text, "en")
    assert (event.event_type, event.modality) == ("deployment", "new")


@pytest.mark.parametrize(
    "text",
    [
        "Opinion: North Korea sent 2,000 more soldiers to Russia, and the West shrugged.",
        "Décryptage : la Corée du Nord a envoyé 2 000 soldats de plus en Russie.",
        "Blog: some 2k North Korean builders are believed to be in Siberia, per Seoul.",
    ],
)
def test_a_commentary_header_makes_the_piece_background(text: str) -> None:
    assert main(text).modality == "background"


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        (
            "Shoigu and Kim Jong Un met in Pyongyang for two hours on Monday; no document "
            "was signed, Russian media noted.",
            "en",
        ),
        ("쇼이구 서기와 김정은 위원장이 평양에서 만났다. 공동성명은 나오지 않았다.", "ko"),
        (
            "Choïgou et Kim Jong-un se sont entretenus lundi à Pyongyang, sans signer le "
            "moindre texte.",
            "fr",
        ),
    ],
)
def test_a_negated_signing_leaves_the_meeting_as_the_news(text: str, lang: str) -> None:
    event = main(text, lang)
    assert (event.event_type, event.modality) == ("visit", "new")


def test_a_spokesman_denying_a_signing_is_a_denied_agreement() -> None:
    text = "No deal was signed during Shoigu's visit to Pyongyang, Kremlin spokesman Peskov said."
    event = main(text, "en")
    assert (event.event_type, event.modality) == ("agreement", "denied")


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("A vessel carrying 400 North Korean workers docked in Nakhodka, Seoul said.", "en"),
        (
            "Un bateau avec 400 ouvriers nord-coréens à bord a accosté à Nakhodka, selon Séoul, "
            "qui dénonce une violation des sanctions.",
            "fr",
        ),
    ],
)
def test_a_ship_docking_with_personnel_is_a_deployment(text: str, lang: str) -> None:
    event = main(text, lang)
    assert (event.event_type, event.modality, event.low) == ("deployment", "new", 400)


def test_a_verb_with_a_direct_object_is_finite_not_a_participle() -> None:
    published = date(2025, 2, 20)
    text = "Border data show 7,000 North Koreans entered Russia in 2024, Seoul said."
    assert main(text, "en", published=published).modality == "new"
    text = "The 7,000 North Koreans sent to Russia in 2024 are still there, Seoul said."
    assert main(text, "en", published=published).modality != "new"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("The modernised railway between Khasan and Rajin reopened on Friday.", "other"),
        ("La ligne ferroviaire rénovée entre Khassan et Rajin a rouvert vendredi.", "other"),
        (
            "Russia and North Korea agreed on Friday to reopen the railway line to Rajin "
            "from 1 May.",
            "agreement",
        ),
        ("Passenger trains between Moscow and Pyongyang resumed on Friday.", "agreement"),
    ],
)
def test_an_infrastructure_opening_is_other_a_service_resumed_is_an_arrangement(
    text: str, expected: str
) -> None:
    assert main(text, "en" if text[0] in "RPT" else "fr").event_type == expected


@pytest.mark.parametrize(
    ("text", "lang", "expected"),
    [
        (
            "Moscou qualifie de « pure invention » les informations selon lesquelles des "
            "ouvriers nord-coréens seraient arrivés à Tomsk.",
            "fr",
            ("deployment", "denied"),
        ),
        (
            "Pyongyang ha smentito che nuovi soldati nordcoreani siano stati inviati in Russia.",
            "it",
            ("deployment", "denied"),
        ),
        (
            "Песков заявил, что визит Путина в Пхеньян в этом году не планируется.",
            "ru",
            ("visit", "denied"),
        ),
        (
            "Le Kremlin se prépare à une visite de Kim Jong-un à Moscou; la date n'est pas "
            "encore fixée.",
            "fr",
            ("visit", "speculative"),
        ),
        (
            "Putin podría viajar a Pyongyang en otoño para reunirse con Kim Jong-un.",
            "es",
            ("visit", "speculative"),
        ),
    ],
)
def test_denials_and_plans_in_several_languages(
    text: str, lang: str, expected: tuple[str, str]
) -> None:
    event = main(text, lang)
    assert (event.event_type, event.modality) == expected


def test_italian_reports_are_relevant() -> None:
    text = "La Corea del Nord ha inviato altri 2.000 soldati in Russia, secondo Seul."
    d = detect_article(text, lang="it", published=PUB)
    assert d.relevance.relevant
    assert d.main_event is not None and d.main_event.event_type == "deployment"


@pytest.mark.parametrize(
    ("text", "lang", "expected"),
    [
        ("A Russian tanker carrying fuel arrived at Rajin port, KCNA said.", "en", "other"),
        ("Des touristes russes sont arrivés à Wonsan pour un séjour d'une semaine.", "fr", "other"),
        ("Russia's deputy prime minister arrived in Pyongyang on Tuesday.", "en", "visit"),
        ("Kim Jong Un arrived in Vladivostok by train.", "en", "visit"),
    ],
)
def test_travel_words_make_a_visit_only_with_a_visitor(text: str, lang: str, expected: str) -> None:
    assert main(text, lang).event_type == expected


@pytest.mark.parametrize(
    ("text", "lang", "expected"),
    [
        (
            "Officials in Washington say arms negotiations between Russia and North Korea on "
            "drones are moving fast.",
            "en",
            ("arms_transfer", "speculative"),
        ),
        (
            "D'après Séoul, les tractations sur des ventes de missiles entre Moscou et "
            "Pyongyang se poursuivent.",
            "fr",
            ("arms_transfer", "speculative"),
        ),
        (
            "Beobachter halten es für möglich, dass Nordkorea Soldaten für Russland stellt.",
            "de",
            ("deployment", "speculative"),
        ),
        (
            "Il y a trois ans entrait en vigueur l'accord sur les visas entre Moscou et Pyongyang.",
            "fr",
            ("agreement", "background"),
        ),
    ],
)
def test_arms_talks_possibilities_and_old_entries_into_force(
    text: str, lang: str, expected: tuple[str, str]
) -> None:
    event = main(text, lang)
    assert (event.event_type, event.modality) == expected


def test_a_passive_opening_reaches_its_distant_subject() -> None:
    text = (
        "La ligne ferroviaire rénovée de 30 km reliant la gare de Khassan, côté russe, "
        "au port de Rason a été inaugurée mardi."
    )
    assert main(text, "fr").event_type == "other"


def test_a_korean_count_follows_its_noun() -> None:
    text = (
        "미 국무부는 북한이 러시아에 포탄을 컨테이너 3천여 개 분량 넘겼으며 위성 사진도 공개했다."
    )
    event = main(text, "ko")
    assert (event.event_type, event.low) == ("arms_transfer", 3000)


@pytest.mark.parametrize(
    ("text", "lang", "expected"),
    [
        (
            "Lavrov and Choe Son Hui met for three hours in Moscow, but no documents were signed.",
            "en",
            ("visit", "new"),
        ),
        (
            "Lawrow und Choe Son Hui trafen sich in Moskau, ohne eine Vereinbarung zu unterzeichnen.",
            "de",
            ("visit", "new"),
        ),
        (
            "Secondo Seul, 1.500 operai nordcoreani si trovano ora a Vladivostok.",
            "it",
            ("deployment", "new"),
        ),
    ],
)
def test_fresh_wordings_of_meetings_and_presence(
    text: str, lang: str, expected: tuple[str, str]
) -> None:
    event = main(text, lang)
    assert (event.event_type, event.modality) == expected


@pytest.mark.parametrize(
    ("text", "lang", "expected"),
    [
        (
            "Two years after the treaty, Russia and North Korea signed a visa accord on "
            "Tuesday in Moscow.",
            "en",
            ("agreement", "new"),
        ),
        (
            "Deux ans après la signature du traité, Moscou et Pyongyang ont signé lundi un "
            "protocole sur la santé.",
            "fr",
            ("agreement", "new"),
        ),
        (
            "Zwei Jahre nach der Ankunft der ersten nordkoreanischen Arbeiter in Sibirien "
            "zieht ein Bericht Bilanz.",
            "de",
            ("deployment", "background"),
        ),
        (
            "조약 체결 2년 만에 북한이 러시아에 노동자 3천 명을 추가로 보냈다고 국정원이 밝혔다.",
            "ko",
            ("deployment", "new"),
        ),
    ],
)
def test_fresh_dated_news_after_an_anniversary_clause(
    text: str, lang: str, expected: tuple[str, str]
) -> None:
    event = main(text, lang)
    assert (event.event_type, event.modality) == expected


def test_portuguese_stated_presence_with_its_source() -> None:
    text = "Segundo Seul, cerca de 1.000 operários norte-coreanos estão agora em Vladivostok."
    event = main(text, "pt")
    assert (event.event_type, event.modality, event.low) == ("deployment", "new", 1000)


def test_a_ship_carrying_weapons_is_a_transfer_and_carrying_people_a_deployment() -> None:
    text = "A Russian freighter carrying missiles docked at Rajin, satellite images show."
    assert main(text, "en").event_type == "arms_transfer"
    text = (
        "A Russian freighter carrying 300 North Korean workers docked at Vladivostok, Seoul said."
    )
    assert main(text, "en").event_type == "deployment"


def test_a_relative_clause_after_a_demonym_sends_its_noun() -> None:
    text = (
        "Quelque 900 soldats nord-coréens, qui sont arrivés à Belgorod début mai, "
        "creusent des tranchées, selon Kiev."
    )
    event = main(text, "fr", published=date(2025, 5, 12))
    assert (event.event_type, event.modality, event.low) == ("deployment", "new", 900)


def test_loggers_still_working_are_a_presence_not_news() -> None:
    text = "Hundreds of North Korean loggers still work in Russia's Amur region, a reportage finds."
    event = main(text, "en")
    assert (event.event_type, event.modality) == ("deployment", "background")


def test_the_ratification_of_is_an_act_not_a_sign_of() -> None:
    text = "The Federation Council approved the ratification of the border treaty with North Korea."
    event = main(text, "en")
    assert (event.event_type, event.modality) == ("agreement", "new")
    assert event.force is not None and event.force.endswith(":ratification")
    text = "Russia's envoy called the visit a sign of the deepening alliance with North Korea."
    assert main(text, "en").event_type != "agreement"


@pytest.mark.parametrize(
    "text",
    [
        "Seoul stellt fest, dass nordkoreanische Arbeiter seit Jahren in Russland tätig sind.",
        "Der Bericht stellt die Rolle nordkoreanischer Soldaten in Kursk dar.",
    ],
)
def test_german_stellt_provides_only_at_the_end_of_its_clause(text: str) -> None:
    event = main(text, "de")
    assert not (event.event_type == "deployment" and event.modality == "new")


def test_a_korean_anniversary_clause_then_fresh_claimed_news() -> None:
    text = "북한이 러시아에 노동자를 보낸 지 2년이 지난 가운데 국정원은 북한이 최근 1천 명을 추가로 보냈다고 밝혔다."
    event = main(text, "ko")
    assert (event.event_type, event.modality, event.low) == ("deployment", "new", 1000)


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        (
            "Pyongyang will send 2,000 engineers to the Belgorod region, the Russian defence minister announced.",
            "en",
        ),
        (
            "La Corée du Nord va envoyer 900 démineurs dans la région de Belgorod, a annoncé le Kremlin.",
            "fr",
        ),
        (
            "Corea del Norte enviará 900 zapadores a la región de Bélgorod, anunció el ministro ruso de Defensa.",
            "es",
        ),
        ("КНДР направит в Белгородскую область 900 сапёров, заявил министр обороны России.", "ru"),
    ],
)
def test_an_announced_decision_to_send_is_new(text: str, lang: str) -> None:
    event = main(text, lang)
    assert (event.event_type, event.modality) == ("deployment", "new")


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("North Korea will send 2,000 engineers to the Belgorod region.", "en"),
        ("Analysts said North Korea will send more engineers to the Belgorod region.", "en"),
        ("North Korea could send 2,000 engineers to Belgorod, the minister said.", "en"),
        (
            "КНДР направит в Белгородскую область ещё 900 сапёров, если Москва попросит, заявил посол.",
            "ru",
        ),
        ("North Korea will send 2,000 engineers to Belgorod, Japanese media said.", "en"),
    ],
)
def test_an_unannounced_or_hedged_future_send_stays_speculative(text: str, lang: str) -> None:
    event = main(text, lang)
    assert event.modality == "speculative"


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        (
            "North Korea has sent 3,000 workers to Russia's Far East, and more could follow, Seoul said.",
            "en",
        ),
        (
            "La Corée du Nord a envoyé 3 000 ouvriers en Russie et d'autres pourraient suivre, selon Séoul.",
            "fr",
        ),
        (
            "Corea del Norte ha enviado 3.000 obreros a Rusia y podrían llegar más, según Seúl.",
            "es",
        ),
        (
            "국정원은 북한이 노동자 3천 명을 러시아에 보냈으며 추가 파견이 이뤄질 가능성이 있다고 밝혔다.",
            "ko",
        ),
    ],
)
def test_a_trailing_hedge_about_further_steps_leaves_the_act_new(text: str, lang: str) -> None:
    event = main(text, lang)
    assert (event.event_type, event.modality) == ("deployment", "new")


def test_a_hedge_on_the_act_itself_stays_speculative() -> None:
    text = (
        "북한이 러시아에 노동자를 보낼 가능성이 있으며 추가 파견도 검토 중이라고 국정원이 밝혔다."
    )
    assert main(text, "ko").modality == "speculative"
    text = "North Korea could send 3,000 workers to Russia, and more later, analysts said."
    assert main(text, "en").modality == "speculative"


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        (
            "Séoul accuse Pyongyang d'avoir dépêché 2 000 ouvriers en Russie et convoque l'ambassadeur.",
            "fr",
        ),
        (
            "Kyiv accused North Korea of sending 3,000 more soldiers to the Kursk region on Monday.",
            "en",
        ),
        ("Seúl acusó a Pyongyang de haber enviado 2.000 soldados a Rusia.", "es"),
    ],
)
def test_a_government_accusation_of_an_act_is_a_claim_of_it(text: str, lang: str) -> None:
    event = main(text, lang)
    assert (event.event_type, event.modality) == ("deployment", "new")


def test_an_accusation_in_a_subordinate_clause_stays_context() -> None:
    text = "Russia's parliament ratified the pact with North Korea, days after Seoul accused Pyongyang of sending troops."
    assert main(text, "en").event_type == "agreement"
    text = "Seoul summoned the Russian ambassador to protest the dispatch of North Korean troops."
    assert main(text, "en").modality == "background"


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        (
            "Devant le Parlement, la ministre a rappelé que des ouvriers nord-coréens travaillent en Russie.",
            "fr",
        ),
        (
            "The annual defence review names North Korea's alliance with Russia a top risk for the first time, "
            "noting that some 8,000 workers were sent to Russia last spring.",
            "en",
        ),
    ],
)
def test_a_reminder_clause_is_background(text: str, lang: str) -> None:
    assert main(text, lang).modality == "background"


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        (
            "A Russian ferry reached Rason on Friday on the first run of a new regular service from Vladivostok.",
            "en",
        ),
        (
            "Un navire russe a accosté à Rason pour la première traversée de la nouvelle liaison régulière avec Vladivostok.",
            "fr",
        ),
        (
            "La Russie a accepté d'annuler l'essentiel de la dette nord-coréenne envers Moscou.",
            "fr",
        ),
        (
            "Lavrov e Choe Son Hui hanno firmato a Mosca un accordo sulla cooperazione consolare.",
            "it",
        ),
    ],
)
def test_concrete_arrangements_and_italian_signatures_are_agreements(text: str, lang: str) -> None:
    event = main(text, lang)
    assert (event.event_type, event.modality) == ("agreement", "new")


@pytest.mark.parametrize(
    ("text", "lang", "event_type"),
    [
        (
            "КНДР подтвердила участие своих военных в боях под Белгородом: решение принял Ким Чен Ын.",
            "ru",
            "deployment",
        ),
        (
            "De premiers accrochages entre l'armée ukrainienne et des soldats nord-coréens ont eu lieu près de Belgorod.",
            "fr",
            "deployment",
        ),
        ("金正恩総書記とプーチン大統領は5日、ウラジオストクで首脳会談を行った。", "ja", "visit"),
    ],
)
def test_vocabulary_for_confirmations_clashes_and_japanese_summits(
    text: str, lang: str, event_type: str
) -> None:
    d = detect_article(text, lang=lang, published=PUB)
    assert d.relevance.relevant
    assert d.main_event is not None
    assert (d.main_event.event_type, d.main_event.modality) == (event_type, "new")


def test_a_japanese_summit_without_both_sides_is_not_relevant() -> None:
    d = detect_article(
        "日本の首相は5日、東京で韓国の大統領と首脳会談を行った。", lang="ja", published=PUB
    )
    assert not d.relevance.relevant


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        (
            "Britain imposed new sanctions on North Korean generals involved in sending troops to Russia.",
            "en",
        ),
        (
            "Le Japon a adopté un nouveau paquet de sanctions visant des officiers nord-coréens impliqués dans l'envoi de soldats en Russie.",
            "fr",
        ),
    ],
)
def test_sanctions_on_those_involved_in_sending_troops_are_sanctions(text: str, lang: str) -> None:
    assert main(text, lang).event_type == "sanctions"


def test_captured_soldiers_are_not_a_deployment() -> None:
    text = "Kyiv is ready to hand over three captured North Korean soldiers to Seoul if they ask."
    assert main(text, "en").event_type != "deployment"
    text = "Séoul est prêt à accueillir les trois soldats nord-coréens capturés en Ukraine."
    assert main(text, "fr").event_type != "deployment"


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        (
            "Le président russe a approuvé par décret la signature d'un accord de coopération avec Pyongyang.",
            "fr",
        ),
        ("Putin approved by decree the signing of a new border treaty with North Korea.", "en"),
    ],
)
def test_an_approved_signing_is_still_to_come(text: str, lang: str) -> None:
    event = main(text, lang)
    assert (event.event_type, event.modality) == ("agreement", "speculative")


@pytest.mark.parametrize(
    ("text", "lang", "total"),
    [
        (
            "North Korean troops deployed to Russia have suffered about 4,000 casualties, including 500 killed, Kyiv said.",
            "en",
            4000,
        ),
        (
            "러시아에 파병된 북한군 사상자가 사망 400여 명, 부상 3천600여 명 등 4천 명에 이른다고 국정원이 밝혔다.",
            "ko",
            4000,
        ),
    ],
)
def test_losses_of_a_force_described_as_deployed_are_casualties_with_their_total(
    text: str, lang: str, total: int
) -> None:
    event = main(text, lang)
    assert (event.event_type, event.low) == ("casualties", total)


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        (
            "Lavrov y Choe Son Hui firmaron en Moscú un acuerdo consular, en la primera visita de la ministra en 12 años.",
            "es",
        ),
        (
            "Лавров и Цой Сон Хи подписали в Москве консульское соглашение в ходе первого за 12 лет визита.",
            "ru",
        ),
        (
            "Lavrov and Choe Son Hui signed a consular agreement in Moscow, her first visit in 12 years.",
            "en",
        ),
    ],
)
def test_a_duration_is_never_the_events_figure(text: str, lang: str) -> None:
    event = main(text, lang)
    assert (event.event_type, event.low) == ("agreement", None)


def test_a_korean_clause_joined_by_a_comma_keeps_its_own_figure() -> None:
    text = "국정원에 따르면 북한은 이달 공병 800여 명을 러시아 쿠르스크에 이송했으며, 모두 5천 명 규모의 파견을 결정한 것으로 파악됐다."
    event = main(text, "ko")
    assert (event.event_type, event.low) == ("deployment", 800)


def test_a_since_clause_recalls_an_earlier_act() -> None:
    text = "Kyiv says it captured three North Korean soldiers in Kursk, the first since Pyongyang's troops joined the war."
    d = detect_article(text, lang="en", published=PUB)
    assert not any(e.event_type == "deployment" and e.modality == "new" for e in d.events)
    text = "Since September North Korea has sent 3,000 more troops to Russia, Seoul said."
    assert main(text, "en").modality == "new"


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        (
            "La Corée du Nord va envoyer 4 000 militaires à Belgorod, dont 1 500 démineurs et 2 500 bâtisseurs, a annoncé Moscou.",
            "fr",
        ),
        (
            "Corea del Norte enviará 4.000 militares a Bélgorod, entre ellos 1.500 zapadores, anunció Moscú.",
            "es",
        ),
        (
            "North Korea has sent 4,000 troops to Belgorod, including 1,500 sappers, Kyiv said.",
            "en",
        ),
    ],
)
def test_a_whole_then_its_parts_counts_the_whole(text: str, lang: str) -> None:
    event = main(text, lang)
    assert (event.event_type, event.low) == ("deployment", 4000)
