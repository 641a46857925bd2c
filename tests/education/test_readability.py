import pytest

from education import readability
from education.readability import flesch_kincaid_grade, reading_minutes

PLAIN = "Naltrexone blocks opioids. It is not addictive. You take it once a day or once a month."
DENSE = (
    "Pharmacological antagonism of mu-opioid receptors substantially attenuates the reinforcing "
    "properties of exogenously administered opioid agonists, consequently diminishing relapse probability."
)


def test_plain_sentences_score_a_low_grade_and_dense_ones_a_high_grade():
    assert flesch_kincaid_grade(PLAIN) < 6
    assert flesch_kincaid_grade(DENSE) > 16


def test_no_words_has_no_grade():
    assert flesch_kincaid_grade("") is None
    assert flesch_kincaid_grade("  ... !!! ") is None


def test_reading_time_is_at_least_a_minute_and_grows_with_length():
    assert reading_minutes("One word.") == 1
    assert reading_minutes("word " * 200) == 1
    assert reading_minutes("word " * 201) == 2
    assert reading_minutes("word " * 1000) == 5


@pytest.mark.parametrize(
    ("word", "syllables"),
    [("naltrexona", 4), ("día", 2), ("país", 2), ("poeta", 3), ("cuidado", 3), ("que", 1), ("hoy", 1)],
)
def test_spanish_syllables_follow_diphthongs_and_hiatus(word, syllables):
    assert readability.count_spanish_syllables(word) == syllables


def test_fernandez_huerta_scores_plain_spanish_as_easier_than_dense_spanish():
    plain = "La naltrexona bloquea los opioides. No crea adicción. Se toma en pastilla o en inyección."
    dense = (
        "La administración farmacológica de antagonistas opioides constituye una intervención terapéutica "
        "fundamentada en la evidencia científica contemporánea, particularmente en poblaciones vulnerables."
    )

    assert readability.fernandez_huerta(plain) > 70
    assert readability.fernandez_huerta(dense) < 30
    assert readability.fernandez_huerta("") is None
    assert readability.spanish_ease_label(75) == "fairly easy"
