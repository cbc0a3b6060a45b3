"""What one chaos flow found, printed so a failure can be replayed from its seed."""

from __future__ import annotations

from dataclasses import dataclass, field

from .killer import Kill


@dataclass
class ChaosResult:
    flow: str
    seed: int
    documents: int
    kills: list[Kill] = field(default_factory=list)
    final_syncs: int = 0
    seconds: float = 0.0
    duplicates: int = 0
    lost: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems and self.duplicates == 0 and self.lost == 0 and len(self.kills) > 0

    def lines(self) -> list[str]:
        head = (
            f"{self.flow}: seed {self.seed}, {self.documents} documents, {len(self.kills)} SIGKILLs, "
            f"{self.final_syncs} final sync(s), {self.seconds:.0f} s: duplicates {self.duplicates}, "
            f"lost {self.lost}, {'audit complete' if not self.problems else 'PROBLEMS'}"
        )
        kills = [f"  kill {n}: {kill}" for n, kill in enumerate(self.kills, 1)]
        problems = [f"  problem: {problem}" for problem in self.problems[:30]]
        more = [f"  … and {len(self.problems) - 30} more"] if len(self.problems) > 30 else []
        return [head, *kills, *problems, *more]


def exactly_once(expected: list[str], held: dict[str, int], result: ChaosResult, what: str) -> None:
    """Count ``held`` (name -> times seen on the far side) against ``expected`` names."""
    wanted = set(expected)
    result.lost += sum(1 for name in expected if held.get(name, 0) == 0)
    result.duplicates += sum(n - 1 for n in held.values() if n > 1)
    strays = sorted(set(held) - wanted)
    result.problems += [f"{what} {name} was never asked for" for name in strays[:10]]
    result.problems += [f"{what} {name} missing" for name in expected if held.get(name, 0) == 0][:10]
    result.problems += [f"{what} {name} held {n} times" for name, n in held.items() if n > 1][:10]
