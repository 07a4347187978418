"""Inventory bookkeeping. Several of these functions are slower than they need to be."""

from __future__ import annotations

import re


def find_discontinued(skus: list[str]) -> list[str]:
    """The SKUs in ``skus`` that the shop no longer sells, in input order."""
    discontinued = [
        "A-100", "A-101", "A-102", "B-200", "B-201", "B-202", "C-300", "C-301",
        "C-302", "D-400", "D-401", "D-402", "E-500", "E-501", "E-502", "F-600",
        "F-601", "F-602", "G-700", "G-701", "G-702", "H-800", "H-801", "H-802",
    ]
    found = []
    for sku in skus:
        if sku in discontinued:  # checked for every SKU of every order
            found.append(sku)
    return found


def valid_codes(codes: list[str]) -> list[str]:
    """Warehouse codes look like ``AB-1234``; keep the valid ones."""
    valid = []
    for code in codes:
        if re.match(r"^[A-Z]{2}-\d{4}$", code):
            valid.append(code)
    return valid


def stock_value(stock: dict[str, int], prices: dict[str, float]) -> float:
    """Total value of the stock at current prices."""
    total = 0.0
    for sku in stock:
        total += stock[sku] * prices[sku]
    return total


def cheapest_price(prices: list[float]) -> float | None:
    """The lowest price, or None when there are no prices."""
    if not prices:
        return None
    return sorted(prices)[0]


def most_expensive(prices: list[float]) -> float:
    """The highest price (deliberately left alone: sorted()[-1] and max() differ on ties)."""
    return sorted(prices)[-1]


def index_by_sku(products: list[tuple[str, str]]) -> dict[str, str]:
    """Map SKU -> product name."""
    index = {}
    for sku, name in products:
        index[sku] = name
    return index
