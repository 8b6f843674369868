from producers.store import Store


def test_outbox_keeps_records_until_acknowledged_and_survives_reopen(tmp_path):
    db = tmp_path / "p.sqlite"
    s = Store(db)
    assert s.enqueue("article", "a1", b"{}", "src")
    assert not s.enqueue("article", "a1", b"{}", "src"), "same id queued twice"
    assert s.enqueue("deadletter", "d1", b"{}", "src")
    assert s.known("a1")
    s.close()
    s = Store(db)
    pending = s.pending()
    assert [(p.kind, p.key) for p in pending] == [("article", "a1"), ("deadletter", "d1")]
    s.acknowledged(pending[:1])
    assert s.pending_count() == 1
    assert s.known("a1")
    assert not s.known("d1")


def test_validators_and_files_are_remembered(tmp_path):
    s = Store(tmp_path / "p.sqlite")
    assert s.validators("f") == (None, None)
    s.set_validators("f", '"etag"', "Tue, 24 Nov 2026 10:00:00 GMT")
    assert s.validators("f") == ('"etag"', "Tue, 24 Nov 2026 10:00:00 GMT")
    assert not s.file_done("/x", "1:2")
    s.mark_file("/x", "1:2")
    assert s.file_done("/x", "1:2")
    assert not s.file_done("/x", "1:3")
