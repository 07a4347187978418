from shop.inventory import (
    cheapest_price,
    find_discontinued,
    index_by_sku,
    most_expensive,
    stock_value,
    valid_codes,
)


def test_find_discontinued_keeps_order_and_duplicates():
    skus = ["A-100", "Z-999", "H-802", "A-100", "Q-1"] * 50
    assert find_discontinued(skus) == ["A-100", "H-802", "A-100"] * 50
    assert find_discontinued([]) == []


def test_valid_codes():
    codes = ["AB-1234", "ab-1234", "AB-123", "XY-0000", "AB-12345", ""] * 40
    assert valid_codes(codes) == ["AB-1234", "XY-0000"] * 40


def test_stock_value():
    stock = {f"S-{i}": i for i in range(300)}
    prices = {f"S-{i}": 0.5 * i for i in range(300)}
    assert stock_value(stock, prices) == sum(i * 0.5 * i for i in range(300))
    assert stock_value({}, {}) == 0.0


def test_cheapest_price():
    assert cheapest_price([3.0, 1.5, 2.0] * 100) == 1.5
    assert cheapest_price([]) is None


def test_most_expensive():
    assert most_expensive([3.0, 1.5, 9.25]) == 9.25


def test_index_by_sku():
    products = [(f"S-{i}", f"thing {i}") for i in range(200)]
    index = index_by_sku(products)
    assert index["S-7"] == "thing 7"
    assert len(index) == 200
