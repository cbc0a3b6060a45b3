"""The control API under /_sandbox/ common to both servers: clock, faults, latency, health.

Each server adds its own inspection routes beside these (see qbo/ and sps/ ``control`` modules).
"""

from __future__ import annotations

from datetime import datetime

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from .clock import SandboxClock
from .faults import FaultInjector, FaultRule


async def _json(request: Request) -> dict:
    body = await request.body()
    if not body:
        return {}
    data = await request.json()
    if not isinstance(data, dict):
        raise ValueError("control body must be a JSON object")
    return data


def _bad(reason: str) -> JSONResponse:
    return JSONResponse({"error": reason}, status_code=400)


def common_control_routes(clock: SandboxClock, faults: FaultInjector) -> list[Route]:
    async def health(_: Request) -> Response:
        return JSONResponse({"status": "ok", "now": clock.now().isoformat()})

    async def get_clock(_: Request) -> Response:
        return JSONResponse({"now": clock.now().isoformat(), "offset_seconds": clock.offset_seconds})

    async def set_clock(request: Request) -> Response:
        """Body: {"advance_seconds": N} or {"set": ISO-8601 with offset} or {"reset": true}."""
        try:
            data = await _json(request)
            if "advance_seconds" in data:
                clock.advance(float(data["advance_seconds"]))
            elif "set" in data:
                clock.set(datetime.fromisoformat(data["set"]))
            elif data.get("reset"):
                clock.reset()
            else:
                return _bad("give advance_seconds, set or reset")
        except (ValueError, TypeError) as exc:
            return _bad(str(exc))
        return await get_clock(request)

    async def get_faults(_: Request) -> Response:
        return JSONResponse(faults.describe())

    async def add_fault(request: Request) -> Response:
        """Body: {"status": 429, "count": 2} scripted, or {"status": 503, "rate": 0.1} random;
        {"drop": true} cuts the connection instead; {"after_apply": "drop"|503} applies the call
        first, then loses or fails its answer; {"delay_ms": N} answers N ms late; {"concurrent_edit":
        true} has someone save the named object first; optional "path_prefix", "method",
        "retry_after"."""
        try:
            data = await _json(request)
            after_apply = data.get("after_apply")
            drop = bool(data.get("drop")) or after_apply == "drop"
            status = after_apply if after_apply not in (None, "drop") else data.get("status", 0)
            rule = FaultRule(
                status=int(status),
                drop=drop,
                after_apply=after_apply is not None,
                count=None if data.get("rate") is not None else int(data.get("count", 1)),
                rate=None if data.get("rate") is None else float(data["rate"]),
                path_prefix=str(data.get("path_prefix", "")),
                method=data.get("method"),
                retry_after=None if data.get("retry_after") is None else int(data["retry_after"]),
                delay_ms=int(data.get("delay_ms", 0)),
                concurrent_edit=bool(data.get("concurrent_edit")),
            )
            faults.add(rule)
        except (KeyError, ValueError, TypeError) as exc:
            return _bad(f"bad fault: {exc}")
        return JSONResponse(faults.describe(), status_code=201)

    async def seed_faults(request: Request) -> Response:
        """Body: {"seed": N}: the same seed gives the same faults to the same calls (a replay)."""
        try:
            faults.seed(int((await _json(request))["seed"]))
        except (KeyError, ValueError, TypeError) as exc:
            return _bad(f"bad seed: {exc}")
        return Response(status_code=204)

    async def clear_faults(_: Request) -> Response:
        faults.clear()
        return Response(status_code=204)

    async def set_latency(request: Request) -> Response:
        try:
            faults.latency_ms = max(0, int((await _json(request))["latency_ms"]))
        except (KeyError, ValueError, TypeError) as exc:
            return _bad(f"bad latency: {exc}")
        return JSONResponse(faults.describe())

    return [
        Route("/_sandbox/health", health, methods=["GET"]),
        Route("/_sandbox/clock", get_clock, methods=["GET"]),
        Route("/_sandbox/clock", set_clock, methods=["POST"]),
        Route("/_sandbox/faults", get_faults, methods=["GET"]),
        Route("/_sandbox/faults", add_fault, methods=["POST"]),
        Route("/_sandbox/faults", clear_faults, methods=["DELETE"]),
        Route("/_sandbox/faults/seed", seed_faults, methods=["POST"]),
        Route("/_sandbox/latency", set_latency, methods=["POST"]),
    ]
