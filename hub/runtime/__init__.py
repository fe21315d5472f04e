"""The running hub's concerns, one module each, wired together by the composition root (:mod:`fusehub.app`).

An observation: :mod:`.ingest` (adapter routes -> graph, fusion -> events on the bus). An utterance or event:
:mod:`.front` (rules, local intents, the planner) -> :mod:`.executor` (policy, skills) -> :mod:`.sender`
(adapter encoders, the durable outbox, MQTT). Beside them: :mod:`.timers`, :mod:`.situations`,
:mod:`.control` (requests from the CLI), :mod:`.export` (beliefs out to other ecosystems) and
:mod:`.persist` (the graph across restarts). None of them knows a concrete adapter or the simulator.
"""
