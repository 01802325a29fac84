"""Event matching: same real-world event or not."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime

from alerts.detect import detect_article
from alerts.matching import (
    EventSignature,
    same_event,
    signature_of_detected,
    signature_of_stored,
    window_days,
)
from storage.models import Event

BASE = EventSignature(
    event_type="deployment",
    modality="new",
    actors=frozenset({"KP", "RU"}),
    figure=12000,
    low=12000,
    high=12000,
    force="troops",
    place="Kursk",
    event_date=None,
    reference=date(2025, 4, 28),
    additional=False,
)


def test_identical_reports_match() -> None:
    assert same_event(BASE, BASE)


def test_other_type_does_not_match() -> None:
    assert not same_event(replace(BASE, event_type="casualties"), BASE)


def test_close_figures_match_and_far_figures_do_not() -> None:
    assert same_event(replace(BASE, figure=11000, low=11000, high=11000), BASE)
    assert not same_event(replace(BASE, figure=8000, low=8000, high=8000), BASE)
    assert same_event(replace(BASE, figure=None, low=None, high=None), BASE)


def test_overlapping_ranges_match() -> None:
    ranged = replace(BASE, figure=10000, low=10000, high=15000)
    assert same_event(ranged, BASE)


def test_stated_periods_that_overlap_are_the_same_time() -> None:
    last_month = replace(BASE, event_date=date(2025, 3, 1), date_precision="month")
    later_report = replace(last_month, reference=date(2025, 4, 10))
    assert same_event(later_report, replace(last_month, reference=date(2025, 4, 1)))


def test_time_window() -> None:
    later = replace(BASE, reference=date(2025, 5, 5))
    assert same_event(later, BASE)
    much_later = replace(BASE, reference=date(2025, 6, 28))
    assert not same_event(much_later, BASE)
    assert window_days("deployment") >= 7


def test_stated_event_dates_count_too() -> None:
    # a report published long after but dated to the same day is the same event
    late = replace(BASE, reference=date(2025, 6, 1), event_date=date(2025, 4, 28))
    early = replace(BASE, event_date=date(2025, 4, 28))
    assert same_event(late, early)


def test_additional_contingent_is_a_new_event() -> None:
    more = replace(BASE, additional=True, figure=3000, low=3000, high=3000)
    assert not same_event(more, BASE)
    assert not same_event(more, replace(BASE, figure=None, low=None, high=None))
    assert same_event(more, replace(BASE, additional=True, figure=None, low=None, high=None))


def test_a_copy_that_drops_the_word_additional_keeps_its_figure() -> None:
    more = replace(BASE, additional=True, figure=3000, low=3000, high=3000)
    plain = replace(more, additional=False)
    assert same_event(plain, more)  # the copy after the "additional" report joins it
    later = replace(more, reference=date(2025, 5, 1))
    assert not same_event(later, plain)  # "3,000 more" days after "3,000 sent": another contingent
    assert not same_event(replace(plain, figure=None, low=None, high=None), more)


def test_places_must_agree_countries_do_not_decide() -> None:
    assert not same_event(replace(BASE, place="Vladivostok"), BASE)
    # capitals are recorded only as locations ("in Pyongyang"), so they decide too
    assert not same_event(replace(BASE, place="Pyongyang"), BASE)
    assert same_event(replace(BASE, place="Russia"), BASE)
    assert same_event(replace(BASE, place="koursk".replace("ou", "u")), BASE)
    assert same_event(replace(BASE, place=None), BASE)


def test_forces_of_another_kind_are_another_event() -> None:
    assert not same_event(replace(BASE, force="workers"), BASE)
    assert same_event(replace(BASE, force="special_forces"), BASE)


def test_agreement_stages_are_distinct_events() -> None:
    signed = replace(
        BASE,
        event_type="agreement",
        force="treaty:signature",
        figure=None,
        low=None,
        high=None,
        instrument="csp-treaty-2024",
    )
    ratified = replace(signed, force="treaty:ratification")
    assert not same_event(ratified, signed)
    assert same_event(replace(signed, force="accord:signature"), signed)
    flights = replace(signed, force="flights:arrangement", instrument=None)
    assert not same_event(flights, signed)
    accord = replace(signed, force="accord:signature", instrument=None)
    assert same_event(flights, accord)
    assert not same_event(flights, replace(flights, force="trains:arrangement"))


def test_a_treaty_no_table_knows_is_any_accord() -> None:
    # "the treaty on the bridge was ratified" (no known instrument named) and "the bridge
    # accord was ratified": one act; the known treaty stays apart from the bridge
    bridge = replace(
        BASE, event_type="agreement", force="bridge:ratification", figure=None, low=None, high=None
    )
    assert same_event(replace(bridge, force="treaty:ratification"), bridge)
    known = replace(bridge, force="treaty:ratification", instrument="csp-treaty-2024")
    assert not same_event(known, bridge)


def test_actors_must_share_the_core_pair() -> None:
    assert same_event(replace(BASE, actors=frozenset({"KP", "RU", "UA"})), BASE)
    assert not same_event(replace(BASE, actors=frozenset({"RU", "BY"})), BASE)


def test_signatures_from_a_detection_and_from_a_stored_row_agree() -> None:
    d = detect_article(
        "North Korea has sent 3,000 additional troops to Kursk, the NIS said.",
        published=date(2025, 1, 15),
    )
    assert d.main_event is not None
    fresh = signature_of_detected(d.main_event, date(2025, 1, 15))
    e = d.main_event
    row = Event(
        event_type=e.event_type,
        modality=e.modality,
        summary=e.summary(),
        evidence=e.evidence,
        figure_low=e.low,
        figure_high=e.high,
        figure_unit=e.unit,
        force=e.force,
        place=e.place,
        event_date=e.event_date,
        date_precision=e.date_precision,
        actors=list(e.actors),
        claimant=e.claimant,
        additional=e.additional,
        confidence=e.confidence,
        first_seen_at=datetime(2025, 1, 15, 9, tzinfo=UTC),
        last_seen_at=datetime(2025, 1, 15, 9, tzinfo=UTC),
    )
    stored = signature_of_stored(row)
    assert stored == fresh
    assert same_event(fresh, stored)


def test_claimants_of_different_sides_report_one_event() -> None:
    # Moscow announcing a contingent and Pyongyang confirming it, Kyiv and Seoul counting it:
    # the labelled groups make them one event; the claimant is kept, never compared.
    seoul = replace(BASE, claimant="NIS")
    assert same_event(replace(BASE, claimant="Pentagon"), seoul)
    assert same_event(replace(BASE, claimant="Kremlin"), replace(BASE, claimant="KCNA"))
    assert same_event(replace(BASE, claimant="Yonhap"), seoul)
    assert same_event(replace(BASE, claimant=None), seoul)
    # what tells two announcements apart is what they announce
    assert not same_event(
        replace(BASE, claimant="Pentagon", figure=3000, low=3000, high=3000), seoul
    )


def test_a_figure_days_later_is_a_new_announcement() -> None:
    vague = replace(BASE, figure=None, low=None, high=None)
    same_day = replace(BASE, reference=date(2025, 4, 29))
    assert same_event(same_day, vague)
    days_later = replace(BASE, reference=date(2025, 5, 3))
    assert not same_event(days_later, vague)
    assert same_event(days_later, BASE)  # the same figure a few days later is the same report


def test_same_figure_same_day_with_and_without_more_is_one_report() -> None:
    plain = replace(BASE, figure=4000, low=4000, high=4000)
    more = replace(plain, additional=True)
    assert same_event(more, plain)  # same day: one outlet wrote "more", the other did not
    assert not same_event(replace(more, reference=date(2025, 5, 1)), plain)


def test_a_part_joins_the_decision_stated_as_parts_and_total() -> None:
    total = replace(BASE, figure=6000, low=6000, high=6000, force="builders+sappers")
    part = replace(BASE, figure=1000, low=1000, high=1000, force="sappers")
    assert same_event(part, total)
    assert same_event(total, part)


def test_a_larger_figure_is_not_a_part() -> None:
    total = replace(BASE, figure=6000, low=6000, high=6000, force="builders+sappers")
    bigger = replace(BASE, figure=9000, low=9000, high=9000, force="sappers")
    assert not same_event(bigger, total)


def test_a_part_of_another_kind_is_another_event() -> None:
    total = replace(BASE, figure=6000, low=6000, high=6000, force="builders+sappers")
    other = replace(BASE, figure=500, low=500, high=500, force="special_forces")
    assert not same_event(other, total)


def test_places_of_one_area_are_compatible() -> None:
    assert same_event(replace(BASE, place="Rason"), replace(BASE, place="Khasan"))
    assert same_event(replace(BASE, place="Vladivostok"), replace(BASE, place="Russian Far East"))
    assert not same_event(replace(BASE, place="Rason"), replace(BASE, place="Kursk"))


def test_an_agreement_at_a_stage_is_not_told_apart_by_its_place() -> None:
    # signed in Moscow, reported from Pyongyang; a link's two ends (Vladivostok, Wonsan)
    ferry = replace(
        BASE, event_type="agreement", figure=None, low=None, high=None, force="ferry:signature"
    )
    assert same_event(replace(ferry, place="Wonsan"), replace(ferry, place="Vladivostok"))
    # without a stage the place still decides
    link = replace(ferry, force="ferry")
    assert not same_event(replace(link, place="Wonsan"), replace(link, place="Kursk"))
    # nor by the figures its reports read (25 years, 2 ports, 214 passengers)
    assert same_event(replace(ferry, figure=25, low=25, high=25), replace(ferry, figure=2))


def test_accords_on_different_objects_are_different_events() -> None:
    day = date(2027, 5, 4)
    bridge = detect_article(
        "Russia and North Korea signed an agreement on Tuesday to build a rail bridge.",
        lang="en",
        published=day,
    ).main_event
    visas = detect_article(
        "Russia and North Korea signed an agreement on Tuesday on visa-free student exchanges.",
        lang="en",
        published=day,
    ).main_event
    assert bridge is not None and visas is not None
    assert bridge.force == "bridge:signature"
    a, b = signature_of_detected(bridge, day), signature_of_detected(visas, day)
    assert not same_event(a, b)
    generic = replace(a, force="accord:signature")
    assert same_event(generic, a)


def test_arms_of_the_army_meet_troops_but_labour_does_not() -> None:
    builders = replace(BASE, force="builders")
    assert same_event(replace(BASE, force="engineers"), builders)
    assert same_event(replace(BASE, force="workers"), builders)
    # "6,000 troops" (Seoul) and "6,000 sappers" (Moscow), "military builders": one contingent
    assert same_event(replace(BASE, force="troops"), builders)
    assert same_event(replace(BASE, force="troops"), replace(BASE, force="sappers"))
    assert same_event(replace(BASE, force="instructors"), replace(BASE, force="specialists"))
    assert not same_event(replace(BASE, force="workers"), replace(BASE, force="sappers"))
    assert not same_event(replace(BASE, force="workers"), BASE)
    # a bare count of people meets any force
    assert same_event(replace(BASE, force="people"), replace(BASE, force="workers"))
    assert same_event(replace(BASE, force="people"), BASE)


def test_adjacent_months_are_different_periods() -> None:
    april = replace(BASE, event_date=date(2025, 4, 1), date_precision="month")
    may = replace(
        BASE,
        event_date=date(2025, 5, 1),
        date_precision="month",
        reference=date(2025, 6, 10),
    )
    assert april.anchor_end == date(2025, 4, 30)
    assert not same_event(may, april)
    assert same_event(replace(may, event_date=date(2025, 4, 1)), april)


def test_a_late_stage_reported_a_week_later_is_the_same_act() -> None:
    law = replace(
        BASE,
        event_type="agreement",
        figure=None,
        low=None,
        high=None,
        place=None,
        force="accord:enactment",
    )
    later = replace(law, reference=date(2025, 5, 4))
    assert same_event(later, law)
    signing = replace(law, force="accord:signature")
    assert not same_event(replace(signing, reference=date(2025, 5, 4)), signing)


def test_militaires_du_genie_are_engineers() -> None:
    text = (
        "Selon Séoul, Pyongyang a envoyé un contingent d'environ 3 000 militaires du génie "
        "dans la région de Koursk."
    )
    event = detect_article(text, lang="fr", published=date(2025, 4, 28)).main_event
    assert event is not None and event.force == "engineers"


def test_visa_free_tourism_is_filed_under_either_word() -> None:
    accord = replace(
        BASE, event_type="agreement", figure=None, low=None, high=None, force="visas:signature"
    )
    assert same_event(replace(accord, force="tourism:signature"), accord)
    assert not same_event(replace(accord, force="bridge:signature"), accord)


def test_a_generic_accord_joins_an_object_accord_only_the_same_day() -> None:
    fish = replace(
        BASE,
        event_type="agreement",
        figure=None,
        low=None,
        high=None,
        place=None,
        force="fisheries:signature",
    )
    generic = replace(fish, force="accord:signature")
    assert same_event(generic, fish)
    assert not same_event(replace(generic, reference=date(2025, 4, 30)), fish)
    law = replace(fish, force="fisheries:enactment")
    later_law = replace(fish, force="accord:enactment", reference=date(2025, 5, 3))
    assert same_event(later_law, law)


AGREEMENT = replace(
    BASE,
    event_type="agreement",
    figure=None,
    low=None,
    high=None,
    place=None,
    force="accord:signature",
)


def test_a_stated_month_does_not_place_an_agreement_in_its_window() -> None:
    # announced in January for "March"; the signing on 12 March is another event
    announced = replace(
        AGREEMENT, reference=date(2038, 1, 27), event_date=date(2038, 3, 1), date_precision="month"
    )
    signed = replace(AGREEMENT, reference=date(2038, 3, 12), event_date=date(2038, 3, 12))
    assert not same_event(signed, announced)
    # a deployment "last month" still matches by its period (a week-long window)
    assert same_event(
        replace(BASE, event_date=date(2025, 4, 1), date_precision="month"),
        replace(BASE, reference=date(2025, 4, 20)),
    )


def test_a_stated_year_places_no_report() -> None:
    a = replace(BASE, force="people", event_date=date(2024, 1, 1), date_precision="year")
    b = replace(a, reference=date(2038, 1, 28))
    assert not same_event(b, a)


def test_an_announced_day_and_the_act_are_two_events() -> None:
    ahead = replace(
        AGREEMENT, force="flights", reference=date(2026, 9, 8), event_date=date(2026, 9, 15)
    )
    flown = replace(AGREEMENT, force="flights", reference=date(2026, 9, 15))
    assert not same_event(flown, ahead)
    assert same_event(replace(ahead, reference=date(2026, 9, 9)), ahead)


def test_each_party_ratifies_on_its_own() -> None:
    duma = replace(AGREEMENT, force="accord:ratification", claimant="TASS")
    assert same_event(replace(duma, claimant="Kremlin"), replace(duma, claimant=None))
    assert not same_event(replace(duma, claimant="KCNA"), replace(duma, claimant="Kremlin"))


def test_claims_of_other_sides_days_apart_are_announcements_of_their_own() -> None:
    moscow = replace(BASE, figure=None, low=None, high=None, claimant="Kremlin")
    assert same_event(replace(moscow, claimant="KCNA", reference=date(2025, 4, 29)), moscow)
    assert not same_event(replace(moscow, claimant="KCNA", reference=date(2025, 4, 30)), moscow)


def test_a_figure_revised_the_next_day_joins_an_additional_contingent() -> None:
    more = replace(BASE, figure=3000, low=3000, high=3000, additional=True)
    revised = replace(BASE, figure=3200, low=3200, high=3200, reference=date(2025, 4, 29))
    assert same_event(revised, more)
    assert not same_event(replace(revised, reference=date(2025, 5, 2)), more)


def test_a_link_running_is_not_a_late_stage_of_an_accord() -> None:
    flights = replace(AGREEMENT, force="flights", reference=date(2026, 9, 15))
    ratified = replace(AGREEMENT, force="accord:ratification", reference=date(2026, 9, 16))
    assert not same_event(ratified, flights)


def test_an_arm_and_the_general_word_days_apart_need_the_figures() -> None:
    specialists = replace(BASE, figure=None, low=None, high=None, force="specialists")
    troops = replace(specialists, force="troops", reference=date(2025, 5, 3))
    assert not same_event(troops, specialists)
    assert same_event(replace(troops, reference=date(2025, 4, 29)), specialists)
    counted = replace(BASE, force="specialists")
    assert same_event(replace(BASE, reference=date(2025, 5, 3)), counted)


def test_another_side_with_a_count_of_its_own_is_another_announcement() -> None:
    pentagon = replace(BASE, figure=10000, low=10000, high=10000, claimant="Pentagon")
    kyiv = replace(BASE, figure=11000, low=11000, high=11000, claimant="Zelensky")
    assert not same_event(kyiv, pentagon)
    assert same_event(replace(kyiv, claimant="Yonhap"), pentagon)
    assert same_event(replace(pentagon, claimant="Zelensky"), pentagon)


def test_a_generic_accord_and_an_object_stay_apart_by_their_places() -> None:
    debt = replace(AGREEMENT, force="agreement:signature", place="Moscow")
    ferry = replace(AGREEMENT, force="ferry:arrangement", place="Rason")
    assert not same_event(debt, ferry)
    assert same_event(replace(debt, place="Rason"), ferry)
