"""What the outbound rules collect for one document: problems block sending, warnings do not."""

from __future__ import annotations

from dataclasses import dataclass, field

from .document import located

MISSING = "required element is missing"


@dataclass
class Findings:
    file_name: str
    problems: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def problem(self, path: str, reason: str) -> None:
        self.problems.append(located(self.file_name, path, reason))

    def warning(self, path: str, reason: str) -> None:
        self.warnings.append(located(self.file_name, path, reason))

    def require(self, group: dict, path: str, *names: str) -> None:
        """A problem for each of `names` that `group` lacks (absent, None or blank)."""
        for name in names:
            value = group.get(name)
            if value is None or (isinstance(value, str) and not value.strip()):
                self.problem(f"{path}.{name}", MISSING)
