import json

from hypothesis import given
from hypothesis import strategies as st

from education.structured_data import to_script_json


@given(st.text())
def test_any_text_survives_the_script_block_and_parses_back_unchanged(text):
    out = str(to_script_json({"headline": text}))

    assert "<" not in out and ">" not in out and "&" not in out
    assert json.loads(out) == {"headline": text}
