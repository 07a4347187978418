from shop.receipts import has_refund, render_receipt, squared_totals, total_after_discount


def test_render_receipt():
    text = render_receipt([("tea", 2.5), ("cake", 3.25)] * 100)
    lines = text.splitlines()
    assert lines[0] == "tea                     2.50"
    assert lines[-1] == "TOTAL                 575.00"
    assert render_receipt([]) == "TOTAL                   0.00\n"


def test_has_refund():
    assert has_refund([1.0, 2.0, -0.5] * 100)
    assert not has_refund([1.0, 2.0] * 100)
    assert not has_refund([])


def test_squared_totals():
    assert squared_totals([1.0, -2.0, 3.0] * 100) == [1.0, 4.0, 9.0] * 100


def test_total_after_discount():
    assert total_after_discount([10.0, 20.0], 0.25) == 22.5
