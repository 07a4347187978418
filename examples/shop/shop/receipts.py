"""Receipts and price checks."""

from __future__ import annotations


def render_receipt(items: list[tuple[str, float]]) -> str:
    """One line per item, then the total."""
    text = ""
    for name, price in items:
        text += f"{name:<20}{price:>8.2f}\n"
    return text + f"{'TOTAL':<20}{sum(price for _, price in items):>8.2f}\n"


def has_refund(amounts: list[float]) -> bool:
    """True when any amount is negative (a refund)."""
    return any([amount < 0 for amount in amounts])


def squared_totals(amounts: list[float]) -> list[float]:
    """Squares of the amounts, for the variance report."""
    result = []
    for amount in amounts:
        result.append(amount * amount)
    return result


def total_after_discount(amounts: list[float], discount: float) -> float:
    """Sum of the amounts after a fractional discount (already fast: left alone)."""
    return sum(amounts) * (1.0 - discount)
