"""The bench's output: a compact table for the terminal and the whole result as JSON."""

from __future__ import annotations

import json
from pathlib import Path


def table(result: dict) -> str:
    bound = result["throttle_bound"]
    rows = [
        ("", "qbsps", "naive"),
        *(
            (label, fmt(result["qbsps"]), fmt(result["naive"]))
            for label, fmt in (
                ("wall time (s)", lambda r: f"{r['wall_seconds']:.1f}"),
                ("documents/min", lambda r: f"{r['documents_per_minute']:.1f}"),
                ("ratio to throttle bound", lambda r: f"{r['ratio_to_throttle_bound']:.1%}"),
                ("POs in QBO", lambda r: str(r["purchase_orders_in_qbo"])),
                ("QBO reads/doc (metered)", lambda r: f"{r['qbo_per_document']['reads']:.3f}"),
                ("QBO writes/doc", lambda r: f"{r['qbo_per_document']['writes']:.3f}"),
                ("QBO batch calls/doc", lambda r: f"{r['qbo_per_document']['batch_calls']:.3f}"),
                ("QBO batch ops/doc", lambda r: f"{r['qbo_per_document']['batch_ops']:.3f}"),
                ("QBO throttled (429)", lambda r: str(r["qbo_calls"]["throttled"])),
                ("SPS calls/doc", lambda r: f"{r['sps_per_document']:.3f}"),
                ("peak RSS (MB)", lambda r: f"{r['peak_rss_mb']:.0f}" if "peak_rss_mb" in r else "-"),
            )
        ),
    ]
    width = max(len(row[0]) for row in rows)
    lines = [
        f"bench: {result['orders']} orders x {result['lines_per_order']} lines, "
        f"{result['latency_ms']} ms latency, seed {result['seed']}, QBO throttles on",
        *(f"  {a:<{width}}  {b:>10}  {c:>10}" for a, b, c in rows),
        f"  qbsps / naive: {result['qbsps_over_naive']}x",
        f"  throttle bound: {bound['formula']} ({bound['seconds']:.1f} s for {result['orders']})",
    ]
    if result["qbsps"].get("exit_code"):
        lines.append(f"  qbsps sync exited {result['qbsps']['exit_code']}:\n{result['qbsps']['output_tail']}")
    return "\n".join(lines)


def write_json(result: dict, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(result, indent=2) + "\n")
