"""A pipeline named in ``processors.model`` is loaded with spacy.load and its sentences are used."""

from __future__ import annotations

import spacy

from processors.tagger import Tagger
from tests.conftest import SEED_ARTICLE


def test_a_saved_pipeline_named_as_model_is_loaded_and_its_sentences_used(tmp_path):
    # A pipeline on disk that sets sentence boundaries stands in for a trained one such as
    # en_core_web_sm (none can be downloaded here); spacy.load takes a package name or a path.
    nlp = spacy.blank("en")
    nlp.add_pipe("sentencizer")
    nlp.to_disk(tmp_path / "pipe")
    tagger = Tagger(model=str(tmp_path / "pipe"))
    assert tagger.nlp.pipe_names == ["sentencizer", "escmon_matchers"]
    assert tagger.parsed
    text = SEED_ARTICLE.read_text(encoding="utf-8")
    tagged = tagger.tag_text(text)
    default = Tagger().tag_text(text)
    assert tagged.summary == default.summary
    assert tagged.summary.killed == 19
    assert str(tmp_path) in tagged.tagger
