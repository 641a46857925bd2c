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
