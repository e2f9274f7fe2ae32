"""Search spaces: ConfigSpace <-> vectors, and the NAS-Bench-201 cell bridge."""

from genhpo.spaces.encoder import Block, SpaceEncoder

__all__ = ["Block", "SpaceEncoder"]
