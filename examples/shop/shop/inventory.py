"""Inventory bookkeeping. Several of these functions are slower than they need to be."""

from __future__ import annotations

import re


def find_discontinued(order_line: str) -> list[str]:
    """The SKUs of a comma-separated order line that the shop no longer sells, in order."""
    discontinued = [
        "A-100", "A-101", "A-102", "B-200", "B-201", "B-202", "C-300", "C-301",
        "C-302", "D-400", "D-401", "D-402", "E-500", "E-501", "E-502", "F-600",
        "F-601", "F-602", "G-700", "G-701", "G-702", "H-800", "H-801", "H-802",
    ]
    found = []
    for sku in order_line.split(","):
        if sku in discontinued:
            found.append(sku)
    return found


def valid_codes(codes: list[str]) -> list[str]:
    """Warehouse codes look like ``AB-1234``; keep the valid ones."""
    valid = []
    for code in codes:
        if re.match(r"^[A-Z]{2}-\d{4}$", code):
            valid.append(code)
    return valid


def stock_value(rows: list[tuple[str, int, float]]) -> float:
    """Total value of the stock: rows of (sku, quantity, unit price)."""
    quantities = {sku: quantity for sku, quantity, _ in rows}
    prices = {sku: price for sku, _, price in rows}
    total = 0.0
    for sku in quantities:
        total += quantities[sku] * prices[sku]
    return total


def shortest_name_length(names: list[str]) -> int | None:
    """Length of the shortest product name (for label layout), or None without names."""
    lengths = [len(name) for name in names]
    if not lengths:
        return None
    return sorted(lengths)[0]


def restock_days_between(first: int, last: int) -> int:
    """How many of the days ``first``..``last`` (day numbers of the year) are restock days."""
    restock = [3, 10, 17, 24, 31, 38, 45, 52, 59, 66, 73, 80, 87, 94, 101, 108, 115, 122]
    count = 0
    for day in range(first, last + 1):
        if day in restock:
            count += 1
    return count


def most_expensive(prices: list[float]) -> float:
    """The highest price (deliberately left alone: sorted()[-1] and max() differ on ties)."""
    return sorted(prices)[-1]


def index_by_sku(products: list[tuple[str, str]]) -> dict[str, str]:
    """Map SKU -> product name."""
    index = {}
    for sku, name in products:
        index[sku] = name
    return index
