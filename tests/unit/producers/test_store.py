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


class Clock:
    """Epoch seconds that a test moves on by hand, so ages are exact."""

    def __init__(self, t: float = 1_800_000_000.0) -> None:
        self.t = t

    def __call__(self) -> float:
        return self.t


DAY = 86_400.0


def publish(s: Store, key: str, kind: str = "article") -> None:
    """Queue a record and acknowledge it, as the broker would."""
    assert s.enqueue(kind, key, b"{}", "src")
    [item] = [p for p in s.pending() if p.key == key]
    s.acknowledged([item])


def test_prune_forgets_ids_older_than_the_cutoff_and_keeps_newer(tmp_path):
    clock = Clock()
    s = Store(tmp_path / "p.sqlite", clock=clock)
    publish(s, "old")
    publish(s, "bad", kind="deadletter")
    clock.t += 10 * DAY
    publish(s, "new")
    assert s.seen_count() == 3
    pruned = s.prune(older_than=clock.t - 5 * DAY)
    assert pruned.seen == 2
    assert not s.known("old")
    assert not s.known_record("deadletter", "bad")
    assert s.known("new")
    assert s.seen_count() == 1
    assert s.prune(older_than=clock.t - 5 * DAY).seen == 0, "nothing left to forget"


def test_prune_cutoff_is_exclusive(tmp_path):
    clock = Clock()
    s = Store(tmp_path / "p.sqlite", clock=clock)
    publish(s, "a")
    assert s.prune(older_than=clock.t).seen == 0, "stamped exactly at the cutoff: kept"
    assert s.prune(older_than=clock.t + 0.001).seen == 1


def test_pending_records_are_never_forgotten_nor_queued_twice(tmp_path):
    clock = Clock()
    s = Store(tmp_path / "p.sqlite", clock=clock)
    assert s.enqueue("article", "waiting", b"{}", "src")
    assert s.enqueue("deadletter", "dead", b"{}", "src")
    clock.t += 100 * DAY  # the broker was away a long time
    assert s.prune(older_than=clock.t - DAY).seen == 0
    assert s.pending_count() == 2, "prune leaves the outbox alone"
    assert s.known("waiting")
    assert s.known_record("deadletter", "dead")
    assert not s.enqueue("article", "waiting", b"{}", "src"), "queued once only"


def test_a_seen_row_of_a_pending_record_is_kept(tmp_path):
    # The store keeps an id in the seen-set or in the outbox, never both; this builds the
    # overlap by hand to check that prune would still not drop what waits for the broker.
    clock = Clock()
    s = Store(tmp_path / "p.sqlite", clock=clock)
    for kind, key in [("article", "a1"), ("deadletter", "d1")]:
        seen = key if kind == "article" else f"{kind}:{key}"
        s.db.execute("INSERT INTO seen (id, at) VALUES (?, ?)", (seen, clock.t - 10 * DAY))
        assert s.enqueue(kind, key, b"{}", "src")
    s.db.execute("INSERT INTO seen (id, at) VALUES (?, ?)", ("gone", clock.t - 10 * DAY))
    assert s.prune(older_than=clock.t - DAY).seen == 1
    assert s.seen_count() == 2


def test_acknowledged_counts_the_ids_the_seen_set_gained(tmp_path):
    s = Store(tmp_path / "p.sqlite")
    for key in ("a", "b"):
        s.enqueue("article", key, b"{}", "src")
    s.enqueue("deadletter", "d", b"{}", "src")
    assert s.acknowledged(s.pending()) == 3
    assert s.seen_count() == 3


def test_prune_forgets_old_file_records_except_the_configured_ones(tmp_path):
    clock = Clock()
    s = Store(tmp_path / "p.sqlite", clock=clock)
    s.mark_file("/gone.md", "1:2")
    s.mark_file("/configured.md", "3:4")
    clock.t += 40 * DAY
    s.mark_file("/recent.md", "5:6")
    pruned = s.prune(older_than=clock.t - 30 * DAY, keep_files=["/configured.md"])
    assert pruned.files == 1
    assert pruned.seen == 0
    assert not s.file_done("/gone.md", "1:2")
    assert s.file_done("/configured.md", "3:4"), "still read at every start: kept"
    assert s.file_done("/recent.md", "5:6")
