from shop.inventory import (
    find_discontinued,
    index_by_sku,
    most_expensive,
    restock_days_between,
    shortest_name_length,
    stock_value,
    valid_codes,
)


def test_find_discontinued_keeps_order_and_duplicates():
    line = ",".join(["A-100", "Z-999", "H-802", "A-100", "Q-1"] * 50)
    assert find_discontinued(line) == ["A-100", "H-802", "A-100"] * 50
    assert find_discontinued("") == []


def test_valid_codes():
    codes = ["AB-1234", "ab-1234", "AB-123", "XY-0000", "AB-12345", ""] * 40
    assert valid_codes(codes) == ["AB-1234", "XY-0000"] * 40


def test_stock_value():
    rows = [(f"S-{i}", i, 0.5 * i) for i in range(300)]
    assert stock_value(rows) == sum(i * 0.5 * i for i in range(300))
    assert stock_value([]) == 0.0


def test_shortest_name_length():
    assert shortest_name_length(["teapot", "cup", "saucer"] * 100) == 3
    assert shortest_name_length([]) is None


def test_restock_days_between():
    assert restock_days_between(1, 365) == 18
    assert restock_days_between(4, 9) == 0
    assert restock_days_between(10, 10) == 1


def test_most_expensive():
    assert most_expensive([3.0, 1.5, 9.25]) == 9.25


def test_index_by_sku():
    products = [(f"S-{i}", f"thing {i}") for i in range(200)]
    index = index_by_sku(products)
    assert index["S-7"] == "thing 7"
    assert len(index) == 200
