"""Which compute devices exist, and how to turn a user's choice into a torch device.

Every model in the core takes a ``device`` (DESIGN rule 4): "cpu", "cuda" or "mps", as
``torch.device`` spells them; the app offers only those :func:`available` finds.  torch is
imported inside the functions, so that importing this module stays instant.
"""

from __future__ import annotations

from typing import Any


def available() -> list[str]:
    """Devices that exist on this machine, CPU first: e.g. ["cpu", "cuda"]."""
    import torch

    found = ["cpu"]
    if torch.cuda.is_available():
        found.append("cuda")
    mps = getattr(torch.backends, "mps", None)
    if mps is not None and mps.is_available():
        found.append("mps")
    return found


def resolve(name: str | None = "auto") -> Any:
    """Turn "auto" | "cpu" | "cuda" | "mps" into a ``torch.device``.

    "auto" picks CUDA, then MPS, then CPU.  Asking for a device that does not
    exist raises ValueError with a message a user can act on.
    """
    import torch

    name = (name or "auto").lower()
    have = available()
    if name == "auto":
        name = next((d for d in ("cuda", "mps") if d in have), "cpu")
    if name not in have:
        raise ValueError(f"Device {name!r} is not available here; choose one of {', '.join(have)}.")
    return torch.device(name)


def describe(device: Any) -> str:
    """A short human label, e.g. "CPU" or "CUDA (NVIDIA H100)"."""
    import torch

    device = torch.device(device)
    if device.type == "cuda":
        return f"CUDA ({torch.cuda.get_device_name(device)})"
    return device.type.upper()
