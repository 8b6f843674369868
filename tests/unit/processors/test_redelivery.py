"""The per-partition guard against Faust handing a worker records it has handled already."""

from processors.redelivery import HandledOffsets


def test_a_handled_offset_is_not_fresh_again_others_are():
    handled = HandledOffsets()
    assert handled.fresh("raw", 0, 0)
    handled.mark("raw", 0, 4)
    assert not handled.fresh("raw", 0, 4)
    assert handled.fresh("raw", 0, 5)


def test_a_gap_before_a_handled_offset_stays_fresh():
    # Faust can drop part of a fetched batch while flow control is suspended: the agent then
    # sees offsets 0 and 3 but not 1 and 2, which must still be tagged when they come.
    handled = HandledOffsets()
    handled.mark("raw", 0, 0)
    handled.mark("raw", 0, 3)
    assert handled.fresh("raw", 0, 1) and handled.fresh("raw", 0, 2)


def test_partitions_and_topics_are_kept_apart():
    handled = HandledOffsets()
    handled.mark("raw", 0, 10)
    assert handled.fresh("raw", 1, 10)
    assert handled.fresh("other", 0, 10)


def test_only_the_newest_offsets_are_remembered():
    handled = HandledOffsets(remembered=3)
    for offset in range(5):
        handled.mark("raw", 0, offset)
    assert handled.fresh("raw", 0, 0) and handled.fresh("raw", 0, 1)
    assert not handled.fresh("raw", 0, 4)


def test_a_message_without_partition_or_offset_is_always_fresh():
    handled = HandledOffsets()
    handled.mark("raw", None, None)
    assert handled.fresh("raw", None, 3)
    assert handled.fresh("raw", 0, None)
