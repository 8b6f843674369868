"""``escmon tag``: JSON lines in, one TaggedArticle per line out, same ids, same order."""

from __future__ import annotations

import io
import json

from escmon.models import Article, TaggedArticle, utcnow
from processors.tagcommand import tag_command
from tests.conftest import SEED_ARTICLE


def test_jsonl_keeps_ids_and_order_and_reports_bad_lines(tmp_path):
    seed = SEED_ARTICLE.read_text(encoding="utf-8")
    lines = [
        json.dumps({"id": f"n{i}", "text": f"Markets rose for the {i}th day."}) for i in range(70)
    ]
    lines.insert(3, json.dumps({"id": "seed", "text": seed}))
    lines.insert(10, "{broken")
    article = Article(id="art-1", source="feed", body="Two soldiers were killed.", fetched=utcnow())
    lines.append(article.to_bytes().decode())
    path = tmp_path / "in.jsonl"
    path.write_text("\n".join(lines) + "\n\n", encoding="utf-8")
    out, err = io.StringIO(), io.StringIO()

    code = tag_command(str(path), jsonl=True, out=out, err=err)

    tagged = [TaggedArticle.from_bytes(line) for line in out.getvalue().splitlines()]
    expected = [json.loads(x)["id"] for x in lines if x != "{broken"]
    assert [t.id for t in tagged] == expected  # 72 articles: more than one nlp.pipe batch
    assert code == 1 and "line 11" in err.getvalue()
    by_id = {t.id: t for t in tagged}
    assert by_id["seed"].summary.killed == 19
    assert by_id["art-1"].summary.killed == 2 and by_id["art-1"].source == "feed"
    assert by_id["n0"].signals == []


def test_plain_text_file_uses_first_line_as_title(tmp_path):
    path = tmp_path / "story.txt"
    path.write_text("Rocket attack on base\nThree soldiers were wounded.", encoding="utf-8")
    out, err = io.StringIO(), io.StringIO()
    assert tag_command(str(path), jsonl=False, out=out, err=err) == 0
    tagged = TaggedArticle.from_bytes(out.getvalue())
    assert tagged.id == "story" and tagged.title == "Rocket attack on base"
    assert tagged.summary.strike and tagged.summary.wounded == 3
