"""Household preferences at run time: the situation and the fused context (:mod:`.conditions`), which
preferences apply and their plan (:mod:`.evaluate`), plain-language preferences compiled into the home file's
structure (:mod:`.compile`), and the fused context read from the graph (:mod:`.facts_view`)."""
