"""Skills: typed actions the hub can take. `skills.sdk` is the public SDK for device makers."""
