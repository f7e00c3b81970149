# pynn_gennc makes quantities remember the unit it found for a bare name (unit_names.py):
# lookups must give what quantities' own parser gives, expressions must stay fresh objects,
# and a name unknown at one lookup must be found once it is registered.
import pytest
import quantities as pq
from quantities.registry import unit_registry

import pynn_gennc  # noqa: F401  (remembers unit names on import)


def test_bare_names_give_the_registered_units():
    assert getattr(type(unit_registry).__getitem__, "remembers_unit_names", False)
    for name, unit in (("ms", pq.ms), ("mV", pq.mV), ("nA", pq.nA), ("dimensionless", pq.dimensionless)):
        assert unit_registry[name] is unit
        assert unit_registry[name] is unit  # the remembered one
    assert unit_registry["UnitQuantity"] is pq.UnitQuantity
    assert unit_registry[""] is pq.dimensionless


def test_expressions_are_parsed_at_every_lookup():
    first = unit_registry["mV/ms"]
    second = unit_registry["mV/ms"]
    assert first is not second
    first *= 2.0  # changing one result must not change what the next lookup gives
    assert unit_registry["mV/ms"].magnitude == pytest.approx(1.0)
    assert second.dimensionality == (pq.mV / pq.ms).dimensionality


def test_a_name_registered_after_a_failed_lookup_is_found():
    with pytest.raises(LookupError):
        unit_registry["gennc_test_fortnight"]
    fortnight = pq.UnitQuantity("gennc_test_fortnight", 14 * pq.day, symbol="gennc_test_fn")
    assert unit_registry["gennc_test_fortnight"] is fortnight
    assert unit_registry["gennc_test_fn"] is fortnight


def test_spike_trains_keep_their_units():
    import neo
    train = neo.SpikeTrain([1.0, 2.5], units="ms", t_stop=10.0)
    assert train.units == pq.ms
    assert train.rescale("s").magnitude.tolist() == pytest.approx([0.001, 0.0025])
