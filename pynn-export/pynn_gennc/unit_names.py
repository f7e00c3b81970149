"""Neo's recordings without quantities' unit parsing on every object.

quantities resolves a unit given by name ("ms", and "dimensionless" inside every hash of a
dimensionality) by parsing the name with `ast` and evaluating it, at every lookup: about
30 us each. Building the Neo spike trains of 4000 recorded neurons looks names up some
13,000 times (and the class `UnitQuantity`, by name, at every Quantity made from
another), which made most of a script's `get_data()` (0.3 of 0.45 s for the Vogels-Abbott
benchmark). A registered name always stands for the same object (the registry refuses to
rebind one), so what a bare name evaluates to is remembered; an expression of units
("mV/ms") yields a new Quantity each time and is parsed as before.
"""
from quantities.registry import UnitRegistry


def remember_unit_names():
    """Makes quantities' unit registry remember the units it found by bare name (once)."""
    lookup = UnitRegistry.__getitem__
    if getattr(lookup, "remembers_unit_names", False):
        return
    found = {}

    def getitem(self, label):
        unit = found.get(label)
        if unit is None:
            unit = lookup(self, label)
            # A bare name evaluates to the registry's own object; an expression does not.
            if isinstance(label, str) and label.strip().isidentifier():
                found[label] = unit
        return unit

    getitem.remembers_unit_names = True
    getitem.__doc__ = lookup.__doc__
    UnitRegistry.__getitem__ = getitem
