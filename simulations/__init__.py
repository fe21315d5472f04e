"""The simulator: homes and days in YAML, virtual devices speaking their ecosystems' MQTT conventions,
a virtual clock, and pass/fail expectations."""
