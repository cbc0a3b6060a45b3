"""The bench's output: a compact table for the terminal and the whole result as JSON."""

from __future__ import annotations

import json
from pathlib import Path


def _ratio(ratio: float | None) -> str:
    return f"{ratio}x" if ratio is not None else "- (the naive client was not run)"


def table(result: dict) -> str:
    bound = result["throttle_bound"]
    rows = [
        ("", "qbsps", "naive"),
        *(
            (label, fmt(result["qbsps"]), fmt(result["naive"]) if result["naive"] else "-")
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
        f"  qbsps / naive: {_ratio(result['qbsps_over_naive'])}",
        f"  throttle bound: {bound['formula']} ({bound['seconds']:.1f} s for {result['orders']})",
    ]
    if result["qbsps"].get("exit_code"):
        lines.append(f"  qbsps sync exited {result['qbsps']['exit_code']}:\n{result['qbsps']['output_tail']}")
    return "\n".join(lines)


def write_json(result: dict, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(result, indent=2) + "\n")


def outbound_table(result: dict) -> str:
    """The outbound run (and the webhook latency, when measured) as a table."""
    sides = [side for side in ("qbsps", "naive") if result.get(side)]
    rows = [
        ("", *sides),
        *(
            (label, *(fmt(result[side]) for side in sides))
            for label, fmt in (
                ("wall time (s)", lambda r: f"{r['wall_seconds']:.1f}"),
                ("documents/min", lambda r: f"{r['documents_per_minute']:.1f}"),
                ("invoices/min", lambda r: f"{r['invoices_per_minute']:.1f}"),
                ("accepted 810 / 856", lambda r: f"{r['accepted_810']}/{r['accepted_856']}"),
                ("each exactly once", lambda r: "yes" if r["complete"] else "NO"),
                ("QBO reads/doc (metered)", lambda r: f"{r['qbo_per_document']['reads']:.3f}"),
                ("QBO writes/doc", lambda r: f"{r['qbo_per_document']['writes']:.3f}"),
                ("QBO batch calls/doc", lambda r: f"{r['qbo_per_document']['batch_calls']:.3f}"),
                ("QBO throttled (429)", lambda r: str(r["qbo_calls"]["throttled"])),
                ("SPS calls/doc", lambda r: f"{r['sps_per_document']:.3f}"),
                ("peak RSS (MB)", lambda r: f"{r['peak_rss_mb']:.0f}" if "peak_rss_mb" in r else "-"),
            )
        ),
    ]
    width = max(len(row[0]) for row in rows)
    target = result["target"]
    lines = [
        f"bench outbound: {result['invoices']} invoices x {result['lines_per_invoice']} lines "
        f"({result['documents']} documents), {result['latency_ms']} ms latency, seed {result['seed']}, "
        "QBO throttles on",
        *("  " + f"{row[0]:<{width}}" + "".join(f"  {cell:>10}" for cell in row[1:]) for row in rows),
    ]
    if result.get("qbsps_over_naive") is not None:
        lines.append(f"  qbsps / naive: {result['qbsps_over_naive']}x")
    lines.append(
        f"  target: {target['invoices']:,} invoices in SPS within {target['seconds']} s of their changes"
    )
    if result["qbsps"].get("exit_code"):
        lines.append(f"  qbsps sync exited {result['qbsps']['exit_code']}:\n{result['qbsps']['output_tail']}")
    if hook := result.get("webhook"):
        first = hook["first_change"]["accepted_810"]
        lines.append(
            f"  webhook path, {hook['changes']} changes one at a time (daemon running): 810 accepted "
            f"after p50 {hook['p50_seconds']:.1f} s, p95 {hook['p95_seconds']:.1f} s, "
            f"max {hook['max_seconds']:.1f} s "
            f"(target p95 <= {hook['target_p95_seconds']} s; first change {first:.1f} s)"
        )
        stages = ", ".join(f"{name} {seconds:.1f} s" for name, seconds in hook["p50_stages"].items())
        lines.append(f"    p50 after the change: {stages}")
    return "\n".join(lines)
