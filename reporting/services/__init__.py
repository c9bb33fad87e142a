"""The reporting services: differentiation (R-DIF) and the transparency snapshot (R-PUB)."""
