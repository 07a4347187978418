"""The rules, in the fixed order the engine tries them (earlier rules prepare later ones).

Order matters in two places: rules that rewrite a loop's header (AO109, AO108) and the
literal rule (AO112) run before the loop-to-comprehension rules, and AO103, which inserts a
statement before a loop, runs after them (an insertion would separate `out = []` from its loop).
AO118 follows AO111, which makes a generator of an inert `any([...])` for AO118 to turn into a
loop; the engine restarts from the first rule after every rewrite, so any order reaches the same
fixpoint, and the loop AO118 writes leaves no any()/all() call of its own to rewrite.
"""

from __future__ import annotations

from agentic_action.rewrite._ruff import RUFF_RULES
from agentic_action.rewrite._types import Rule, RuleInfo
from agentic_action.rewrite.rules_anyall import AnyAllToLoop, AnyAllToLoopEvidence
from agentic_action.rewrite.rules_build import (
    DictStoreToComprehension,
    ListAppendToComprehension,
    SetAddToComprehension,
    StrConcatToJoin,
)
from agentic_action.rewrite.rules_calls import AnyAllGenerator, EmptyConstructorToLiteral
from agentic_action.rewrite.rules_dictget import MembershipLookupToGet
from agentic_action.rewrite.rules_format import FormatToFString
from agentic_action.rewrite.rules_genexp import (
    GeneratorToComprehension,
    GeneratorToComprehensionEvidence,
)
from agentic_action.rewrite.rules_iteration import DictKeysToItems, RangeLenToIteration
from agentic_action.rewrite.rules_membership import MembershipToSet, MembershipToSetEvidence
from agentic_action.rewrite.rules_printf import PrintfToFString, PrintfToFStringEvidence
from agentic_action.rewrite.rules_regex import RegexHoist
from agentic_action.rewrite.rules_sorted import SortedFirstToMin, SortedOfCopy

OWN_RULES: tuple[Rule, ...] = (
    EmptyConstructorToLiteral(),  # AO112
    SortedOfCopy(),  # AO110
    RangeLenToIteration(),  # AO109
    DictKeysToItems(),  # AO108
    MembershipLookupToGet(),  # AO113
    ListAppendToComprehension(),  # AO104
    DictStoreToComprehension(),  # AO105
    SetAddToComprehension(),  # AO106
    StrConcatToJoin(),  # AO102
    AnyAllGenerator(),  # AO111
    AnyAllToLoop(),  # AO118 (after AO111: a generator it makes of an inert list can loop next)
    GeneratorToComprehension(),  # AO120 (after AO110: sorted(list(G)) loses the copy first)
    SortedFirstToMin(),  # AO107
    MembershipToSet(),  # AO101
    FormatToFString(),  # AO114
    PrintfToFString(),  # AO116
    MembershipToSetEvidence(),  # AO115, evidence tier: only when that tier is asked for
    PrintfToFStringEvidence(),  # AO117, evidence tier (after AO116: a proven operand is its)
    GeneratorToComprehensionEvidence(),  # AO121, evidence tier (silent where AO120 is proven)
    AnyAllToLoopEvidence(),  # AO119, evidence tier (silent where AO118 is proven)
    RegexHoist(),  # AO103
)
RULES: tuple[RuleInfo, ...] = (
    *sorted((rule.info for rule in OWN_RULES), key=lambda info: info.id),
    *RUFF_RULES,
)
