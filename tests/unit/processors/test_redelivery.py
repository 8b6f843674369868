"""The per-partition guard against Faust handing a worker records it has handled already."""

from processors.redelivery import HandledOffsets


def test_offsets_up_to_the_last_handled_are_not_fresh_later_ones_are():
    handled = HandledOffsets()
    assert handled.fresh("raw", 0, 0)
    handled.mark("raw", 0, 4)
    assert not handled.fresh("raw", 0, 4)
    assert not handled.fresh("raw", 0, 0), "Kafka's order: every offset before 4 was handled"
    assert handled.fresh("raw", 0, 5)


def test_partitions_and_topics_are_kept_apart():
    handled = HandledOffsets()
    handled.mark("raw", 0, 10)
    assert handled.fresh("raw", 1, 3)
    assert handled.fresh("other", 0, 3)


def test_marking_an_older_offset_does_not_move_the_mark_back():
    handled = HandledOffsets()
    handled.mark("raw", 0, 10)
    handled.mark("raw", 0, 2)
    assert not handled.fresh("raw", 0, 9)


def test_a_message_without_partition_or_offset_is_always_fresh():
    handled = HandledOffsets()
    handled.mark("raw", None, None)
    assert handled.fresh("raw", None, 3)
    assert handled.fresh("raw", 0, None)
