import threading

from learning_portal.core.fragments import FragmentMemo


def counting_render(html: str):
    calls = []

    def render() -> str:
        calls.append(html)
        return html

    return render, calls


def test_a_piece_is_rendered_once_per_key():
    memo = FragmentMemo(size=10, seconds=60)
    render, calls = counting_render("<li>A</li>")

    assert memo.get_or_render(("card", 1), render) == "<li>A</li>"
    assert memo.get_or_render(("card", 1), render) == "<li>A</li>"
    assert memo.get_or_render(("card", 2), render) == "<li>A</li>"

    assert len(calls) == 2


def test_the_least_recently_used_piece_goes_first_when_full():
    memo = FragmentMemo(size=2, seconds=60)
    memo.get_or_render("a", lambda: "A")
    memo.get_or_render("b", lambda: "B")
    memo.get_or_render("a", lambda: "not rendered again")  # "a" is now the most recent

    memo.get_or_render("c", lambda: "C")

    assert len(memo) == 2
    assert memo.get_or_render("a", lambda: "A again") == "A"
    assert memo.get_or_render("b", lambda: "B again") == "B again"


def test_a_piece_expires_after_its_time(monkeypatch):
    clock = [1000.0]
    monkeypatch.setattr("learning_portal.core.fragments.time.monotonic", lambda: clock[0])
    memo = FragmentMemo(size=10, seconds=90)
    memo.get_or_render("a", lambda: "old")

    clock[0] += 89
    assert memo.get_or_render("a", lambda: "new") == "old"
    clock[0] += 2
    assert memo.get_or_render("a", lambda: "new") == "new"


def test_clear_forgets_everything():
    memo = FragmentMemo(size=10, seconds=60)
    memo.get_or_render("a", lambda: "A")

    memo.clear()

    assert len(memo) == 0
    assert memo.get_or_render("a", lambda: "fresh") == "fresh"


def test_threads_share_the_memo_and_never_exceed_its_size():
    memo = FragmentMemo(size=50, seconds=60)

    def work(offset: int) -> None:
        for n in range(500):
            key = (offset + n) % 120
            assert memo.get_or_render(key, lambda key=key: f"piece {key}") == f"piece {key}"

    threads = [threading.Thread(target=work, args=(n * 7,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert len(memo) == 50
