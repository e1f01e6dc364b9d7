"""Signals other packages subscribe to without ``ip`` importing them (blinker, as Flask uses)."""

from blinker import Namespace

_signals = Namespace()

#: sent as ``asset_public_facts_changed.send(session, asset=asset)`` inside the transaction that
#: changed what the public sees of an asset (listings re-announce the published listings showing it)
asset_public_facts_changed = _signals.signal("ip.asset-public-facts-changed")
