from dataclasses import asdict, dataclass


@dataclass(frozen=True)
class Violation:
    """One way the books are wrong, named precisely enough to find and fix it."""

    check: str
    legal_entity: str
    subject: str
    message: str

    def as_dict(self) -> dict:
        return asdict(self)
