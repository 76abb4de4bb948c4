"""The bundled demo mailbox: fictional job-search mail, and the demo run over it."""

from pathlib import Path

DEMO_MBOX = Path(__file__).parent / "demo.mbox"
DEMO_LABELS = Path(__file__).parent / "labels.json"
