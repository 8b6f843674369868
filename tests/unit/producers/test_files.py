import os

from producers.files import InboxScanner, move_aside


def test_a_file_is_ready_only_after_it_stops_changing(tmp_path):
    f = tmp_path / "a.txt"
    f.write_text("first part")
    scan = InboxScanner(tmp_path, settle=1.0)
    assert scan.ready(now=100.0) == []
    f.write_text("first part, second part")  # still being written
    os.utime(f, ns=(1, 2))
    assert scan.ready(now=100.5) == []
    assert scan.ready(now=101.0) == []
    assert scan.ready(now=101.6) == [f]


def test_temporary_and_hidden_names_and_folders_are_skipped(tmp_path):
    for name in (".hidden.txt", "x.part", "y.tmp", "z.txt~"):
        (tmp_path / name).write_text("x")
    (tmp_path / "done").mkdir()
    scan = InboxScanner(tmp_path, settle=0)
    assert scan.ready(now=1.0) == []


def test_move_aside_never_overwrites(tmp_path):
    for _ in range(2):
        f = tmp_path / "a.txt"
        f.write_text("x")
        move_aside(f, ok=True)
    assert sorted(p.name for p in (tmp_path / "done").iterdir()) == ["a.1.txt", "a.txt"]
    g = tmp_path / "b.bin"
    g.write_text("x")
    assert move_aside(g, ok=False).parent.name == "failed"
