"""Example fusehub skills shipped as a separate package."""
